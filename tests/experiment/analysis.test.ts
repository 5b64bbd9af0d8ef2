import { describe, expect, it } from "vitest";
import { analyzeSweep, methodSummary } from "../../src/experiment/analysis.js";
import { landauerJoulesPerBit } from "../../src/energy/landauer.js";
import { syntheticSweep } from "./synthetic.js";

const opts = { bootstrapResamples: 400, seed: 3 };

describe("E-vs-I analysis on synthetic sweeps with a known law", () => {
  it("E = c·I^1.0 with noise: the CI for β contains 1.0 on each end, and the verdict supports", () => {
    const points = syntheticSweep({ energy: (bits, _u, rng) => 1e-12 * bits * Math.exp(0.1 * rng.normal()) });
    const a = analyzeSweep(points, opts);
    for (const end of ["lower", "estimate", "upper"] as const) {
      const b = a.ends[end]!.beta;
      expect(b.lower).toBeLessThan(1.0);
      expect(b.upper).toBeGreaterThan(1.0);
      expect(b.upper - b.lower).toBeLessThan(0.2);
    }
    expect(a.verdict).toBe("supports");
    expect(a.reasons.join("\n")).toMatch(/keeps its power/);
  });

  it("E = c·I^0.5: the CI for β excludes 1.0 and the verdict is not 'supports'", () => {
    const points = syntheticSweep({ energy: (bits, _u, rng) => 1e-12 * Math.sqrt(bits) * Math.exp(0.1 * rng.normal()) });
    const a = analyzeSweep(points, opts);
    for (const end of ["lower", "upper"] as const) {
      const b = a.ends[end]!.beta;
      expect(b.upper).toBeLessThan(1.0);
      expect(b.lower).toBeLessThan(0.5);
      expect(b.upper).toBeGreaterThan(0.5);
    }
    expect(a.verdict).not.toBe("supports");
  });

  it("E depending only on the update count: the verdict refutes, and says the protocol moves E at fixed I", () => {
    const points = syntheticSweep({ budgets: [2, 8], energy: (_bits, updates, rng) => 1e-12 * updates * Math.exp(0.1 * rng.normal()) });
    const a = analyzeSweep(points, opts);
    expect(a.verdict).toBe("refutes");
    expect(a.reasons.join("\n")).toMatch(/protocol alone moves E at fixed I/);
    expect(a.reasons.join("\n")).toMatch(/random against teacher labels change I/);
  });

  it("E that keeps rising after the upper bound on I saturates: refutes", () => {
    // I capped at 200 bits (a capacity bound), E ∝ n regardless.
    const base = syntheticSweep({ energy: (bits) => bits });
    const points = base.map((p) => {
      const cap = (b: number) => Math.min(b, 200);
      return { ...p, bits: { lower: cap(p.bits.lower), estimate: cap(p.bits.estimate), upper: cap(p.bits.upper) }, energyJoules: 1e-12 * p.n, energyByComponentJoules: {} };
    });
    const a = analyzeSweep(points, opts);
    expect(a.verdict).toBe("refutes");
    expect(a.reasons.join("\n")).toMatch(/E keeps rising after I saturates/);
  });

  it("Landauer multiple of a point set with E = 1000·kT·ln2 per bit is 1000 with a tight CI, on every component share", () => {
    const kTln2 = landauerJoulesPerBit(300);
    const points = syntheticSweep({ energy: (bits) => 1000 * kTln2 * bits });
    const a = analyzeSweep(points, opts);
    const total = a.landauer.find((r) => r.component === "total" && r.end === "estimate")!;
    expect(total.multiple.estimate).toBeCloseTo(1000, 6);
    expect(total.multiple.lower).toBeCloseTo(1000, 6);
    const program = a.landauer.find((r) => r.component === "activity:program" && r.end === "estimate")!;
    expect(program.multiple.estimate).toBeCloseTo(750, 6);
    // Upper end of the bracket has 1.25× the bits: a 1.25× smaller multiple.
    const upper = a.landauer.find((r) => r.component === "total" && r.end === "upper")!;
    expect(upper.multiple.estimate).toBeCloseTo(800, 6);
  });

  it("names the bounds an end used without their per-run numbers", () => {
    expect(methodSummary(["n·log2 C = 8·log2 2", "n·log2 C = 64·log2 2"])).toBe("n·log2 C");
    expect(methodSummary(["generalization gap, 2n·gap² nats, gap = 0.3", "Fano, n·[…] with ε = 0.1", "generalization gap, 2n·gap² nats, gap = 0.1"])).toBe("generalization gap (2 runs) | Fano (1 runs)");
  });
});
