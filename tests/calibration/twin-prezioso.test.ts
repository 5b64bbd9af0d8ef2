// Issue 19 on one preset: the twin fitted to sim:prezioso?seed=3 against its device (its own file, so the suite's two
// workers can run it beside the other twin tests).
import { expect, it } from "vitest";
import { calibrateAndTrain, expectTwinTrainsLikeDevice, resetBursts } from "./twin-runs.js";

// prezioso's E_learn is mostly refresh: bursts of hard RESET pulses, as many as the slowest of the used devices
// needed to reach its floor. That is set by the far tail of the step spread and by the RESET pulse's strength
// (1.3 V, 10 ms, extrapolated from the calibration's 0.975 V, 1 ms by the amplitude exponent): from 16 cells the
// spread came out 0.318 and the exponent 1.87, the twin took 12 bursts to the device's 8 and spent 25 % more.
// Measured now on `mhil train`'s default (49-10, 4,000 digits, 4,000 test), the twin taking the survey's cells as
// they are: 8 bursts each; per seed (1, 2, 3) test accuracy 0.7562 / 0.7468, 0.7555 / 0.7548, 0.7610 / 0.7490
// (device / twin: −0.9, −0.1, −1.2 points) and E_learn −0.6, +0.1, +0.2 %: issue 19's criterion is 2 points and 10 %
// (seed 12, not run here, is −2.5: docs/design.md).
it("the twin fitted to sim:prezioso?seed=3 has its population and RESET strength and trains like it", () => {
  const { fitted, runs } = calibrateAndTrain("prezioso", [1, 2, 3]);
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
}, 600_000);
