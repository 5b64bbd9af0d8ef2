// Known answers for the bracket's bounds: pooled Fano, the gap limit, the capacity bounds with biases, the control.
import { describe, expect, it } from "vitest";
import {
  bitsBracket,
  clopperPearsonLower,
  confusionMutualInformationLower,
  deviceCapacityUpperBits,
  fanoLowerBound,
  generalizationGapLowerBound,
  h2,
  writeNoiseChannelUpperBits,
} from "../../src/info/index.js";
import { levelChannelBits } from "./gaussian-levels.js";
import { trueBits } from "./noisy-copy.js";

const NO_BIASES = { count: 0, bitsEach: 64 };

describe("Clopper–Pearson lower limit", () => {
  it("matches scipy beta.ppf(α, k, n−k+1), is 0 with no errors and α^(1/n) with all", () => {
    expect(clopperPearsonLower(3, 50)).toBeCloseTo(0.01655185918923134, 10);
    expect(clopperPearsonLower(70, 200)).toBeCloseTo(0.29397639367942824, 10);
    expect(clopperPearsonLower(0, 50)).toBe(0);
    expect(clopperPearsonLower(10, 10)).toBeCloseTo(Math.pow(0.05, 1 / 10), 14);
  });
});

describe("Fano pooled over K = 3 draws", () => {
  // n = 64, C = 4, 0 errors in 192 trials: ε_U = 1 − 0.05^(1/192) = 0.0154817, 64·(2 − h2(ε_U) − ε_U·log2 3) = 119.053 bits.
  const eps = 1 - Math.pow(0.05, 1 / 192);
  const formula = 64 * (2 - h2(eps) - eps * Math.log2(3));
  it("uses the 192 trials for the limit and n = 64 for the bits: ≥ 0.9·128 = 115.2 and ≤ 128", () => {
    const f = fanoLowerBound({ n: 64, classes: 4, errors: 0, trials: 192 });
    expect(f.errorRateUpper).toBeCloseTo(0.015481679618674082, 12);
    expect(f.bits).toBeCloseTo(formula, 9);
    expect(f.bits).toBeCloseTo(119.05309922188718, 6);
    expect(f.bits).toBeGreaterThanOrEqual(115.2);
    expect(f.bits).toBeLessThanOrEqual(128);
  });
  it("in the bracket, alone, it is the lower end at 95%, and the method says it was pooled", () => {
    const b = bitsBracket({ labelMode: "random", n: 64, C: 4, draws: 3, trainError: { errors: 0, trials: 192 } });
    expect(b.lower).toMatchObject({ bound: "fano", confidence: 0.95 });
    expect(b.lower.bits).toBeCloseTo(formula, 9);
    expect(b.lower.method).toMatch(/0\/192 training errors pooled over 3 draws/);
    expect(b.upper).toMatchObject({ bits: 128, bound: "label_entropy", confidence: null });
    expect(b.notes).toEqual([]);
  });
});

describe("generalization-gap lower confidence limit", () => {
  it("2n·(p_L(test) − p_U(train))²/ln 2 with each limit at 97.5% (scipy: 0.684037, 0.0362167)", () => {
    const g = generalizationGapLowerBound({ n: 100, trainError: { errors: 0, trials: 100 }, testError: { errors: 150, trials: 200 } });
    expect(g.testErrorLower).toBeCloseTo(0.6840371666701309, 10);
    expect(g.trainErrorUpper).toBeCloseTo(1 - Math.pow(0.025, 1 / 100), 14);
    expect(g.bits).toBeCloseTo(121.09155986954848, 6);
  });
  it("is 0 (not negative) when the test error's lower limit is below the training error's upper limit", () => {
    const g = generalizationGapLowerBound({ n: 100, trainError: { errors: 30, trials: 100 }, testError: { errors: 20, trials: 100 } });
    expect(g.gapLower).toBe(0);
    expect(g.bits).toBe(0);
  });
  it("applies to random labels (and is never above Fano there) but not to real labels, where it bounds I(S;θ)", () => {
    const counts = { n: 100, C: 4, trainError: { errors: 0, trials: 100 }, testError: { errors: 150, trials: 200 } };
    const random = bitsBracket({ labelMode: "random", ...counts });
    const gap = random.all.find((x) => x.name === "generalization_gap")!;
    expect(gap.applies).toBe(true);
    expect(gap.bits!).toBeLessThanOrEqual(random.all.find((x) => x.name === "fano")!.bits!);
    const real = bitsBracket({ labelMode: "real", ...counts });
    expect(real.all.find((x) => x.name === "generalization_gap")).toMatchObject({ applies: false, why: expect.stringMatching(/I\(S;θ\)/) });
    expect(real.lower).toEqual({ bits: 0, method: "none applies: I ≥ 0", bound: "none", confidence: null });
  });
});

describe("device capacity with the biases", () => {
  it("N·log2 L + B·bitsPerBias: 1000·log2 32 + 10·64 = 5640; float64 weights 100·64 + 10·64 = 7040", () => {
    expect(deviceCapacityUpperBits(1000, 32, { count: 10, bitsEach: 64 })).toBe(5640);
    expect(deviceCapacityUpperBits(100, 2 ** 64, { count: 10, bitsEach: 64 })).toBe(7040);
  });
  it("is not used when the biases are not given: part of θ would be left out", () => {
    const b = bitsBracket({ labelMode: "random", n: 64, C: 4, trainError: { errors: 0, trials: 64 }, N: 10, L: 4 });
    expect(b.all.find((x) => x.name === "device_capacity")).toMatchObject({ bits: null, applies: false });
    expect(b.upper.bound).toBe("label_entropy");
  });
});

