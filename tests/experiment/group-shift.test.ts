import { describe, expect, it } from "vitest";
import { conservativeLogShift, logShift, meanDifference, movesAtLeast, shiftDefined, staysWithin } from "../../src/experiment/group-shift.js";
import { matchedContrasts } from "../../src/experiment/contrasts.js";
import { cellKey, type ExperimentPoint } from "../../src/experiment/point.js";

const opts = { resamples: 500, level: 0.95, seed: 1 };

/** Whether any number anywhere in a value is NaN. */
function hasNaN(v: unknown): boolean {
  if (typeof v === "number") return Number.isNaN(v);
  if (v && typeof v === "object") return Object.values(v).some(hasNaN);
  return false;
}

function point(labelMode: string, seed: number, bits: number, energy: number): ExperimentPoint {
  const c = { n: 16, classes: 2, labelMode, protocol: "base", budget: "epochs=2" };
  return {
    id: `${labelMode}-${seed}`,
    cell: cellKey(c),
    ...c,
    seed,
    energyJoules: energy,
    overheadJoules: 1,
    totalJoules: energy + 1,
    energyByComponentJoules: {},
    bits: { lower: bits, estimate: bits, upper: bits },
    bitsMethod: { lower: "x", upper: "x" },
    bitsBound: { lower: "x", upper: "x" },
    bitsConfidence: { lower: null, upper: null },
    updates: 4,
    weightPathL1: 1,
    devices: 4,
    temperatureKelvin: 300,
  };
}

describe("shifts between matched groups that can sit at 0", () => {
  it("against a group whose I is 0 in every run: reported as falling to 0 (unbounded), never NaN, and ≥ ×2", () => {
    const s = logShift([{ match: "m", a: [10, 12, 14], b: [0, 0, 0] }], opts);
    expect(s.finite).toBeNull();
    expect(s.cells).toEqual({ finite: 0, bZero: 1, aZero: 0, bothZero: 0, missing: 0 });
    expect(s.zeroRuns).toEqual({ a: 0, b: 3 });
    expect(conservativeLogShift(s)).toBe(Number.POSITIVE_INFINITY);
    expect(movesAtLeast(s, 2)).toBe(true);
    expect(staysWithin(s, 1.1, true)).toBe(false);
    expect(hasNaN(s)).toBe(false);
  });

  it("a matched contrast random vs control reports I falling to 0 on every end, with the energy difference", () => {
    const points = [point("random", 1, 10, 5), point("random", 2, 14, 7), point("control", 1, 0, 5), point("control", 2, 0, 7)];
    const [c] = matchedContrasts(points, opts);
    expect(c).toMatchObject({ factor: "labels", a: "random", b: "control", match: "n=16|C=2|protocol=base|epochs=2", matches: 1, runs: { a: 2, b: 2 } });
    for (const end of ["lower", "estimate", "upper"] as const) expect(c!.deltaLogI[end].cells.bZero).toBe(1);
    expect(c!.deltaLogE.finite!.estimate).toBe(0);
    expect(c!.energyDifferenceJoules.estimate).toBe(0);
    expect(c!.totalDifferenceJoules.estimate).toBe(0);
    expect(hasNaN(c)).toBe(false);
  });

  it("zeros inside a group enter its mean; both sides at 0 are counted and unchanged for bits only", () => {
    const s = logShift([{ match: "m", a: [0, 8], b: [4, 4] }, { match: "k", a: [0, 0], b: [0, 0] }, { match: "j", a: [Number.NaN], b: [1] }], opts);
    expect(s.finite!.estimate).toBe(0); // mean 4 against mean 4
    expect(s.cells).toEqual({ finite: 1, bZero: 0, aZero: 0, bothZero: 1, missing: 1 });
    expect(s.zeroRuns).toEqual({ a: 3, b: 2 });
    // Resampling [0, 8] can draw [0, 0]: the CI reaches −∞, honestly, instead of turning into NaN.
    expect(s.finite!.lower).toBe(Number.NEGATIVE_INFINITY);
    expect(s.finite!.upper).toBeCloseTo(Math.log(2), 12);
    expect(movesAtLeast(s, 2)).toBe(false);
    expect(staysWithin(logShift([{ match: "k", a: [0, 0], b: [0] }], opts), 1.1, true)).toBe(true);
    expect(staysWithin(logShift([{ match: "k", a: [0, 0], b: [0] }], opts), 1.1, false)).toBe(false);
    expect(shiftDefined(logShift([{ match: "k", a: [0], b: [0] }], opts))).toBe(false);
  });

  it("the conservative shift is the CI end nearest 0, and 0 when cells disagree on the direction", () => {
    const up = logShift([{ match: "m", a: [40, 40], b: [10, 10] }], opts);
    expect(conservativeLogShift(up)).toBeCloseTo(Math.log(4), 12);
    const mixed = logShift([{ match: "m", a: [40, 40], b: [10, 10] }, { match: "k", a: [0], b: [3] }], opts);
    expect(mixed.cells).toMatchObject({ finite: 1, aZero: 1 });
    expect(conservativeLogShift(mixed)).toBe(0);
  });

  it("mean difference of group means over matched cells, e.g. E(labels) − E(control)", () => {
    const d = meanDifference([{ match: "m", a: [3, 5], b: [1, 1] }, { match: "k", a: [10], b: [4, 6] }], opts);
    expect(d.estimate).toBe((4 - 1 + (10 - 5)) / 2);
    expect(d.lower).toBeLessThanOrEqual(d.estimate);
    expect(d.upper).toBeGreaterThanOrEqual(d.estimate);
  });
});
