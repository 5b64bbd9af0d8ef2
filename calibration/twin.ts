// The digital twin: the simulator run with a calibration file's fitted device parameters.
// twin:FILE[?rows=&cols=&seed=] — the shape defaults to the calibrated device's.
import type { Crossbar } from "../src/hal/crossbar.js";
import { DeviceUriError, intParam, type DeviceUri } from "../src/hal/uri.js";
import { SimulatedCrossbar } from "../sim/crossbar/simulated-crossbar.js";
import { CalibrationFileError, loadCalibration, type CalibrationFile } from "./file.js";
import { pulsedUp } from "./procedures/pulse-response.js";

export function twinFromCalibration(cal: CalibrationFile, file: string, shape: { rows?: number; cols?: number; seed?: number } = {}): SimulatedCrossbar {
  if (!cal.fit) throw new CalibrationFileError(file, unfittedNextStep(cal, file));
  const rows = shape.rows ?? cal.device.rows;
  const cols = shape.cols ?? cal.device.cols;
  const sameShape = rows === cal.device.rows && cols === cal.device.cols;
  return new SimulatedCrossbar({
    rows,
    cols,
    seed: shape.seed ?? 0,
    device: { ...cal.fit.params },
    // The measured periphery and array (a file without them gets the simulator's defaults), the identity's converters.
    peripherals: { ...cal.fit.peripherals, dacBits: cal.device.limits.dacBits, adcBits: cal.device.limits.adcBits, maxPulseCount: cal.device.limits.maxPulseCount },
    ...(cal.fit.array ? { array: cal.fit.array } : {}),
    // The surveyed array's own stuck cells, bounds and steps, at their addresses, when the twin has its shape.
    ...(cal.fit.stuckCells && sameShape ? { stuckCells: cal.fit.stuckCells.map((c) => ({ index: c.row * cols + c.col, bound: c.bound })) } : {}),
    ...(cal.fit.surveyedCells && sameShape ? { surveyedCells: cal.fit.surveyedCells } : {}),
    backend: "twin",
    model: `twin:${cal.device.model}`,
    serial: `twin-${cal.device.serial}`,
  });
}

export async function openTwin(uri: DeviceUri): Promise<Crossbar> {
  if (uri.target === "") throw new DeviceUriError(uri.text, "twin: needs a calibration file, e.g. twin:calibration/example-reram.json");
  for (const k of Object.keys(uri.params)) {
    if (!["rows", "cols", "seed"].includes(k)) throw new DeviceUriError(uri.text, `unknown parameter "${k}" (twin: takes rows, cols, seed)`);
  }
  const cal = loadCalibration(uri.target);
  return twinFromCalibration(cal, uri.target, {
    ...(uri.params.rows !== undefined ? { rows: intParam(uri, "rows", cal.device.rows, 1) } : {}),
    ...(uri.params.cols !== undefined ? { cols: intParam(uri, "cols", cal.device.cols, 1) } : {}),
    seed: intParam(uri, "seed", 0, 0),
  });
}

/** What a file without a fit needs: a fit, or first the pulse response a fit is made from. */
function unfittedNextStep(cal: CalibrationFile, file: string): string {
  const pulse = cal.procedures.pulse;
  const measure = `mhil calibrate --device URI --procedure pulse --out ${file} (on ${cal.device.model}, serial ${cal.device.serial})`;
  if (!pulse) return `has no fit and no pulse response to fit it to; measure one: ${measure}`;
  if (!pulsedUp(pulse)) return `has no fit: its pulse response stopped before the first up pulse; measure it again: ${measure}`;
  return `has no fit yet; run: mhil calibrate fit ${file}`;
}