describe("write-noise channel bound", () => {
  it("N·½·log2(1 + R²/(4σ²)) + B·bits: 100 devices, R = 99 µS, σ = 1 µS, 10 float64 biases → 100·½·log2 2451.25 + 640 = 1202.965", () => {
    expect(writeNoiseChannelUpperBits({ devices: 100, rangeSiemens: 99e-6, sigmaSiemens: 1e-6 }, { count: 10, bitsEach: 64 })).toBeCloseTo(1202.9650957539757, 8);
  });
  it("R = 2√3·σ gives ½·log2 4 = 1 bit per device; R = 0 gives only the biases", () => {
    expect(writeNoiseChannelUpperBits({ devices: 100, rangeSiemens: 2 * Math.sqrt(3) * 1e-6, sigmaSiemens: 1e-6 }, NO_BIASES)).toBeCloseTo(100, 10);
    expect(writeNoiseChannelUpperBits({ devices: 100, rangeSiemens: 0, sigmaSiemens: 1e-6 }, { count: 3, bitsEach: 32 })).toBe(96);
  });
  it("sits above the quadrature truth: one bit written at the range's ends at R = 2√3σ holds 0.845332 bits (BPSK, scipy) ≤ 1", () => {
    const bpsk = levelChannelBits({ C: 2, q: 0 }, 2 * Math.sqrt(3) * 1e-6, 1e-6);
    expect(bpsk).toBeCloseTo(0.8453317951213646, 5);
    expect(bpsk).toBeLessThan(writeNoiseChannelUpperBits({ devices: 1, rangeSiemens: 2 * Math.sqrt(3) * 1e-6, sigmaSiemens: 1e-6 }, NO_BIASES));
  });
  it("is the upper end for a noisy copy on 4 levels within R = 4σ, above its truth and below n·log2 C", () => {
    const copy = { n: 64, C: 4, q: 0.1 };
    const w = { devices: 64, rangeSiemens: 4e-6, sigmaSiemens: 1e-6 };
    const truth = copy.n * levelChannelBits(copy, w.rangeSiemens, w.sigmaSiemens);
    expect(truth).toBeLessThan(trueBits(copy)); // the write noise only loses information
    const b = bitsBracket({ labelMode: "random", n: 64, C: 4, trainError: { errors: 5, trials: 64 }, N: 64, L: 4, biases: NO_BIASES, writeNoise: w });
    expect(b.upper).toMatchObject({ bound: "write_noise_channel", confidence: null });
    expect(b.upper.bits).toBeCloseTo(64 * 0.5 * Math.log2(5), 10);
    expect(b.upper.bits).toBeGreaterThanOrEqual(truth);
  });
});

describe("control label mode", () => {
  it("is exactly [0, 0] with estimate 0, bound control, and a method computed from n and C", () => {
    const b = bitsBracket({
      labelMode: "control",
      n: 100,
      C: 4,
      trainError: { errors: 74, trials: 100 },
      testError: { errors: 76, trials: 100 },
      prequentialBits: 210,
      finalCodeBits: 195,
      N: 50,
      L: 16,
      biases: { count: 4, bitsEach: 64 },
    });
    for (const end of [b.lower, b.estimate!, b.upper]) {
      expect(end).toMatchObject({ bits: 0, bound: "control", confidence: null });
      expect(end.method).toMatch(/the 100 training labels over 4 classes .* n·log2 C = 200\.0 bits: I\(Yⁿ;θ\) = 0/);
    }
    expect(Object.is(b.lower.bits, 0)).toBe(true);
    // Fano formally applies (uniform labels) and is 0 here: 74% errors leave ε_U above (C−1)/C.
    expect(b.all.find((x) => x.name === "fano")).toMatchObject({ applies: true, bits: 0 });
    expect(b.notes).toEqual([]);
  });
  it("says so when a lower bound finds bits in the control", () => {
    const b = bitsBracket({ labelMode: "control", n: 64, C: 4, trainError: { errors: 0, trials: 64 } });
    expect(b.lower.bits).toBe(0);
    expect(b.notes.join(" ")).toMatch(/control: fano gives \d+\.\d bits > 0/);
  });
});

describe("ends at 0 stay 0", () => {
  it("all training predictions wrong: the lower end is 0 (fano), not NaN or negative", () => {
    const b = bitsBracket({ labelMode: "random", n: 64, C: 4, trainError: { errors: 64, trials: 64 }, testError: { errors: 48, trials: 64 } });
    expect(b.lower).toMatchObject({ bits: 0, confidence: 0.95 });
    expect(Object.is(b.lower.bits, 0)).toBe(true);
  });
  it("no devices and no biases: the upper end is 0 (device capacity and write noise)", () => {
    const b = bitsBracket({ labelMode: "random", n: 64, C: 4, trainError: { errors: 64, trials: 64 }, N: 0, L: 16, biases: NO_BIASES, writeNoise: { devices: 0, rangeSiemens: 1e-4, sigmaSiemens: 1e-6 } });
    expect(b.upper.bits).toBe(0);
    expect(["device_capacity", "write_noise_channel"]).toContain(b.upper.bound);
    expect(b.lower.bits).toBe(0);
  });
});

describe("confusion-table bootstrap", () => {
  it("is deterministic for the same table, at or below the point estimate, and 0 for an empty table", () => {
    const table = [[20, 3, 1], [2, 18, 4], [0, 5, 19]];
    const a = confusionMutualInformationLower({ table, n: 24 });
    const b = confusionMutualInformationLower({ table, n: 24 });
    expect(a.lowerBits).toBe(b.lowerBits);
    expect(a.lowerBits).toBeGreaterThan(0);
    expect(a.lowerBits).toBeLessThan(a.pointBits);
    expect(confusionMutualInformationLower({ table: [[0, 0], [0, 0]], n: 10 }).lowerBits).toBe(0);
  });
});
