// The calibration file: a versioned JSON document with the raw data, the fit, its residuals, the device
// identity and the date. Checked on open: a truncated file, another schema version or a device that does
// not match is refused with the file named.
import { existsSync, readFileSync, rmSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { makeFolders } from "../src/files/make-folders.js";
import { basename, dirname, join } from "node:path";
import { writeFileAtomic } from "../src/files/atomic-write.js";
import { z } from "zod";
import type { DeviceIdentity } from "../src/hal/crossbar.js";
import { UserError } from "../src/hal/user-error.js";

export const CALIBRATION_SCHEMA = "memristor-hil/calibration";
export const CALIBRATION_VERSION = 1;

/** A calibration file refused: names the file and what is wrong with it. */
export class CalibrationFileError extends UserError {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
  }
}

const num = z.number().finite();
const identitySchema = z.object({
  backend: z.string(),
  model: z.string(),
  serial: z.string(),
  firmwareVersion: z.string(),
  protocolVersion: z.string(),
  rows: z.number().int().positive(),
  cols: z.number().int().positive(),
  limits: z.object({
    maxReadVolts: num, maxProgramVoltsPositive: num, maxProgramVoltsNegative: num, minPulseWidthSeconds: num,
    maxPulseWidthSeconds: num, maxPulseCount: num, complianceAmperes: num, dacBits: num, adcBits: num,
  }),
  capabilities: z.object({
    readArray: z.boolean(), mvmForward: z.boolean(), mvmTransposed: z.boolean(), parallelPulse: z.boolean(),
    halfSelectSchemes: z.array(z.enum(["V/2", "V/3"])),
  }),
  endurancePulses: num.optional(),
});

const costSchema = z.object({ joules: num, seconds: num, reads: num, pulses: num });
const energySchema = z.object({ cell: num, halfSelected: num, peripheral: num, components: z.record(z.string(), num).optional() });
const cellRef = { row: z.number().int().nonnegative(), col: z.number().int().nonnegative() };

const thresholdPoint = z.object({ volts: num, meanStepSiemens: num, stepStdErrSiemens: num, meanSiemensBefore: num.optional(), meanSiemensAfter: num.optional() });

const procedures = z.object({
  iv: z.object({
    curves: z.array(z.object({ ...cellRef, volts: z.array(num), amperes: z.array(num), slopeSiemens: num, linearityR2: num })),
    cost: costSchema,
  }).optional(),
  noise: z.object({
    repeats: z.number().int().positive(),
    cells: z.array(z.object({ ...cellRef, meanSiemens: num, stdSiemens: num })),
    readNoiseRelative: num,
    cost: costSchema,
  }).optional(),
  pulse: z.object({
    voltsPositive: num, voltsNegative: num, widthSeconds: num, readsPerPoint: z.number().int().positive(), pulsesPerPoint: z.number().int().positive(),
    polarity: z.array(z.union([z.literal(1), z.literal(-1)])),
    curves: z.array(z.object({ ...cellRef, siemens: z.array(num) })),
    cost: costSchema,
    // False when the last sweep was cut short (Ctrl-C) or hit its most pulses; absent in files from before it was kept.
    settled: z.boolean().optional(),
  }).optional(),
  periphery: z.object({
    read: z.object({ durationSeconds: num, sumSiemens: num, energy: energySchema }),
    pulse: z.object({ ...cellRef, volts: num, widthSeconds: num, durationSeconds: num, halfSelectedSiemens: num, energy: energySchema }),
    cost: costSchema,
  }).optional(),
  writeNoise: z.object({
    voltsPositive: num, voltsNegative: num, widthSeconds: num, readsPerPoint: z.number().int().positive(),
    cells: z.array(z.object({ ...cellRef, upPulses: z.number().int().positive(), downPulses: z.number().int().positive(), siemens: z.array(num) })),
    cost: costSchema,
  }).optional(),
  stepSurvey: z.object({
    voltsPositive: num, voltsNegative: num, widthSeconds: num, readsPerPoint: z.number().int().positive(),
    boundPulses: z.number().int().positive(), stepPulses: z.number().int().positive(),
    cells: z.array(z.object({ ...cellRef, siemens: z.tuple([num, num, num, num]) })),
    cost: costSchema,
  }).optional(),
  threshold: z.object({
    widthSeconds: num,
    positive: z.array(thresholdPoint),
    negative: z.array(thresholdPoint),
    cost: costSchema,
  }).optional(),
});

const deviceParams = z.object({
  model: z.enum(["ideal", "linearStep", "softBounds", "expStep"]),
  gMinSiemens: num, gMaxSiemens: num, stepSiemens: num, upDownAsymmetry: num, stepSpreadD2d: num, boundsSpreadD2d: num,
  writeNoiseC2c: num, readNoise: num, stuckAtMinProbability: num, stuckAtMaxProbability: num, thresholdVoltsPositive: num,
  thresholdVoltsNegative: num, nominalVoltsPositive: num, nominalVoltsNegative: num, nominalPulseWidthSeconds: num,
  amplitudeExponent: num, widthExponent: num, gammaUp: num, gammaDown: num, endurancePulses: z.number(),
  initialConductance: z.enum(["gMin", "gMax", "uniform"]), maxReadVolts: num, maxProgramVoltsPositive: num,
  maxProgramVoltsNegative: num, minPulseWidthSeconds: num, maxPulseWidthSeconds: num, complianceAmperes: num,
});

