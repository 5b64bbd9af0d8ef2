// Known answers for every bits-learned estimator (values from closed forms or scipy.stats).
import { describe, expect, it } from "vitest";
import {
  bitsBracket,
  binomialCdf,
  clopperPearsonUpper,
  codeLengthBits,
  confusionMutualInformation,
  confusionTable,
  deviceCapacityUpperBits,
  fanoLowerBound,
  fanoPerSampleBits,
  gaussianChannelUpperBits,
  h2,
  labelEntropyUpperBits,
  prequentialEstimateBits,
} from "../../src/info/index.js";
import { Rng } from "../../src/random/rng.js";

describe("binary entropy h2", () => {
  it("has the closed-form values", () => {
    expect(h2(0)).toBe(0);
    expect(h2(1)).toBe(0);
    expect(h2(0.5)).toBe(1);
    expect(h2(0.25)).toBeCloseTo(2 - 0.75 * Math.log2(3), 14);
    expect(h2(0.1)).toBeCloseTo(0.4689955935892812, 14);
  });
  it("refuses a value that is not a probability", () => {
    expect(() => h2(1.5)).toThrow(/not a probability/);
  });
});

describe("Clopper–Pearson upper limit", () => {
  it("matches scipy beta.ppf(0.95, k+1, n−k)", () => {
    expect(clopperPearsonUpper(1, 10)).toBeCloseTo(0.39416330243650466, 10);
    expect(clopperPearsonUpper(3, 50)).toBeCloseTo(0.14783717636418123, 10);
    expect(clopperPearsonUpper(5, 200)).toBeCloseTo(0.05184333912029053, 10);
  });
  it("is 1 − α^(1/n) with no errors and 1 with all errors", () => {
    expect(clopperPearsonUpper(0, 64)).toBeCloseTo(0.04572970233076244, 14);
    expect(clopperPearsonUpper(7, 7)).toBe(1);
  });
  it("binomial CDF matches scipy binom.cdf(3, 50, 0.1)", () => {
    expect(binomialCdf(3, 50, 0.1)).toBeCloseTo(0.250293905953308, 12);
  });
});

describe("Fano lower bound", () => {
  it("per sample: log2 C at ε = 0, 0 at ε = (C−1)/C, the formula between", () => {
    expect(fanoPerSampleBits(4, 0)).toBe(2);
    expect(fanoPerSampleBits(4, 0.75)).toBe(0);
    expect(fanoPerSampleBits(4, 0.25)).toBeCloseTo(2 - h2(0.25) - 0.25 * Math.log2(3), 14);
    expect(fanoPerSampleBits(4, 0.25)).toBeCloseTo(0.7924812503605781, 12);
  });
  it("uses the upper confidence limit on the error, not the observed error", () => {
    const b = fanoLowerBound({ n: 64, classes: 4, errors: 0 });
    expect(b.errorRateObserved).toBe(0);
    expect(b.errorRateUpper).toBeCloseTo(0.04572970233076244, 12);
    expect(b.bits).toBeCloseTo(64 * (2 - h2(0.04572970233076244) - 0.04572970233076244 * Math.log2(3)), 9);
    expect(b.bits).toBeLessThan(128);
  });
  it("tends to n·log2 C as the pooled trials of a memorizing model grow", () => {
    expect(fanoLowerBound({ n: 64, classes: 4, errors: 0, trials: 1_000_000 }).bits).toBeGreaterThan(127.9);
  });
});

describe("confusion-table mutual information (Miller–Madow)", () => {
  it("matches the hand-computed plug-in and corrected values", () => {
    const r = confusionMutualInformation([[10, 2], [3, 5]]);
    expect(r.pluginBitsPerSample).toBeCloseTo(0.16228100121649236, 12);
    expect(r.bitsPerSample).toBeCloseTo(0.12621362519426826, 12);
    expect(r.samples).toBe(20);
  });
  it("never exceeds log2 C, even where the correction overshoots a diagonal table", () => {
    const r = confusionMutualInformation([[16, 0, 0, 0], [0, 16, 0, 0], [0, 0, 16, 0], [0, 0, 0, 16]]);
    expect(r.pluginBitsPerSample).toBeCloseTo(2, 14);
    expect(r.bitsPerSample).toBe(2);
  });
  it("is zero for an independent table", () => {
    expect(confusionMutualInformation([[25, 25], [25, 25]]).bitsPerSample).toBe(0);
  });
  it("is unbiased to first order: a binary symmetric channel with crossover 0.1 averages 1 − h2(0.1)", () => {
    const truth = 1 - h2(0.1);
    const rng = new Rng(7);
    let mm = 0;
    let plugin = 0;
    const repeats = 400;
    for (let r = 0; r < repeats; r++) {
      const y: number[] = [];
      const p: number[] = [];
      for (let i = 0; i < 100; i++) {
        const yi = rng.int(2);
        y.push(yi);
        p.push(rng.uniform() < 0.1 ? 1 - yi : yi);
      }
      const res = confusionMutualInformation(confusionTable(y, p, 2));
      mm += res.bitsPerSample / repeats;
      plugin += res.pluginBitsPerSample / repeats;
    }
    expect(Math.abs(mm - truth)).toBeLessThan(0.01);
    expect(Math.abs(mm - truth)).toBeLessThan(Math.abs(plugin - truth));
  });
});

