// Runs calibration procedures on any backend, inside its limits, into a calibration file.
import type { CellPulse, Crossbar, DeviceIdentity } from "../src/hal/crossbar.js";
import { UserError } from "../src/hal/user-error.js";
import { openDeviceStack, type DeviceStackOptions } from "../src/backends/device-stack.js";
import { spreadCells } from "./cells.js";
import { assertSameDevice, newCalibration, type CalibrationFile } from "./file.js";
import { FitError, fitDevice } from "./fit.js";
import { ivSweep } from "./procedures/iv.js";
import { readNoise } from "./procedures/noise.js";
import { pulseResponse } from "./procedures/pulse-response.js";
import { thresholdSearch } from "./procedures/threshold.js";
import { writeNoise } from "./procedures/write-noise.js";
import { measurePeriphery } from "./procedures/periphery.js";
import { SURVEY_CELLS, stepSurvey } from "./procedures/step-survey.js";
import { fitPeriphery } from "./fit-periphery.js";
import { noProgress, type ProgressFn } from "./progress.js";

export const PROCEDURES = ["iv", "pulse", "noise", "threshold", "write-noise", "spread", "periphery", "full"] as const;
export type ProcedureName = (typeof PROCEDURES)[number];

export interface CalibrationPlan {
  procedure: ProcedureName;
  /** Cells measured, spread over the array. */
  cells: number;
  /** Pulses per sweep of the pulse response (enough to reach both bounds). */
  pulsesPerSweep: number;
  /** Pulse amplitude each polarity (magnitudes); default 75 % of the program limits. */
  voltsPositive?: number;
  voltsNegative?: number;
  /** Pulse width; default 10× the minimum width. */
  widthSeconds?: number;
  readsPerPoint: number;
  /** Pulses between two reads of the pulse response (default 1). */
  pulsesPerPoint?: number;
  noiseRepeats: number;
  /** Fit the device model after a full procedure (default true); false leaves the fit to the caller. */
  fit?: boolean;
}

/** What a caller may ask of a running calibration besides its plan. */
export interface CalibrationHooks {
  progress?: ProgressFn;
  /** Called with the file as measured so far after each procedure, and once more when the run is cut short. */
  onMeasured?: (cal: CalibrationFile) => void;
  /** Aborting stops at the next safe point (after the pulse group or procedure in flight); the run then throws. */
  signal?: AbortSignal;
}

/** The calibration was stopped (a signal) after saving what it measured; the message says what and what next. */
export class CalibrationInterruptedError extends UserError {
  constructor(readonly measured: string[], message = `interrupted: measured ${measured.length > 0 ? measured.join(", ") : "nothing yet"}`) {
    super(message, 130);
  }
}

/**
 * Whether a run fits its file when done: a full calibration, or any measurement into a file that held a fit (a fit
 * kept beside data it was not made from would be reported as theirs; each measurement drops it).
 */
export const fitsWhenDone = (procedure: ProcedureName, before: CalibrationFile | undefined): boolean => procedure === "full" || before?.fit !== undefined;

/** A plan the device's limits refuse, found from identify() before the first read or pulse (exit 2). */
export class CalibrationPlanError extends UserError {}

export const DEFAULT_PLAN: CalibrationPlan = { procedure: "full", cells: 16, pulsesPerSweep: 2000, readsPerPoint: 1, noiseRepeats: 32 };

/**
 * Opens `source` (a device URI, or a backend the caller keeps) through the one device stack, so every pulse
 * is counted against the cells' wear and passes the safety guard, runs the plan and closes the stack.
 */
export async function calibrateDevice(source: string | Crossbar, stack: DeviceStackOptions, plan: CalibrationPlan, hooks: CalibrationHooks = {}, existing?: { file: string; cal: CalibrationFile }): Promise<CalibrationFile> {
  const device = await openDeviceStack(source, stack);
  try {
    return await runCalibration(device.crossbar, plan, hooks, existing);
  } catch (e) {
    await device.crossbar.reset().catch(() => undefined); // every line grounded, whoever closes the backend
    throw e;
  } finally {
    await device.close();
  }
}

