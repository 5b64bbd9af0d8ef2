// Verdicts per protocol, side by side: a sweep where one protocol spends E_learn in proportion to I and
// the other in proportion to its updates gets "supports" for the first and "refutes" for the second.
import { describe, expect, it } from "vitest";
import { verdictsByProtocol } from "../../src/experiment/per-protocol.js";
import { syntheticSweep } from "./synthetic.js";

const opts = { bootstrapResamples: 400, seed: 3 };

describe("verdicts by protocol", () => {
  it("E_learn = c·I under one protocol and ∝ updates under the other: supports and refutes, each from its own runs", () => {
    const points = syntheticSweep({
      energy: (r, rng) => (r.protocol === "pulse1" ? 1e-15 * r.bits : 1e-13 * r.updates) * Math.exp(0.1 * rng.normal()),
    });
    const rows = verdictsByProtocol(points, opts);
    expect(rows.map((r) => r.protocol)).toEqual(["pulse1", "wide"]);
    expect(rows.map((r) => r.verdict)).toEqual(["supports", "refutes"]);
    for (const r of rows) expect(r.runs).toBe(points.filter((p) => p.protocol === r.protocol).length);
    const [proportional, perUpdate] = rows;
    expect(proportional!.beta.estimate!.ci95[0]).toBeGreaterThan(0.9);
    expect(proportional!.beta.estimate!.ci95[1]).toBeLessThan(1.1);
    // E = 1e-15 J per bit: the Landauer multiple is 1e-15 / (k_B·300 K·ln 2) ≈ 3.48e5 up to the noise.
    expect(proportional!.landauerLearningEstimate!.estimate / 3.48e5).toBeGreaterThan(0.9);
    expect(proportional!.landauerLearningEstimate!.estimate / 3.48e5).toBeLessThan(1.1);
    expect(perUpdate!.reasons[0]).toMatch(/control/);
  });

  it("a single-protocol sweep has no per-protocol rows", () => {
    const points = syntheticSweep({ energy: (r) => 1e-15 * r.bits + 1e-18, protocols: [{ name: "only", devicesPerClass: 8, pathPerUpdate: 0.01 }] });
    expect(verdictsByProtocol(points, opts)).toEqual([]);
  });
});
