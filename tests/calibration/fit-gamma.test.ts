// The exp-step law's γ is found wherever the device has it: agsi's depression (γ = 4.88, Jo et al. 2010 via
// NeuroSim) lay past the end of a grid that stopped at 4, which fitted it 4.0 and made up the difference with an
// up/down asymmetry of 0.16 for the 0.10 the preset gives at the calibration's pulses.
import { expect, it } from "vitest";
import { SimulatedCrossbar } from "../../sim/crossbar/simulated-crossbar.js";
import { presetNamed } from "../../sim/devices/presets.js";
import { DEFAULT_PLAN, runCalibration } from "../../calibration/run.js";

it("the calibration of sim:agsi?seed=3 fits its exp-step γ up (2.4) and down (4.88)", async () => {
  const preset = presetNamed("agsi");
  const device = new SimulatedCrossbar({ rows: 64, cols: 64, seed: 3, device: preset.device, peripherals: preset.peripherals, array: preset.array });
  const cal = await runCalibration(device, DEFAULT_PLAN);
  const p = cal.fit!.params;
  expect(p.model).toBe("expStep");
  // The grid's step is 0.05; the tolerance is a few of them.
  expect(Math.abs(p.gammaUp - 2.4)).toBeLessThanOrEqual(0.2);
  expect(Math.abs(p.gammaDown - 4.88)).toBeLessThanOrEqual(0.2);
}, 300_000);