/** Runs the plan; `existing` (with its file name) is extended when it was measured on the same device. */
export async function runCalibration(xbar: Crossbar, plan: CalibrationPlan, hooks: CalibrationHooks = {}, existing?: { file: string; cal: CalibrationFile }): Promise<CalibrationFile> {
  const progress = hooks.progress ?? noProgress;
  const id = await xbar.identify();
  if (existing) assertSameDevice(existing.file, existing.cal, id);
  const { vPos, vNeg } = checkPlan(plan, id);
  let { width } = checkPlan(plan, id);
  const fitWhenDone = fitsWhenDone(plan.procedure, existing?.cal);
  const cal = existing?.cal ?? newCalibration(id);
  const cells = spreadCells(id.rows, id.cols, plan.cells);
  const L = id.limits;
  const want = (p: ProcedureName) => plan.procedure === p || plan.procedure === "full";
  const measured: string[] = [];
  /** After each procedure: the file as measured so far goes to the caller; a pending stop ends the run here. */
  const measuredOne = (what: string) => {
    measured.push(what);
    // A fit made before this measurement does not describe the file any more: fitted again at the end, or by `calibrate fit`.
    delete cal.fit;
    hooks.onMeasured?.(cal);
    if (hooks.signal?.aborted) throw new CalibrationInterruptedError(measured);
  };
  if (hooks.signal?.aborted) throw new CalibrationInterruptedError(measured);

  if (want("noise")) {
    cal.procedures.noise = await readNoise(xbar, cells, plan.noiseRepeats, progress);
    measuredOne("read noise");
  }
  if (want("periphery")) {
    cal.procedures.periphery = await measurePeriphery(xbar, cells[0]!, vPos, width);
    measuredOne("periphery");
  }
  if (want("iv")) {
    cal.procedures.iv = await ivSweep(xbar, cells, 11, progress);
    measuredOne("I–V");
  }
  if (want("pulse")) {
    // A pulse too weak to cross the range within the sweep's budget (prezioso at 10 µs: ~26,000 pulses per time
    // constant) is made ten times longer, up to the device's longest, and the response measured again.
    let r: Awaited<ReturnType<typeof pulseResponse>>;
    for (;;) {
      r = await pulseResponse(xbar, { cells, voltsPositive: vPos, voltsNegative: vNeg, widthSeconds: width, pulsesPerSweep: plan.pulsesPerSweep, readsPerPoint: plan.readsPerPoint, pulsesPerPoint: plan.pulsesPerPoint ?? 1, ...(hooks.signal ? { signal: hooks.signal } : {}) }, progress);
      if (r.settled || plan.widthSeconds !== undefined || width * 10 > L.maxPulseWidthSeconds || hooks.signal?.aborted) break;
      width *= 10;
    }
    cal.procedures.pulse = { ...r, polarity: r.polarity as (1 | -1)[] };
    measuredOne(hooks.signal?.aborted ? `pulse response (${r.polarity.length} pulse groups, cut short)` : "pulse response");
  }
  if (want("threshold")) {
    // From the floor the last sweep left, climb to mid-range so both polarities can move.
    const pr = cal.procedures.pulse;
    if (pr && plan.procedure === "full") {
      const upStart = pr.polarity.indexOf(1);
      const upEnd = pr.polarity.indexOf(-1, upStart);
      const groups = (upEnd < 0 ? pr.polarity.length : upEnd) - upStart;
      const meanAt = (k: number) => pr.curves.reduce((s, c) => s + c.siemens[k]!, 0) / pr.curves.length;
      const lo = meanAt(upStart), hi = meanAt(upStart + groups);
      let g = 0;
      while (g < groups && meanAt(upStart + g) < (lo + hi) / 2) g++;
      const k = g * pr.pulsesPerPoint;
      const batch: CellPulse[] = cells.map((c) => ({ kind: "cell", row: c.row, col: c.col, volts: vPos, widthSeconds: width, count: 1 }));
      for (let j = 0; j < k; j += L.maxPulseCount) {
        const n = Math.min(L.maxPulseCount, k - j);
        await xbar.program(batch.map((p) => ({ ...p, count: n })));
      }
    }
    // Enough pulses per amplitude that the nominal pulse's change stands well above the read noise.
    let pulsesPerAmplitude = 20;
    const noise = cal.procedures.noise, pulseData = cal.procedures.pulse;
    if (noise && pulseData) {
      const pr = pulseData;
      const sigma = noise.readNoiseRelative * (noise.cells.reduce((s, c) => s + c.meanSiemens, 0) / noise.cells.length);
      const first = pr.polarity.indexOf(1);
      const perPulse = pr.curves.reduce((s, c) => s + Math.abs(c.siemens[first + 1]! - c.siemens[first]!), 0) / pr.curves.length / pr.pulsesPerPoint;
      // …but few enough that the strongest amplitude (a few nominal steps a pulse) stays inside the range: a ladder
      // that drives cells into a bound under-reads the large steps (taox crosses its range in ~16 pulses: 20 per
      // amplitude fitted an amplitude exponent of 0.4 for 1).
      const range = pr.curves.reduce((s, c) => s + c.siemens.reduce((m, v) => Math.max(m, v), -Infinity) - c.siemens.reduce((m, v) => Math.min(m, v), Infinity), 0) / pr.curves.length;
      const inRange = Math.max(1, Math.floor((0.05 * range) / perPulse));
      if (perPulse > 0) pulsesPerAmplitude = Math.ceil(Math.min(L.maxPulseCount, inRange, Math.max(20, (10 * sigma) / perPulse)));
    }
    const threshold = await thresholdSearch(xbar, { cells, widthSeconds: width, pulsesPerAmplitude, amplitudes: 24, readsPerPoint: Math.max(plan.readsPerPoint, 4), ...(hooks.signal ? { signal: hooks.signal } : {}) }, progress);
    if (threshold === null) throw new CalibrationInterruptedError(measured);
    cal.procedures.threshold = threshold;
    measuredOne("thresholds");
  }
  if (want("write-noise")) {
    const r = await writeNoise(xbar, { cells, voltsPositive: vPos, voltsNegative: vNeg, widthSeconds: width, upPulses: tenthOfRangePulses(cal, cells.length), cycles: 48, readsPerPoint: Math.max(plan.readsPerPoint, 32), ...(hooks.signal ? { signal: hooks.signal } : {}) }, progress);
    if (r === null) throw new CalibrationInterruptedError(measured);
    cal.procedures.writeNoise = r;
    measuredOne("write noise");
  }
  if (want("spread")) {
    // Every cell up to SURVEY_CELLS, whatever --cells says: the spread is a property of the population. Bursts of
    // the median cell's tenth of a range; reads averaged 16 times (reram's 1 % read noise at its ceiling is a third
    // of such a burst's change on one read).
    const ups = tenthOfRangePulses(cal, cells.length).sort((a, b) => a - b);
    const r = await stepSurvey(xbar, { cells: spreadCells(id.rows, id.cols, SURVEY_CELLS), voltsPositive: vPos, voltsNegative: vNeg, widthSeconds: width, boundPulses: boundPulses(cal, plan), stepPulses: ups[Math.floor(ups.length / 2)]!, readsPerPoint: Math.max(plan.readsPerPoint, 16), ...(hooks.signal ? { signal: hooks.signal } : {}) }, progress);
    if (r === null) throw new CalibrationInterruptedError(measured);
    cal.procedures.stepSurvey = r;
    measuredOne("step survey");
  }
  if (fitWhenDone && plan.fit !== false) fitCalibration(cal);
  return cal;
}

