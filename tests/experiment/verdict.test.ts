// Known-answer verdicts on synthetic sweeps shaped like the pipeline's output (see synthetic.ts): the upper
// end n·log2 C for every label mode, the control at [0, 0], teacher lower ends at 0, a fixed overhead.
import { describe, expect, it } from "vitest";
import { analyzeSweep } from "../../src/experiment/analysis.js";
import { syntheticSweep } from "./synthetic.js";

const opts = { bootstrapResamples: 400, seed: 3 };
const CI = String.raw`\[95% CI ×[\d.]+, ×[\d.]+\]`;

describe("the verdict on E ∝ I, on sweeps with a known law", () => {
  it("E_learn = c·I with small noise: supports; β inside [0.9, 1.1] on the estimate and the lower end; the label-blind upper end is named and left out", () => {
    const a = analyzeSweep(syntheticSweep({ energy: (r, rng) => 1e-15 * r.bits * Math.exp(0.1 * rng.normal()) }), opts);
    expect(a.verdict).toBe("supports");
    for (const end of ["estimate", "lower"] as const) {
      expect(a.ends[end]!.beta.lower).toBeGreaterThan(0.9);
      expect(a.ends[end]!.beta.upper).toBeLessThan(1.1);
    }
    expect(a.ends.upper!.labelBlindness).toEqual({ blind: true, matchesCompared: 60, matchesDiffering: 0 });
    expect(a.ends.estimate!.vif).toBeLessThan(10);
    const text = a.reasons.join("\n");
    expect(text).toMatch(/estimate end \(estimate\): β = 1(\.\d+)?, 95% CI \[[\d.]+, [\d.]+\] \(width 0\.0\d+\) over 120 cells, 1200 runs sits inside \[0\.9, 1\.1\]/);
    expect(text).toMatch(/estimate end: log I keeps its power after update count, weight-path length Σ‖Δθ‖₁, N·n \(partial R² 0\.9\d+ ≥ 0\.5; VIF [\d.]+ < 10\)/);
    expect(text).toMatch(/upper end \(label_entropy\) is label-blind: at each of the 60 matches/);
    // The control's cost is reported with the numbers: E_learn(control) is 0 here, so the ratio is unbounded.
    expect(text).toMatch(/labels random vs control .*E_learn\(control\) at 0 while E_learn\(random\) is not \(ratio unbounded\) in 60 cell\(s\).*E_learn\(random\) − E_learn\(control\) = [\d.]+e-13 J/);
    expect(a.counts.estimate).toMatchObject({ runs: 1800, used: 1200, zeroI: 600, zeroIByLabels: { control: 600 } });
    expect(a.counts.lower).toMatchObject({ used: 600, zeroI: 1200, zeroIByLabels: { control: 600, teacher: 600 } });
  });

  it("E_learn ∝ update count, whatever the labels: refutes by the control contrast, with the numbers", () => {
    const a = analyzeSweep(syntheticSweep({ energy: (r, rng) => 1e-13 * r.updates * Math.exp(0.1 * rng.normal()) }), opts);
    expect(a.verdict).toBe("refutes");
    expect(a.reasons[0]).toMatch(
      new RegExp(
        String.raw`^matched contrast labels random vs control \(same n, C, protocol and budget; 60 matched cells, 600 vs 600 runs\): I moves at least ×2 on confidence limits on every defined end \(lower, estimate, upper; ` +
          String.raw`lower: I\(control\) at 0 while I\(random\) is not \(ratio unbounded\) in 60 cell\(s\); estimate: I\(control\) at 0 .*\) while E_learn\(random\)/E_learn\(control\): ×(0\.99\d*|1(\.0\d*)?) ${CI} over 60 cell\(s\) stays inside ×\[0\.909, 1\.1\]: E_learn does not follow I`,
      ),
    );
    const text = a.reasons.join("\n");
    expect(text).toMatch(/matched contrast labels teacher vs control .*every defined end \(estimate, upper; lower: 0 on both sides in 60 cell\(s\)/);
    expect(text).toMatch(new RegExp(String.raw`matched contrast budget epochs=2 vs epochs=8 .*E_learn\(epochs=2\)/E_learn\(epochs=8\): ×0\.2[45]\d* ${CI} over 90 cell\(s\), at least ×2 .*the budget moves E_learn at fixed I`));
    expect(text).toMatch(/the competitors \(update count, weight-path length Σ‖Δθ‖₁, N·n\) explain log E_learn and log I adds nothing after them/);
    expect(text).not.toMatch(/protocol pulse1 vs wide.*moves E_learn at fixed I/);
  });

  it("constant E_learn: refutes by the control contrast and by β below [0.9, 1.1]", () => {
    const a = analyzeSweep(syntheticSweep({ energy: (_r, rng) => 1e-12 * Math.exp(0.1 * rng.normal()) }), opts);
    expect(a.verdict).toBe("refutes");
    expect(a.reasons[0]).toMatch(/^matched contrast labels random vs control .*E_learn does not follow I/);
    expect(a.reasons.join("\n")).toMatch(/β's CI lies wholly below 0\.9 on every judged end \(estimate end \(estimate\): β = -?[\d.e-]+/);
  });

  it("E_learn ∝ √I: refutes, β's CI lies wholly below 0.9 on every judged end", () => {
    const a = analyzeSweep(syntheticSweep({ energy: (r, rng) => 1e-15 * Math.sqrt(r.bits) * Math.exp(0.1 * rng.normal()) }), opts);
    expect(a.verdict).toBe("refutes");
    expect(a.reasons[0]).toMatch(/^β's CI lies wholly below 0\.9 on every judged end \(estimate end \(estimate\): β = 0\.[45]\d*.*lower end \(fano\): β = 0\.[45]\d*/);
    expect(a.reasons[0]).toMatch(/E_learn grows more slowly than in proportion to I$/);
  });

  it("E_learn keeps rising along n after the estimate and the lower end of I saturate: refutes by the saturation rule", () => {
    // I capped (estimate 20 bits, lower 15) from n = 64 on, while E_learn ∝ n for the labelled runs (0 for the control).
    const points = syntheticSweep({ ns: [16, 64, 256], energy: (r) => (r.bits > 0 ? 1e-15 * r.n : 0) }).map((p) => ({
      ...p,
      bits: { lower: Math.min(p.bits.lower, 15), estimate: Math.min(p.bits.estimate, 20), upper: p.bits.upper },
    }));
    const a = analyzeSweep(points, opts);
    expect(a.verdict).toBe("refutes");
    const reason = a.reasons.find((r) => r.startsWith("E_learn keeps rising after I saturates"))!;
    expect(reason).toMatch(/on \d+ of 72 steps along n/);
    expect(reason).toMatch(/labels=random\|protocol=\w+\|epochs=\d, n 64→256: estimate of I ×1 \[95% CI ×1, ×1\] over 1 cell\(s\), lower end ×1 .*E_learn ×4 \[95% CI ×4, ×4\]/);
  });

  it("a small noisy sweep (2 seeds, noise ×2 in E_learn and in the estimate): inconclusive, and the reason gives β's CI width against the 0.2 of [0.9, 1.1]", () => {
    const points = syntheticSweep({
      ns: [16, 64, 256],
      classes: [2, 4],
      protocols: [{ name: "p", devicesPerClass: 8, pathPerUpdate: 0.01 }],
      budgets: [4],
      seeds: 2,
      estimateNoise: 0.7,
      energy: (r, rng) => 1e-15 * r.bits * Math.exp(0.7 * rng.normal()),
    });
    const a = analyzeSweep(points, opts);
    expect(a.verdict).toBe("inconclusive");
    expect(a.reasons[0]).toMatch(/^estimate end \(estimate\): β = [\d.]+, 95% CI \[[\d.]+, [\d.]+\] \(width 0\.[3-9]\d*\) over 12 cells, 24 runs is wider than the 0\.2 of \[0\.9, 1\.1\]/);
  });

  it("only random labels (I ∝ n·log2 C, N·n too): the VIF names the collinearity and the verdict stays inconclusive", () => {
    const points = syntheticSweep({
      labels: ["random"],
      protocols: [{ name: "p", devicesPerClass: 8, pathPerUpdate: 0.01 }],
      budgets: [4],
      bitsNoise: 0.01,
      energy: (r, rng) => 1e-15 * r.bits * Math.exp(0.02 * rng.normal()),
    });
    const a = analyzeSweep(points, opts);
    expect(a.verdict).toBe("inconclusive");
    expect(a.ends.estimate!.vif).toBeGreaterThan(10);
    expect(a.reasons.join("\n")).toMatch(/estimate end: the VIF of log I against update count, weight-path length Σ‖Δθ‖₁, N·n is [\d.e+]+ \(≥ 10\): log I moves with them/);
  });

  it("E_learn = 0 in every run (ideal weights spend no device energy): inconclusive, and the reason counts those runs", () => {
    const a = analyzeSweep(syntheticSweep({ energy: () => 0, ns: [16, 64], seeds: 3 }), opts);
    expect(a.verdict).toBe("inconclusive");
    expect(a.reasons[0]).toBe(
      "estimate end: 0 of 216 runs have I > 0 and E_learn > 0, in 0 cell(s); 72 at I = 0 (control 72); 144 with I > 0 but E_learn ≤ 0; the fit rules need at least 10 runs in 3 cells; support needs the estimate end",
    );
  });
});
