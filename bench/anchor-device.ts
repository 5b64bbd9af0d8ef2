// The device every simulator benchmark and its numpy anchor model alike, and that anchor's script.
import type { DeviceParams } from "../sim/devices/params.js";
import { PRESETS } from "../sim/devices/presets.js";

/** The numpy anchor of the device and product benchmarks (in MHIL_ANCHORS_DIR, bench/anchor.ts). */
export const DEVICE_ANCHOR = "device_update_numpy.py";

/** The anchor's device: soft bounds 1–100 µS, step 1.35e-3 of the range, d2d 0.2 on the step, c2c 0.05, no wear-out (the anchor models none). */
export const ANCHOR_DEVICE: DeviceParams = {
  ...PRESETS.ideal!.device,
  model: "softBounds",
  gMinSiemens: 1e-6,
  gMaxSiemens: 1e-4,
  stepSiemens: 1.35e-3 * (1e-4 - 1e-6),
  stepSpreadD2d: 0.2,
  writeNoiseC2c: 0.05,
  readNoise: 0.01,
  endurancePulses: Infinity,
};