/**
 * Per cell, the potentiating pulses that cross about a tenth of its range: a tenth of the pulses its first up
 * sweep took to reach 90 % of its rise (20 without a pulse response).
 */
function tenthOfRangePulses(cal: CalibrationFile, cells: number): number[] {
  const pr = cal.procedures.pulse;
  if (!pr) return Array.from({ length: cells }, () => 20);
  const upStart = pr.polarity.indexOf(1);
  const upEnd = pr.polarity.indexOf(-1, upStart) < 0 ? pr.polarity.length : pr.polarity.indexOf(-1, upStart);
  return pr.curves.map((c) => {
    const s = c.siemens.slice(upStart, upEnd + 1);
    const lo = s[0]!, hi = s.reduce((m, v) => Math.max(m, v), lo);
    const k = s.findIndex((v) => v >= lo + 0.9 * (hi - lo));
    return Math.max(1, Math.round((Math.max(1, k) * pr.pulsesPerPoint) / 10));
  });
}

/**
 * Pulses that bring a cell to a bound from anywhere: twice the pulse response's longest sweep (which ran until its
 * cells settled), so cells up to twice as slow as the slowest measured one settle too; twice the plan's sweep
 * without a pulse response.
 */
function boundPulses(cal: CalibrationFile, plan: CalibrationPlan): number {
  const pr = cal.procedures.pulse;
  if (!pr || pr.polarity.length === 0) return 2 * plan.pulsesPerSweep;
  let longest = 0;
  for (let k = 0, start = 0; k <= pr.polarity.length; k++) {
    if (k === pr.polarity.length || pr.polarity[k] !== pr.polarity[start]) {
      longest = Math.max(longest, k - start);
      start = k;
    }
  }
  return 2 * longest * pr.pulsesPerPoint;
}

