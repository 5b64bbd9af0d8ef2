// A pulse response cut short (Ctrl-C during `mhil calibrate`) is fitted as far as it goes: an open last sweep
// gives no bound (it never reached one), a family whose bounds are no device is left out of the choice, and a
// response stopped before its first potentiating pulse is refused in one line saying what to measure.
import { beforeAll, describe, expect, it } from "vitest";
import { SimulatedCrossbar } from "../../sim/crossbar/simulated-crossbar.js";
import { pulseResponse, type PulseResponseOptions, type PulseResponseResult } from "../../calibration/procedures/pulse-response.js";
import { spreadCells } from "../../calibration/cells.js";
import { fitDevice, type FitInput } from "../../calibration/fit.js";
import { FitError } from "../../calibration/fit-threshold.js";
import { PRESETS } from "../../sim/devices/presets.js";
import type { DeviceIdentity } from "../../src/hal/crossbar.js";

const shape = { rows: 16, cols: 16 };
const device = () => new SimulatedCrossbar({ ...shape, seed: 3, device: PRESETS.reram!.device });
// The pulse and sweep length `mhil calibrate` takes on reram: 75 % of its 1.6 V program limits, ten times its
// shortest width, sweeps of at least 2,000 groups.
const options: PulseResponseOptions = { cells: spreadCells(16, 16, 8), voltsPositive: 1.2, voltsNegative: 1.2, widthSeconds: 1e-7, pulsesPerSweep: 2000, readsPerPoint: 1 };

/** The first `groups` pulse groups of a response, as a stop after them would have left it. */
function cutAfter(r: PulseResponseResult, groups: number): PulseResponseResult {
  return { ...r, polarity: r.polarity.slice(0, groups), curves: r.curves.map((c) => ({ ...c, siemens: c.siemens.slice(0, groups + 1) })), settled: false };
}

describe("fitting a pulse response cut short (reram preset, 8 cells)", () => {
  let identity: DeviceIdentity;
  let full: PulseResponseResult;
  let starts: number[];
  const fit = (pulse: PulseResponseResult) => fitDevice({ identity, pulse } as FitInput);
  beforeAll(async () => {
    const xbar = device();
    identity = await xbar.identify();
    full = await pulseResponse(xbar, options);
    starts = full.polarity.flatMap((p, k) => (k === 0 || p !== full.polarity[k - 1] ? [k] : []));
  });

  it("the whole response settles in three sweeps, floor, up and down, and fits as exp step", () => {
    expect(full.settled).toBe(true);
    expect(starts.map((k) => full.polarity[k])).toEqual([-1, 1, -1]);
    expect(fit(full).params.model).toBe("expStep");
  });

  it("cut short in its last sweep: the bounds are the whole response's (within 1 %), taken from the two sweeps that settled", () => {
    const whole = fit(full).params;
    const cut = fit(cutAfter(full, starts[2]! + 100));
    expect(cut.params.model).toBe("expStep");
    expect(Math.abs(cut.params.gMinSiemens / whole.gMinSiemens - 1)).toBeLessThan(0.01);
    expect(Math.abs(cut.params.gMaxSiemens / whole.gMaxSiemens - 1)).toBeLessThan(0.01);
    expect(cut.residuals.notes).toContain("pulse response: its last sweep ended before the floor (100 pulse groups: cut short, or at its most pulses); the bounds come from the two sweeps that settled");
  });

  it("cut short in its up sweep: fitted, with G_max the highest level read (below the ceiling) and a note saying so", () => {
    const whole = fit(full).params;
    const cut = fit(cutAfter(full, starts[1]! + 150));
    expect(cut.params.gMinSiemens).toBeGreaterThan(0);
    expect(Math.abs(cut.params.gMinSiemens / whole.gMinSiemens - 1)).toBeLessThan(0.01);
    expect(cut.params.gMaxSiemens).toBeGreaterThan(cut.params.gMinSiemens);
    expect(cut.params.gMaxSiemens).toBeLessThan(whole.gMaxSiemens);
    const note = cut.residuals.notes.find((n) => n.startsWith("pulse response: its up sweep ended before the ceiling (150 pulse groups"));
    expect(note).toMatch(/measure it again into the same file with --procedure pulse/);
    // Soft bounds extrapolate G_min from the down steps' line, below 0 on an exp-step device: left out, and said.
    expect(cut.residuals.chosenBecause).toMatch(/left out: softBounds, its G_min -[\d.]+e-\d+ S is below 0/);
  });

  it("stopped before its first potentiating pulse: refused with what to measure", () => {
    expect(() => fit(cutAfter(full, starts[1]! - 10))).toThrow(FitError);
    expect(() => fit(cutAfter(full, starts[1]! - 10))).toThrow(
      `pulse response: it ended after ${starts[1]! - 10} pulse groups toward the floor, before any potentiating pulse, so there is no step law to fit; measure it again into the same file with --procedure pulse`,
    );
  });

  it("a stop signalled during the up sweep leaves the response marked open, and it fits", async () => {
    const stop = new AbortController();
    const upFrom = starts[1]!;
    // The same seed replays the same response; the stop is asked for once the progress report is in the up sweep.
    const r = await pulseResponse(device(), { ...options, signal: stop.signal }, (done) => {
      if (done >= upFrom + 64) stop.abort();
    });
    expect(r.settled).toBe(false);
    expect(r.polarity.at(-1)).toBe(1);
    expect(r.polarity.length).toBeGreaterThanOrEqual(upFrom + 64);
    expect(r.polarity.length).toBeLessThan(starts[2]!);
    expect(fit(r).params.gMaxSiemens).toBeGreaterThan(fit(r).params.gMinSiemens);
  });
});
