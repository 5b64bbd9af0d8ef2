// Bits stored by an associative memory: P·N·(1 − h2(ε)) with Clopper–Pearson limits on ε, checked against
// values computed independently here.
import { describe, expect, it } from "vitest";
import { clopperPearsonLower, clopperPearsonUpper } from "../../src/info/binomial.js";
import { h2 } from "../../src/info/entropy.js";
import { bscCapacityBits, log2Binomial, recallBits } from "../../src/info/recall-bits.js";

describe("recall bits", () => {
  it("no errors: the estimate and the upper end are P·N; the lower end is at ε = 1 − 0.025^(1/PN)", () => {
    const b = recallBits({ patterns: 10, units: 200, bitErrors: 0, cueFlips: 20 });
    expect(b.estimate).toBe(2000);
    expect(b.upper).toBe(2000);
    const epsU = 1 - Math.pow(0.025, 1 / 2000); // exact Clopper–Pearson limit at k = 0, one-sided 97.5%
    expect(b.epsilonUpper).toBeCloseTo(epsU, 12);
    expect(b.lower).toBeCloseTo(2000 * (1 - h2(epsU)), 9);
    // The bracket is narrower than ×1.05 here: a recall test pins I almost exactly.
    expect(b.upper / b.lower).toBeLessThan(1.05);
  });

  it("k errors: the ends follow ε's two-sided limits; half the units wrong stores nothing", () => {
    const b = recallBits({ patterns: 50, units: 200, bitErrors: 3000, cueFlips: 20 });
    expect(b.epsilon).toBe(0.3);
    expect(b.estimate).toBeCloseTo(10000 * (1 - h2(0.3)), 9);
    expect(b.epsilonUpper).toBeCloseTo(clopperPearsonUpper(3000, 10000, 0.975), 12);
    expect(b.epsilonLower).toBeCloseTo(clopperPearsonLower(3000, 10000, 0.975), 12);
    expect(b.lower).toBeLessThan(b.estimate);
    expect(b.upper).toBeGreaterThan(b.estimate);
    expect(bscCapacityBits(0.5)).toBe(0);
    expect(bscCapacityBits(0.7)).toBe(0); // worse than chance is clamped, not mirrored
    expect(recallBits({ patterns: 1, units: 100, bitErrors: 60, cueFlips: 10 }).estimate).toBe(0);
  });

  it("beyond the cue: P·(log2 C(N, fN) − N·h2(ε_upper)), never below 0", () => {
    expect(log2Binomial(10, 3)).toBeCloseTo(Math.log2(120), 12);
    expect(log2Binomial(200, 0)).toBe(0);
    const b = recallBits({ patterns: 10, units: 200, bitErrors: 0, cueFlips: 20 });
    expect(b.weightsLower).toBeCloseTo(10 * (log2Binomial(200, 20) - 200 * h2(b.epsilonUpper)), 9);
    // A recall no better than the cue holds nothing provably beyond it.
    expect(recallBits({ patterns: 10, units: 200, bitErrors: 200, cueFlips: 20 }).weightsLower).toBe(0);
  });
});