export const CalibrationFileSchema = z.object({
  schema: z.literal(CALIBRATION_SCHEMA),
  version: z.literal(CALIBRATION_VERSION),
  created: z.string(),
  updated: z.string(),
  tool: z.string(),
  device: identitySchema,
  procedures,
  fit: z.object({
    fittedAt: z.string(),
    params: deviceParams,
    residuals: z.object({
      model: z.string(), rmsRelativeToStep: num, candidates: z.record(z.string(), num), chosenBecause: z.string().optional(),
      pairsHeldOut: num.optional(), pairsUsed: num, cellsFree: num,
      cellsStuck: num, notes: z.array(z.string()),
    }),
    cells: z.array(z.object({ ...cellRef, stuck: z.enum(["no", "min", "max"]), gMinSiemens: num, gMaxSiemens: num, stepUpSiemens: num, stepDownSiemens: num })),
    /** Every stuck cell by address, from a step survey of the whole array (absent: the twin draws them from the fractions). */
    stuckCells: z.array(z.object({ ...cellRef, bound: z.enum(["min", "max"]) })).optional(),
    /** Every switching cell's bounds and steps (over the mean step) by row-major index, from a survey of the whole array. */
    surveyedCells: z.object({
      index: z.array(z.number().int().min(0)), gMinSiemens: z.array(num.nullable()), gMaxSiemens: z.array(num.nullable()), stepUpScale: z.array(num), stepDownScale: z.array(num),
    }).refine((c) => [c.gMinSiemens, c.gMaxSiemens, c.stepUpScale, c.stepDownScale].every((a) => a.length === c.index.length), "one entry per index in every column").optional(),
    /** The twin's periphery and array, from the periphery measurement (absent: the simulator's defaults). */
    peripherals: z.object({
      settlingSeconds: num, readVolts: num, dacJoulesPerConversion: num, adcJoulesPerConversion: num, tiaJoulesPerSense: num,
      leakageWattsPerLine: num, pulseGapSeconds: num, readBandwidthHertz: num,
    }).optional(),
    array: z.object({
      access: z.enum(["passive", "1S1R", "1T1R"]), halfSelectNonlinearity: num, lineCapacitanceFaradsPerCell: num,
      gateCapacitanceFaradsPerCell: num, wordLineVolts: num,
    }).optional(),
  }).optional(),
});

export type CalibrationFile = z.infer<typeof CalibrationFileSchema>;

export function newCalibration(device: DeviceIdentity, now = new Date()): CalibrationFile {
  return {
    schema: CALIBRATION_SCHEMA,
    version: CALIBRATION_VERSION,
    created: now.toISOString(),
    updated: now.toISOString(),
    tool: "memristor-hil 0.1.0",
    device: structuredClone(device),
    procedures: {},
  };
}

/** Reads and checks a calibration file; every problem names the file and, for schema errors, the key. */
export function loadCalibration(file: string): CalibrationFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new CalibrationFileError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CalibrationFileError(file, `not valid JSON (${(e as Error).message}); the file may be truncated`);
  }
  const head = raw as { schema?: unknown; version?: unknown };
  if (head?.schema !== CALIBRATION_SCHEMA) throw new CalibrationFileError(file, `"schema" is ${JSON.stringify(head?.schema)}, expected "${CALIBRATION_SCHEMA}"`);
  if (head.version !== CALIBRATION_VERSION) {
    throw new CalibrationFileError(file, `schema version ${JSON.stringify(head.version)} is not supported (this tool reads version ${CALIBRATION_VERSION})`);
  }
  const parsed = CalibrationFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CalibrationFileError(file, `key "${issue.path.join(".")}": ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Refuses, before anything is measured, a calibration file that could not be written: a folder in its place,
 * or a folder (or the nearest one that exists) that is not a writable folder. A folder not there yet is made
 * when the file is saved.
 */
export function checkCalibrationOut(file: string): void {
  if (existsSync(file) && statSync(file).isDirectory()) throw new CalibrationFileError(file, "is a folder; name a file in it, e.g. --out calibration/my-device.json");
  let dir = dirname(file);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) throw new CalibrationFileError(file, `cannot be written: ${dir} is a file, not a folder; nothing was measured`);
  // Permissions alone do not tell (root passes access() on /proc): make the folder and write a probe file there.
  // The folders it made are removed again: a refused run leaves nothing behind.
  const probe = join(dirname(file), `.${basename(file)}.${process.pid}.probe`);
  let made: string[] = [];
  try {
    made = makeFolders(dirname(file));
    writeFileSync(probe, "");
    rmSync(probe, { force: true });
  } catch (e) {
    for (const d of made.reverse()) rmSync(d, { recursive: true, force: true });
    throw new CalibrationFileError(file, `cannot be written in ${dirname(file)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); nothing was measured`);
  }
  for (const d of made.reverse()) rmdirSync(d);
}

/** Writes atomically (temp file, then rename) so an interrupted write never leaves a truncated file; makes its folder. */
export function saveCalibration(file: string, cal: CalibrationFile): void {
  cal.updated = new Date().toISOString();
  makeFolders(dirname(file));
  writeFileAtomic(file, JSON.stringify(cal, null, 1) + "\n");
}

/** Refuses to mix data from two devices in one file: model, serial and shape must match. */
export function assertSameDevice(file: string, cal: CalibrationFile, id: DeviceIdentity): void {
  for (const k of ["model", "serial", "rows", "cols"] as const) {
    if (cal.device[k] !== id[k]) {
      throw new CalibrationFileError(file, `was measured on another device: ${k} is ${JSON.stringify(cal.device[k])} in the file but ${JSON.stringify(id[k])} on the connected device`);
    }
  }
}
