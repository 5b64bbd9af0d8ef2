// Issue 19 on one preset: the twin fitted to sim:prezioso?seed=3 against its device (its own file, so the suite's two
// workers can run it beside the other twin tests).
import { expect, it } from "vitest";
import { calibrateAndTrain, expectTwinTrainsLikeDevice, resetBursts } from "./twin-runs.js";

// prezioso's E_learn is mostly refresh: bursts of hard RESET pulses, as many as the slowest of the used devices
// needed to reach its floor. That is set by the far tail of the step spread and by the RESET pulse's strength
// (1.3 V, 10 ms, extrapolated from the calibration's 0.975 V, 1 ms by the amplitude exponent): from 16 cells the
// spread came out 0.318 and the exponent 1.87, the twin took 12 bursts to the device's 8 and spent 25 % more.
// Measured now: 8 bursts each; E_learn +6.1, −3.4, −0.3 %; mean test accuracy 0.714 vs 0.707.
// Issue 19's per-seed criterion (test accuracy within 2 points, E_learn within 10 %) holds where training converges:
// the single-layer 49-10 network on 6,000 digits, tested on 4,000 (measured Δ +0.2, −0.6, −1.5 points; on the
// default 49-16-10 a run's accuracy is a draw, ±1.7 points between seeds, and per seed the twin differs by up to 3.8).
it("the twin fitted to sim:prezioso?seed=3 has its population and RESET strength and trains like it", () => {
  const { file, fitted, runs, train } = calibrateAndTrain("prezioso", [1, 2, 3]);
  const p = fitted.params;
  // The preset's population (sim/devices/presets.ts): step spread 0.30, asymmetry 0.15, bounds spread 0.05, amplitude
  // exponent 2. Tolerances are a few standard errors of the survey of 4,096 cells (±0.8 % on the spread).
  expect(p.stepSpreadD2d).toBeGreaterThan(0.285);
  expect(p.stepSpreadD2d).toBeLessThan(0.315);
  expect(p.upDownAsymmetry).toBeGreaterThan(0.135);
  expect(p.upDownAsymmetry).toBeLessThan(0.165);
  expect(p.boundsSpreadD2d).toBeGreaterThan(0.045);
  expect(p.boundsSpreadD2d).toBeLessThan(0.055);
  expect(p.amplitudeExponent).toBeGreaterThan(1.9);
  expect(p.amplitudeExponent).toBeLessThan(2.1);
  expect(resetBursts(runs[0]!.twin)).toBe(resetBursts(runs[0]!.device));
  expectTwinTrainsLikeDevice(runs);
  const converged = ["--layers", "none", "--samples", "6000", "--test-samples", "4000"];
  for (const seed of [1, 2, 3]) {
    const device = train("sim:prezioso?seed=3", seed, converged);
    const twin = train(`twin:${file}?seed=3`, seed, converged);
    expect(Math.abs(twin.accuracy.test - device.accuracy.test), `test accuracy, seed ${seed}`).toBeLessThanOrEqual(0.02);
    expect(Math.abs(twin.energy_joules.learning / device.energy_joules.learning - 1), `E_learn, seed ${seed}`).toBeLessThanOrEqual(0.1);
  }
}, 600_000);
