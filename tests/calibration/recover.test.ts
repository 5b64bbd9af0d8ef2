// Calibration closes the loop: on a simulated device with known parameters, the procedures and the fit
// recover those parameters, and the fitted twin reproduces the original's pulse response.
import { beforeAll, describe, expect, it } from "vitest";
import { SimulatedCrossbar } from "../../sim/crossbar/simulated-crossbar.js";
import { runCalibration } from "../../calibration/run.js";
import { twinFromCalibration } from "../../calibration/twin.js";
import { pulseResponse } from "../../calibration/procedures/pulse-response.js";
import { spreadCells } from "../../calibration/cells.js";
import type { CalibrationFile } from "../../calibration/file.js";
import { KNOWN_DEVICE } from "./known-device.js";

const rel = (got: number, want: number) => Math.abs(got / want - 1);

describe("calibration on a device with known parameters", () => {
  let cal: CalibrationFile;
  beforeAll(async () => {
    const device = new SimulatedCrossbar({ rows: 16, cols: 16, seed: 3, device: KNOWN_DEVICE });
    cal = await runCalibration(device, { procedure: "full", cells: 128, pulsesPerSweep: 600, readsPerPoint: 1, noiseRepeats: 32 });
  });

  it("recovers Gmin and Gmax within 2 %", () => {
    const p = cal.fit!.params;
    expect(p.model).toBe("softBounds");
    expect(rel(p.gMinSiemens, KNOWN_DEVICE.gMinSiemens)).toBeLessThan(0.02);
    expect(rel(p.gMaxSiemens, KNOWN_DEVICE.gMaxSiemens)).toBeLessThan(0.02);
  });

  it("recovers the step within 10 %", () => {
    expect(rel(cal.fit!.params.stepSiemens, KNOWN_DEVICE.stepSiemens)).toBeLessThan(0.1);
  });

  it("recovers read noise and cycle-to-cycle write noise within 20 %", () => {
    const p = cal.fit!.params;
    expect(rel(p.readNoise, KNOWN_DEVICE.readNoise)).toBeLessThan(0.2);
    expect(rel(p.writeNoiseC2c, KNOWN_DEVICE.writeNoiseC2c)).toBeLessThan(0.2);
    expect(rel(p.stepSpreadD2d, KNOWN_DEVICE.stepSpreadD2d)).toBeLessThan(0.2);
  });

  it("finds the switching thresholds", () => {
    const p = cal.fit!.params;
    expect(Math.abs(p.thresholdVoltsPositive - KNOWN_DEVICE.thresholdVoltsPositive)).toBeLessThan(0.05);
    expect(Math.abs(p.thresholdVoltsNegative - KNOWN_DEVICE.thresholdVoltsNegative)).toBeLessThan(0.05);
  });

  it("the twin reproduces the original's pulse-response curves within the original's cycle-to-cycle noise", async () => {
    const shape = { rows: 16, cols: 16 };
    const original = new SimulatedCrossbar({ ...shape, seed: 11, device: KNOWN_DEVICE });
    const twin = twinFromCalibration(cal, "in-memory", { ...shape, seed: 11 });
    expect((await twin.identify()).backend).toBe("twin");
    const cells = spreadCells(16, 16, 64);
    const opts = { cells, voltsPositive: cal.fit!.params.nominalVoltsPositive, voltsNegative: cal.fit!.params.nominalVoltsNegative, widthSeconds: cal.fit!.params.nominalPulseWidthSeconds, pulsesPerSweep: 300, readsPerPoint: 1 };
    const a = await pulseResponse(original, opts);
    const b = await pulseResponse(twin, opts);
    const meanCurve = (r: typeof a) => r.polarity.map((_, k) => r.curves.reduce((s, c) => s + c.siemens[k + 1]!, 0) / r.curves.length);
    const ma = meanCurve(a), mb = meanCurve(b);
    // Each sweep runs until its cells settle, so the two responses' sweeps may differ in length: compared sweep by
    // sweep from each one's first pulse, over the pulses both applied.
    const sweepStarts = (polarity: number[]) => polarity.flatMap((p, k) => (k === 0 || p !== polarity[k - 1] ? [k] : []));
    const sa = sweepStarts(a.polarity), sb = sweepStarts(b.polarity);
    expect(sb).toHaveLength(sa.length);
    // The c2c band after k pulses of a random walk: step·σ_c2c·√k, at most over the whole sequence.
    const band = KNOWN_DEVICE.stepSiemens * KNOWN_DEVICE.writeNoiseC2c * Math.sqrt(a.polarity.length);
    let worst = 0;
    sa.forEach((startA, i) => {
      const length = Math.min((sa[i + 1] ?? ma.length) - startA, (sb[i + 1] ?? mb.length) - sb[i]!);
      for (let k = 0; k < length; k++) worst = Math.max(worst, Math.abs(ma[startA + k]! - mb[sb[i]! + k]!));
    });
    expect(worst).toBeLessThan(band);
    // And the curves are not trivially equal: they move over most of the range.
    expect(Math.max(...ma) - Math.min(...ma)).toBeGreaterThan(0.8 * (KNOWN_DEVICE.gMaxSiemens - KNOWN_DEVICE.gMinSiemens));
  });
});
