// Every bound of the bracket against a learner whose I(Yⁿ;θ) is known: lower limits hold their level, upper bounds always hold.
import { describe, expect, it } from "vitest";
import { binomialCdf, bitsBracket, confusionTable, fanoLowerBound, generalizationGapLowerBound, h2, type BitsBracket } from "../../src/info/index.js";
import { Rng } from "../../src/random/rng.js";
import { conditionalEntropyFromJoint, copyErrorRate, drawCopies, trueBits, type NoisyCopy } from "./noisy-copy.js";

const REPS = 400;
const TEST_TRIALS = 200;
const CONFIDENCE = 0.95;

/** The most violations of a level-(1−α) limit in `reps` tries that a binomial test at 0.1% allows. */
function allowedViolations(reps: number, alpha: number): number {
  let k = 0;
  while (1 - binomialCdf(k, reps, alpha) > 1e-3) k++;
  return k;
}

interface Case extends NoisyCopy {
  draws: number;
}

// Near-perfect copies, half-noisy ones, many classes, and the zero-information copy (q = 1).
const CASES: Case[] = [
  { n: 64, C: 4, q: 0.02, draws: 1 },
  { n: 64, C: 4, q: 0.1, draws: 1 },
  { n: 64, C: 4, q: 0.5, draws: 1 },
  { n: 64, C: 4, q: 0.5, draws: 3 },
  { n: 256, C: 2, q: 0.3, draws: 1 },
  { n: 100, C: 10, q: 0.5, draws: 1 },
  { n: 200, C: 4, q: 1, draws: 1 },
];

interface Tally {
  truth: number;
  /** Repetitions where each named lower limit exceeded the truth, and the level it claimed. */
  over: Map<string, { count: number; confidence: number }>;
  /** Repetitions where an upper bound (or the upper end) fell below the truth. */
  under: number;
}

function tally(c: Case): Tally {
  const truth = trueBits(c);
  const rng = new Rng(`noisy-copy ${c.n} ${c.C} ${c.q} ${c.draws}`);
  const over = new Map<string, { count: number; confidence: number }>();
  const count = (name: string, bits: number, confidence: number) => {
    const t = over.get(name) ?? { count: 0, confidence };
    if (bits > truth + 1e-9) t.count++;
    over.set(name, t);
  };
  let under = 0;
  for (let r = 0; r < REPS; r++) {
    const d = drawCopies(c, c.draws, TEST_TRIALS, rng);
    const trainError = { errors: d.trainErrors, trials: c.draws * c.n };
    const testError = { errors: d.testErrors, trials: TEST_TRIALS };
    count("fano alone", fanoLowerBound({ n: c.n, classes: c.C, ...trainError, confidence: CONFIDENCE }).bits, CONFIDENCE);
    count("generalization_gap alone", generalizationGapLowerBound({ n: c.n, trainError, testError, confidence: CONFIDENCE }).bits, CONFIDENCE);
    const b: BitsBracket = bitsBracket({
      labelMode: "random",
      n: c.n,
      C: c.C,
      draws: c.draws,
      trainError,
      testError,
      confusion: confusionTable(d.labels, d.stored, c.C),
      // θ = Ŷⁿ: n devices of C levels, no biases.
      N: c.n,
      L: c.C,
      biases: { count: 0, bitsEach: 64 },
      confidence: CONFIDENCE,
    });
    count("lower end", b.lower.bits, b.lower.confidence ?? 1);
    for (const x of b.all) if (x.kind === "lower" && x.bits !== null) count(x.name, x.bits, x.confidence!);
    if (b.upper.bits < truth - 1e-9) under++;
    for (const x of b.all) if (x.kind === "upper" && x.applies && x.bits! < truth - 1e-9) under++;
  }
  return { truth, over, under };
}

const tallies = new Map<Case, Tally>();
const tallyOf = (c: Case): Tally => {
  if (!tallies.has(c)) tallies.set(c, tally(c));
  return tallies.get(c)!;
};

describe("the noisy-copy learner's I(Yⁿ;θ)", () => {
  it("H(Y|Ŷ) = h2(ε) + ε·log2(C−1), ε = q·(C−1)/C, equals the entropy summed from the joint table", () => {
    for (const c of CASES) {
      const eps = copyErrorRate(c);
      expect(conditionalEntropyFromJoint(c)).toBeCloseTo(h2(eps) + eps * Math.log2(c.C - 1), 12);
      expect(trueBits(c)).toBeCloseTo(c.n * (Math.log2(c.C) - conditionalEntropyFromJoint(c)), 9);
    }
    // Hand values: C = 2, q = 0.3 → ε = 0.15, 256·(1 − h2(0.15)) = 256·0.390159… bits; q = 1 → 0.
    expect(trueBits({ n: 256, C: 2, q: 0.3 })).toBeCloseTo(256 * (1 - 0.6098403047164005), 9);
    expect(trueBits({ n: 200, C: 4, q: 1 })).toBe(0);
  });
});

describe.each(CASES)("bracket validity, n = $n, C = $C, q = $q, $draws draw(s), 400 repetitions", (c) => {
  it("each lower limit that applies, and the lower end, exceed the truth no more often than 1 − confidence allows", () => {
    const t = tallyOf(c);
    expect(t.over.get("lower end")!.count, `lower end: over the truth ${t.truth.toFixed(2)}`).toBeLessThanOrEqual(allowedViolations(REPS, 1 - CONFIDENCE));
    const b = bitsBracket({ labelMode: "random", n: c.n, C: c.C, trainError: { errors: 0, trials: c.n }, testError: { errors: 1, trials: 2 }, confusion: [[1]] });
    const applying = new Set(b.all.filter((x) => x.kind === "lower" && x.applies).map((x) => x.name));
    for (const [name, v] of t.over) {
      if (name !== "lower end" && !name.endsWith(" alone") && !applying.has(name)) continue; // listed, not applying: see below
      expect(v.count, `${name} at ${v.confidence}: ${v.count}/${REPS} over the truth ${t.truth.toFixed(2)}`).toBeLessThanOrEqual(allowedViolations(REPS, 1 - v.confidence));
    }
    expect([...applying].sort()).toEqual(["fano", "generalization_gap"]);
    expect(t.over.get("lower end")!.confidence).toBe(CONFIDENCE);
    expect(t.over.get("fano")!.confidence).toBeCloseTo(0.975, 12); // two apply: 1 − 0.05/2 each
  });
  it("every upper bound that applies, and the upper end, are at or above the truth every time", () => {
    expect(tallyOf(c).under).toBe(0);
  });
});

describe("the confusion-table bootstrap is listed but does not apply", () => {
  it("its 95% percentile-bootstrap limit exceeds the known truth far more often than 5% (so the bracket does not use it)", () => {
    const rate = (c: Case) => tallyOf(c).over.get("confusion_mi")!.count / REPS;
    // Measured at the 97.5% level it is given in the bracket; the why text quotes these.
    expect(rate(CASES[1]!)).toBeGreaterThan(0.2); // n = 64, C = 4, q = 0.1
    expect(rate(CASES[5]!)).toBeGreaterThan(0.9); // n = 100, C = 10, q = 0.5: a sparse table
    const b = bitsBracket({ labelMode: "random", n: 4, C: 2, trainError: { errors: 0, trials: 4 }, confusion: [[2, 0], [0, 2]] });
    expect(b.all.find((x) => x.name === "confusion_mi")?.applies).toBe(false);
  });
});