describe("prequential estimate", () => {
  it("Laplace's rule on a Bernoulli sequence: online code = log2((n+1)·C(n,k)), minus the ML code", () => {
    // Sequence with k ones in n; Laplace predicts p(1) = (ones+1)/(seen+2).
    const seq = [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1];
    const n = seq.length;
    const k = seq.filter((v) => v === 1).length;
    const online: number[] = [];
    let ones = 0;
    seq.forEach((v, i) => {
      const p1 = (ones + 1) / (i + 2);
      online.push(Math.log2(v === 1 ? p1 : 1 - p1));
      ones += v;
    });
    const final = seq.map((v) => Math.log2(v === 1 ? k / n : 1 - k / n));
    let logChoose = 0;
    for (let i = 1; i <= k; i++) logChoose += Math.log2(n - k + i) - Math.log2(i);
    expect(codeLengthBits(online)).toBeCloseTo(Math.log2(n + 1) + logChoose, 10);
    expect(codeLengthBits(final)).toBeCloseTo(n * h2(k / n), 10);
    expect(prequentialEstimateBits(codeLengthBits(online), codeLengthBits(final))).toBeCloseTo(Math.log2(n + 1) + logChoose - n * h2(k / n), 10);
  });
  it("a model that learns nothing in advance and memorizes: n·log2 C", () => {
    expect(prequentialEstimateBits(64 * 2, 0)).toBe(128);
  });
  it("with the uniform code as the alternative: min(L_preq, n·log2 C) + 1 − L_final", () => {
    expect(prequentialEstimateBits(300, 5, 128)).toBe(124);
    expect(prequentialEstimateBits(100, 5, 128)).toBe(96);
  });
});

describe("upper bounds", () => {
  it("n·log2 C, N·log2 L and the Gaussian channel", () => {
    expect(labelEntropyUpperBits(64, 4)).toBe(128);
    expect(deviceCapacityUpperBits(100, 16, { count: 0, bitsEach: 64 })).toBe(400);
    expect(gaussianChannelUpperBits([4, 1, 0.5, 16], [1, 1, 1, 4])).toBeCloseTo(1 + 0 + 0 + 1, 14);
  });
});

describe("bitsBracket", () => {
  const base = { n: 64, C: 4, N: 1000, L: 32, biases: { count: 0, bitsEach: 64 }, prequentialBits: 130, finalCodeBits: 4 };
  it("random labels: Fano applies and a memorized pooled run brackets n·log2 C", () => {
    const b = bitsBracket({ ...base, labelMode: "random", draws: 4, trainError: { errors: 1, trials: 256 }, testError: { errors: 48, trials: 64 }, confusion: [[16, 0, 0, 0], [0, 15, 1, 0], [0, 0, 16, 0], [0, 0, 0, 16]] });
    const fano = b.all.find((x) => x.name === "fano")!;
    const gap = b.all.find((x) => x.name === "generalization_gap")!;
    // Two lower bounds apply (the bootstrapped confusion MI does not): each at 1 − 0.05/2 (Bonferroni), the end at 95%.
    expect(fano.confidence).toBeCloseTo(0.975, 12);
    expect(fano.bits).toBeCloseTo(fanoLowerBound({ n: 64, classes: 4, errors: 1, trials: 256, confidence: 0.975 }).bits, 12);
    expect(b.lower).toMatchObject({ bits: Math.max(fano.bits!, gap.bits!), bound: "fano", confidence: 0.95 });
    expect(b.all.find((x) => x.name === "confusion_mi")?.applies).toBe(false);
    expect(b.upper).toMatchObject({ bits: 128, bound: "label_entropy", confidence: null });
    expect(b.upper.method).toMatch(/n·log2 C/);
    expect(fano.bits).toBeGreaterThan(0.9 * 128);
    expect(b.lower.bits).toBeLessThanOrEqual(128);
    expect(b.estimate).toMatchObject({ bits: 125, bound: "prequential", confidence: null });
    // A prequential code longer than the uniform one: the uniform code (+1 bit) is used, which can exceed the upper end by ≤ 1 bit.
    const over = bitsBracket({ ...base, prequentialBits: 230, finalCodeBits: 0, labelMode: "random", trainError: { errors: 0, trials: 64 } });
    expect(over.all.find((x) => x.name === "prequential")?.bits).toBe(129);
    expect(over.estimate?.bits).toBe(128);
    expect(over.estimate?.method).toMatch(/^uniform code 128.0 \+ 1 .*raw 129.0 bits, clamped/);
    expect(over.notes.join(" ")).toMatch(/clamped/);
    expect(b.all.find((x) => x.name === "fano")?.applies).toBe(true);
  });
  it("real labels: Fano and the generalization gap are listed but do not apply; the lower end is 0 (changed: the gap bounds I(S;θ), not I(Yⁿ;θ))", () => {
    const b = bitsBracket({ ...base, labelMode: "real", trainError: { errors: 0, trials: 64 }, testError: { errors: 16, trials: 64 }, confusion: [[64]] });
    expect(b.all.find((x) => x.name === "fano")?.applies).toBe(false);
    expect(b.all.find((x) => x.name === "confusion_mi")?.applies).toBe(false);
    expect(b.all.find((x) => x.name === "generalization_gap")?.applies).toBe(false);
    expect(b.lower).toEqual({ bits: 0, method: "none applies: I ≥ 0", bound: "none", confidence: null });
    expect(b.notes.join(" ")).toMatch(/no lower bound applies/);
  });
  it("the device bound, with the biases, is the upper end when it is smaller", () => {
    const b = bitsBracket({ ...base, N: 10, L: 4, biases: { count: 2, bitsEach: 32 }, labelMode: "random", trainError: { errors: 0, trials: 64 } });
    expect(b.upper).toMatchObject({ bits: 84, bound: "device_capacity", confidence: null });
    expect(b.upper.method).toMatch(/N·log2 L = 10·log2 4 \+ B·bitsPerBias = 2·32/);
  });
});
