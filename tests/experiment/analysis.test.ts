import { describe, expect, it } from "vitest";
import { analyzeSweep, methodSummary } from "../../src/experiment/analysis.js";
import { landauerJoulesPerBit } from "../../src/energy/landauer.js";
import { syntheticSweep } from "./synthetic.js";

const opts = { bootstrapResamples: 400, seed: 3 };

describe("E-vs-I analysis on synthetic sweeps", () => {
  it("Landauer multiple of E_learn = 1000·kT·ln2 per bit is 1000 with a tight CI; components are shares of E_learn, the total carries the overhead", () => {
    const kTln2 = landauerJoulesPerBit(300);
    const points = syntheticSweep({ energy: (r) => 1000 * kTln2 * r.bits, bitsNoise: 0 });
    const a = analyzeSweep(points, opts);
    const learning = a.landauer.find((r) => r.component === "learning" && r.end === "estimate")!;
    expect(learning.multiple.estimate).toBeCloseTo(1000, 6);
    expect(learning.multiple.lower).toBeCloseTo(1000, 6);
    const program = a.landauer.find((r) => r.component === "activity:program" && r.end === "estimate")!;
    expect(program.multiple.estimate).toBeCloseTo(750, 6);
    // The lower end of random runs is 0.75 of the estimate: a 1/0.75 larger multiple; the control (I = 0) is left out.
    const lower = a.landauer.find((r) => r.component === "learning" && r.end === "lower")!;
    expect(lower.multiple.estimate).toBeCloseTo(1000 / 0.75, 4);
    const total = a.landauer.find((r) => r.component === "total" && r.end === "estimate")!;
    expect(total.multiple.estimate).toBeGreaterThan(1000);
  });

  it("counts the runs each end cannot use, by why, and names the binding bounds", () => {
    const a = analyzeSweep(syntheticSweep({ energy: (r) => 1e-15 * r.bits, ns: [16, 64], classes: [2], seeds: 3 }), opts);
    // 2 n × 1 C × 3 labels × 2 protocols × 2 budgets × 3 seeds = 72 runs, 24 per label mode.
    expect(a.counts.upper).toEqual({ end: "upper", runs: 72, used: 48, cells: 16, zeroI: 24, zeroIByLabels: { control: 24 }, missingI: 0, nonPositiveE: 0, bounds: { label_entropy: 48, control: 24 } });
    expect(a.counts.lower).toMatchObject({ used: 24, zeroI: 48, zeroIByLabels: { teacher: 24, control: 24 }, bounds: { fano: 24, none: 24, control: 24 } });
    expect(a.ends.lower!.method).toBe("fano");
    expect(a.ends.upper!.method).toBe("label_entropy");
  });

  it("reports E_learn(labels) − E_learn(control) per matched cell and pooled, beside the overhead and total differences", () => {
    // E_learn = 1e-15·I + 2e-13 (the control spends 2e-13 J): the information cost 1e-15 J per bit.
    const points = syntheticSweep({ energy: (r) => 1e-15 * r.bits + 2e-13, ns: [16, 64], classes: [4], bitsNoise: 0, seeds: 3 });
    const a = analyzeSweep(points, opts);
    const control = a.matchedContrasts.filter((c) => c.factor === "labels" && c.a === "random" && c.b === "control");
    expect(control.map((c) => c.match)).toEqual([
      "n=16|C=4|protocol=pulse1|epochs=2",
      "n=16|C=4|protocol=pulse1|epochs=8",
      "n=16|C=4|protocol=wide|epochs=2",
      "n=16|C=4|protocol=wide|epochs=8",
      "n=64|C=4|protocol=pulse1|epochs=2",
      "n=64|C=4|protocol=pulse1|epochs=8",
      "n=64|C=4|protocol=wide|epochs=2",
      "n=64|C=4|protocol=wide|epochs=8",
      "pooled",
    ]);
    // Random labels learn 0.9·n·log2 C bits: 28.8 at n = 16, 115.2 at n = 64.
    expect(control[0]!.energyDifferenceJoules.estimate).toBeCloseTo(28.8e-15, 20);
    expect(control[4]!.energyDifferenceJoules.estimate).toBeCloseTo(115.2e-15, 20);
    expect(control[8]!.energyDifferenceJoules.estimate).toBeCloseTo((28.8e-15 + 115.2e-15) / 2, 20);
    expect(control[8]!.overheadDifferenceJoules.estimate).toBe(0);
    expect(control[8]!.totalDifferenceJoules.estimate).toBeCloseTo(control[8]!.energyDifferenceJoules.estimate, 20);
    expect(control[8]!.deltaLogI.estimate.cells).toEqual({ finite: 0, bZero: 8, aZero: 0, bothZero: 0, missing: 0 });
  });

  it("names the bounds an end used without their per-run numbers", () => {
    expect(methodSummary(["n·log2 C = 8·log2 2", "n·log2 C = 64·log2 2"])).toBe("n·log2 C");
    expect(methodSummary(["generalization gap, 2n·gap² nats, gap = 0.3", "Fano, n·[…] with ε = 0.1", "generalization gap, 2n·gap² nats, gap = 0.1"])).toBe("generalization gap (2 runs) | Fano (1 runs)");
  });
});
