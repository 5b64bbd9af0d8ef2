// A simulated device with known parameters, for recovery tests: soft bounds, ~120 levels, modest noises.
// The bounds' device-to-device spread is kept small: the population mean of G_min over the measured
// cells cannot be known better than spread/√cells, and G_min is small against the range.
import type { DeviceParams } from "../../sim/devices/params.js";
import { PRESETS } from "../../sim/devices/presets.js";

export const KNOWN_DEVICE: DeviceParams = {
  ...PRESETS.reram!.device,
  model: "softBounds",
  gMinSiemens: 10e-6,
  gMaxSiemens: 80e-6,
  stepSiemens: 70e-6 / 120,
  upDownAsymmetry: 0.1,
  stepSpreadD2d: 0.1,
  boundsSpreadD2d: 0.01,
  writeNoiseC2c: 0.2,
  readNoise: 0.003,
  stuckAtMinProbability: 0,
  stuckAtMaxProbability: 0,
  gammaUp: 0,
  gammaDown: 0,
};
