// The threshold fit's known answers: a ladder whose steps follow the simulator's switching law exactly, with the
// first rung above the threshold too weak to stand out of the noise (as reram's does: −0.932 V for −0.9 V).
import { describe, expect, it } from "vitest";
import { fitThreshold } from "../../calibration/fit-threshold.js";
import type { ThresholdPoint } from "../../calibration/procedures/threshold.js";

/** 24 rungs from 20 % to 100 % of 1.6 V; step = nominal · ((|V| − vth)/(vNom − vth))^α above vth, 0 below. */
function ladder(vth: number, alpha: number, nominalSiemens: number, stdErrSiemens: number): ThresholdPoint[] {
  return Array.from({ length: 24 }, (_, k) => {
    const volts = 1.6 * (0.2 + (0.8 * k) / 23);
    const step = volts > vth ? nominalSiemens * ((volts - vth) / (1.2 - vth)) ** alpha : 0;
    return { volts, meanStepSiemens: step, stepStdErrSiemens: stdErrSiemens };
  });
}

describe("fitThreshold", () => {
  it("finds a threshold below the highest quiet rung, and the exponent with it", () => {
    const points = ladder(0.9, 1, 67e-9, 3e-9);
    // The rung at 0.932 V moves 7.1 nS, under four standard errors (12 nS): quiet. The next one stands out.
    const quiet = points.find((p) => Math.abs(p.volts - 0.932) < 0.001)!;
    expect(Math.abs(quiet.meanStepSiemens)).toBeLessThan(4 * quiet.stepStdErrSiemens);
    const fit = fitThreshold(points);
    expect(fit.thresholdVolts).toBeGreaterThan(0.89);
    expect(fit.thresholdVolts).toBeLessThan(0.91);
    expect(fit.amplitudeExponent).toBeGreaterThan(0.98);
    expect(fit.amplitudeExponent).toBeLessThan(1.02);
  });

  it("recovers a steeper law the same way (prezioso's exponent 2)", () => {
    const fit = fitThreshold(ladder(0.8, 2, 100e-9, 2e-9));
    expect(Math.abs(fit.thresholdVolts - 0.8)).toBeLessThan(0.01);
    expect(Math.abs(fit.amplitudeExponent - 2)).toBeLessThan(0.04);
  });

  it("does not go more than two rungs below the highest quiet amplitude, where a steep law from a low threshold would also hide the quiet rungs", () => {
    // Steps of a steep law from 0.5 V, the rungs up to 0.932 V too noisy to say anything (they hide any prediction):
    // unbounded, the search would follow the strong rungs down to 0.5 V; it stops two rungs (0.0557 V each) under 0.932.
    const points = ladder(0.5, 2.5, 67e-9, 3e-9).map((p) => (p.volts < 0.95 ? { ...p, meanStepSiemens: 0, stepStdErrSiemens: 1e-3 } : p));
    const fit = fitThreshold(points);
    expect(fit.thresholdVolts).toBeGreaterThanOrEqual(0.932 - 2 * 0.0557 - 1e-9);
    expect(fit.thresholdVolts).toBeLessThan(0.932 - 2 * 0.0557 + 0.01);
  });
});