/**
 * The pulse amplitudes and width the plan uses, each checked against the device's limits before anything
 * reaches the device. Messages name the `mhil calibrate` flag that sets the value.
 */
export function checkPlan(plan: CalibrationPlan, id: DeviceIdentity): { vPos: number; vNeg: number; width: number } {
  const L = id.limits;
  const vPos = plan.voltsPositive ?? 0.75 * L.maxProgramVoltsPositive;
  const vNeg = plan.voltsNegative ?? 0.75 * L.maxProgramVoltsNegative;
  const width = plan.widthSeconds ?? Math.min(L.maxPulseWidthSeconds, 10 * L.minPulseWidthSeconds);
  const of = `${id.model} ${id.rows}×${id.cols}`;
  const sec = (x: number) => (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential() : String(x));
  const refuse = (what: string) => new CalibrationPlanError(`${what}; nothing was measured`);
  if (vPos > L.maxProgramVoltsPositive) throw refuse(`--volts ${vPos}: above the device's positive program limit, ${L.maxProgramVoltsPositive} V (maxProgramVoltsPositive of ${of})`);
  if (vNeg > L.maxProgramVoltsNegative) throw refuse(`--volts ${vNeg}: above the device's negative program limit, ${L.maxProgramVoltsNegative} V (maxProgramVoltsNegative of ${of})`);
  if (width < L.minPulseWidthSeconds || width > L.maxPulseWidthSeconds) {
    throw refuse(`--width ${sec(width)}: outside the device's pulse widths, ${sec(L.minPulseWidthSeconds)} to ${sec(L.maxPulseWidthSeconds)} s (minPulseWidthSeconds, maxPulseWidthSeconds of ${of})`);
  }
  const perRead = plan.pulsesPerPoint ?? 1;
  if (perRead > L.maxPulseCount) throw refuse(`--pulses-per-read ${perRead}: above the device's ${L.maxPulseCount} pulses per request (maxPulseCount of ${of})`);
  return { vPos, vNeg, width };
}

/** Fits the device model to the file's data (pulse response required; noise and threshold used when present). */
export function fitCalibration(cal: CalibrationFile): CalibrationFile {
  const pulse = cal.procedures.pulse;
  if (!pulse) throw new FitError("no pulse-response data to fit: run `mhil calibrate --procedure pulse` (or full) first");
  const fit = fitDevice({ identity: cal.device as never, pulse, ...(cal.procedures.noise ? { noise: cal.procedures.noise } : {}), ...(cal.procedures.threshold ? { threshold: cal.procedures.threshold } : {}), ...(cal.procedures.writeNoise ? { writeNoise: cal.procedures.writeNoise } : {}), ...(cal.procedures.stepSurvey ? { stepSurvey: cal.procedures.stepSurvey } : {}) });
  const periphery = cal.procedures.periphery ? fitPeriphery(cal.procedures.periphery, cal.device) : null;
  if (periphery) fit.residuals.notes.push(...periphery.notes);
  else fit.residuals.notes.push("no periphery measured: the twin's converters, amplifiers, wires and access device are the simulator's defaults, not the device's");
  cal.fit = { fittedAt: new Date().toISOString(), params: fit.params, residuals: fit.residuals, cells: fit.cells, ...(fit.stuckCells ? { stuckCells: fit.stuckCells } : {}), ...(fit.surveyedCells ? { surveyedCells: fit.surveyedCells } : {}), ...(periphery ? { peripherals: periphery.peripherals, array: periphery.array } : {}) };
  return cal;
}
