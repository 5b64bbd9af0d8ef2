// Known answers of the update protocols (src/train/update-protocol.ts): stochastic pulses are unbiased
// with the pulse count their probability says; threshold writes nothing for updates that cancel and the
// whole sum, less than one step, for updates that agree; dense is today's pulse-count quantization.
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/random/rng.js";
import { pulsesFor, type UpdateRule } from "../../src/train/update-protocol.js";

const rule: UpdateRule = { noiseFloorWeight: 0, maxPulses: 4, roundToNearest: false };

describe("update protocols", () => {
  it("stochastic: mean applied change = ΔW and mean pulse count = |ΔW|/step, within 4 standard errors", () => {
    const rng = new Rng("stochastic-known-answer");
    const step = 0.01;
    for (const dW of [0.0007, -0.0031, 0.0093]) {
      const draws = 60_000;
      let applied = 0;
      let pulses = 0;
      for (let k = 0; k < draws; k++) {
        const d = pulsesFor("stochastic", dW, step, rule, rng);
        applied += d.appliedWeight;
        pulses += d.pulses;
        expect(d.pulses === 0 || d.pulses === 1).toBe(true);
      }
      const p = Math.abs(dW) / step;
      // Each draw is step·Bernoulli(p): standard error of the mean step·√(p(1−p)/draws).
      const se = step * Math.sqrt((p * (1 - p)) / draws);
      expect(Math.abs(applied / draws - dW)).toBeLessThan(4 * se);
      expect(Math.abs(pulses / draws - p)).toBeLessThan((4 * se) / step);
    }
  });

  it("stochastic: an update larger than a step is one pulse, never more", () => {
    const rng = new Rng(1);
    for (let k = 0; k < 100; k++) expect(pulsesFor("stochastic", 0.05, 0.01, rule, rng)).toEqual({ pulses: 1, appliedWeight: 0.01 });
  });

  it("threshold: updates that cancel write nothing; updates that agree write when the sum crosses the floor", () => {
    const rng = new Rng(2);
    const floor: UpdateRule = { noiseFloorWeight: 0.025, maxPulses: 4, roundToNearest: false };
    const step = 0.01;
    // Alternating ±0.004 for 1000 updates: the running sum never leaves [−0.004, 0.004].
    let pending = 0;
    let pulses = 0;
    for (let k = 0; k < 1000; k++) {
      const d = pulsesFor("threshold", pending + (k % 2 === 0 ? 0.004 : -0.004), step, floor, rng);
      pending += (k % 2 === 0 ? 0.004 : -0.004) - d.appliedWeight;
      pulses += d.pulses;
    }
    expect(pulses).toBe(0);
    // The same +0.004 ten times: written once the sum reaches 0.028 ≥ 0.025 (the 7th), as round(2.8) = 3 pulses.
    pending = 0;
    const written: number[] = [];
    for (let k = 1; k <= 10; k++) {
      const d = pulsesFor("threshold", pending + 0.004, step, floor, rng);
      pending += 0.004 - d.appliedWeight;
      if (d.pulses > 0) written.push(k, d.pulses);
    }
    expect(written).toEqual([7, 3]);
    expect(pending).toBeCloseTo(0.04 - 0.03, 12);
  });

  it("dense: round to nearest, or floor(x + u) with the generator's draw; clamped to maxPulses", () => {
    expect(pulsesFor("dense", -0.026, 0.01, { ...rule, roundToNearest: true }, new Rng(3))).toEqual({ pulses: 3, appliedWeight: -0.03 });
    expect(pulsesFor("dense", 0.5, 0.01, { ...rule, roundToNearest: true }, new Rng(3)).pulses).toBe(4);
    const a = new Rng(9);
    const b = new Rng(9);
    expect(pulsesFor("dense", 0.0123, 0.01, rule, a).pulses).toBe(Math.floor(1.23 + b.uniform()));
  });
});
