// The analog test board's wiring, read from a JSON file: which pins drive which lines, the sense
// resistors, the supply, the RC settling, and the limits the host enforces. Checked whole on load.
import { UserError } from "../../src/hal/user-error.js";
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { DeviceLimits } from "../../src/hal/crossbar.js";

/**
 * Topology: rows × cols discrete memristors. Device (r, c) sits between row line r and column line c,
 * in series with its own sense resistor: row line → memristor → sense node → sense resistor → column line.
 * Every line is driven by a PWM pin through an RC low-pass (or by a DAC pin); every sense node is read
 * on its own analog input. With all columns at 0 V, the sense node voltage is I·R_sense.
 */
const drivePin = z
  .object({
    /** Firmata pin number (the Arduino digital pin number). */
    pin: z.number().int().min(0).max(127),
    kind: z.enum(["pwm-rc", "dac"]),
    /** Output resolution: 8 for an AVR PWM pin, 10–12 for a DAC. */
    resolutionBits: z.number().int().min(1).max(16),
    /** Time constant of the RC filter (or the DAC's settling time constant), seconds. */
    settleTauSeconds: z.number().positive().max(1),
  })
  .strict();

const device = z
  .object({
    row: z.number().int().min(0),
    col: z.number().int().min(0),
    /** Analog input channel (A0 = 0) wired to this device's sense node. */
    analogChannel: z.number().int().min(0).max(15),
    senseResistorOhms: z.number().positive(),
  })
  .strict();

const limits = z
  .object({
    maxReadVolts: z.number().positive(),
    maxProgramVoltsPositive: z.number().positive(),
    maxProgramVoltsNegative: z.number().positive(),
    minPulseWidthSeconds: z.number().positive(),
    maxPulseWidthSeconds: z.number().positive(),
    maxPulseCount: z.number().int().min(1),
    complianceAmperes: z.number().positive(),
  })
  .strict();

export const boardConfigSchema = z
  .object({
    schemaVersion: z.literal(1),
    /** What `identify()` reports as the model. */
    model: z.string().min(1),
    /** The board's serial (a label on the board); empty: taken from the firmware name. */
    serial: z.string(),
    /** The Arduino the board is built on (the twin emulates its pin layout). */
    mcu: z.enum(["nano", "uno", "mega"]),
    supplyVolts: z.number().positive().max(12),
    /** True when the board is powered only from USB: losing the link means losing power, so all lines fall to 0 V. */
    poweredFromUsb: z.boolean(),
    baudRate: z.number().int().positive(),
    adc: z.object({ bits: z.number().int().min(8).max(16), referenceVolts: z.number().positive() }).strict(),
    /** How often the board reports its analog inputs, seconds (Firmata SAMPLING_INTERVAL, whole ms). */
    samplingIntervalSeconds: z.number().min(0.001).max(1),
    /** A line is taken as settled after this many time constants (8 → within 0.03 %, half an LSB of 10 bits). */
    settleTimeConstants: z.number().positive().max(20),
    /** The read voltage used when a caller gives none. */
    defaultReadVolts: z.number().positive(),
    rows: z.number().int().min(1).max(16),
    cols: z.number().int().min(1).max(16),
    rowLines: z.array(drivePin),
    colLines: z.array(drivePin),
    devices: z.array(device),
    limits,
    /** How long to wait for the board's version report after opening the port (a real Arduino resets on open). */
    connectTimeoutSeconds: z.number().positive().max(60),
  })
  .strict();

export type BoardConfig = z.infer<typeof boardConfigSchema>;
export type DrivePinConfig = z.infer<typeof drivePin>;

/** A board config that is malformed or wired inconsistently; names the file and the field. */
export class BoardConfigError extends UserError {
  constructor(readonly source: string, readonly field: string, detail: string) {
    super(`board config ${source}: ${field}: ${detail}`);
  }
}

/** Checks a parsed JSON value; throws BoardConfigError naming the first bad field. */
export function parseBoardConfig(value: unknown, source = "(inline)"): BoardConfig {
  const r = boardConfigSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new BoardConfigError(source, issue.path.join(".") || "(root)", issue.message);
  }
  checkWiring(r.data, source);
  return r.data;
}

/** Reads and checks a board config file. A JSON syntax error names the line. */
export function loadBoardConfig(path: string): BoardConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new BoardConfigError(path, "(file)", `cannot read: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? text.slice(0, Number(pos[1])).split("\n").length : undefined;
    throw new BoardConfigError(path, line ? `line ${line}` : "(json)", `not valid JSON: ${msg}`);
  }
  return parseBoardConfig(value, path);
}

function checkWiring(c: BoardConfig, source: string): void {
  const bad = (field: string, detail: string): never => {
    throw new BoardConfigError(source, field, detail);
  };
  if (c.rowLines.length !== c.rows) bad("rowLines", `has ${c.rowLines.length} entries, rows is ${c.rows}`);
  if (c.colLines.length !== c.cols) bad("colLines", `has ${c.colLines.length} entries, cols is ${c.cols}`);
  const pins = new Map<number, string>();
  [...c.rowLines.map((l, i) => [l, `rowLines.${i}.pin`] as const), ...c.colLines.map((l, i) => [l, `colLines.${i}.pin`] as const)].forEach(([l, at]) => {
    const prev = pins.get(l.pin);
    if (prev) bad(at, `pin ${l.pin} is already used by ${prev}`);
    pins.set(l.pin, at);
  });
  if (c.devices.length !== c.rows * c.cols) bad("devices", `has ${c.devices.length} entries, rows × cols is ${c.rows * c.cols}`);
  const seen = new Set<string>();
  const channels = new Map<number, number>();
  c.devices.forEach((d, i) => {
    if (d.row >= c.rows) bad(`devices.${i}.row`, `${d.row} is not below rows ${c.rows}`);
    if (d.col >= c.cols) bad(`devices.${i}.col`, `${d.col} is not below cols ${c.cols}`);
    const key = `${d.row},${d.col}`;
    if (seen.has(key)) bad(`devices.${i}`, `a second device at row ${d.row}, col ${d.col}`);
    seen.add(key);
    const other = channels.get(d.analogChannel);
    if (other !== undefined) bad(`devices.${i}.analogChannel`, `A${d.analogChannel} is already wired to devices.${other}`);
    channels.set(d.analogChannel, i);
  });
  const L = c.limits;
  if (L.maxReadVolts > c.supplyVolts) bad("limits.maxReadVolts", `${L.maxReadVolts} V exceeds supplyVolts ${c.supplyVolts} V`);
  if (L.maxProgramVoltsPositive > c.supplyVolts) bad("limits.maxProgramVoltsPositive", `${L.maxProgramVoltsPositive} V exceeds supplyVolts ${c.supplyVolts} V`);
  if (L.maxProgramVoltsNegative > c.supplyVolts) bad("limits.maxProgramVoltsNegative", `${L.maxProgramVoltsNegative} V exceeds supplyVolts ${c.supplyVolts} V`);
  if (c.defaultReadVolts > L.maxReadVolts) bad("defaultReadVolts", `${c.defaultReadVolts} V exceeds limits.maxReadVolts ${L.maxReadVolts} V`);
  if (L.minPulseWidthSeconds > L.maxPulseWidthSeconds) bad("limits.minPulseWidthSeconds", "exceeds limits.maxPulseWidthSeconds");
  // A pulse must last long enough for its lines to settle and the board to report a sample inside it:
  // the driver measures a pulse's energy from those samples.
  const slowest = Math.max(...c.rowLines.map((l) => l.settleTauSeconds), ...c.colLines.map((l) => l.settleTauSeconds));
  const needed = c.settleTimeConstants * slowest + 2 * c.samplingIntervalSeconds;
  if (L.minPulseWidthSeconds < needed - 1e-12) {
    bad("limits.minPulseWidthSeconds", `${L.minPulseWidthSeconds} s is shorter than settling (${c.settleTimeConstants} × ${slowest} s) plus two sampling intervals (${needed} s): a pulse's energy could not be sampled`);
  }
}

/** The Crossbar limits of a board: the config's limits plus the converter resolutions. */
export function boardLimits(c: BoardConfig): DeviceLimits {
  const dacBits = Math.min(...c.rowLines.map((l) => l.resolutionBits), ...c.colLines.map((l) => l.resolutionBits));
  return { ...c.limits, dacBits, adcBits: c.adc.bits };
}

/** The built-in board: an Arduino Nano with 2 × 4 memristors (the documented example, examples/board-example.json). */
export const DEFAULT_BOARD_CONFIG: BoardConfig = parseBoardConfig(
  {
    schemaVersion: 1,
    model: "mhil analog test board 2x4 (Arduino Nano, StandardFirmata)",
    serial: "",
    mcu: "nano",
    supplyVolts: 5,
    poweredFromUsb: true,
    baudRate: 57600,
    adc: { bits: 10, referenceVolts: 5 },
    samplingIntervalSeconds: 0.005,
    settleTimeConstants: 8,
    defaultReadVolts: 0.8,
    rows: 2,
    cols: 4,
    rowLines: [3, 5].map((pin) => ({ pin, kind: "pwm-rc", resolutionBits: 8, settleTauSeconds: 0.001 })),
    colLines: [6, 9, 10, 11].map((pin) => ({ pin, kind: "pwm-rc", resolutionBits: 8, settleTauSeconds: 0.001 })),
    devices: [0, 1].flatMap((row) => [0, 1, 2, 3].map((col) => ({ row, col, analogChannel: row * 4 + col, senseResistorOhms: 22000 }))),
    limits: {
      maxReadVolts: 1,
      maxProgramVoltsPositive: 3.5,
      maxProgramVoltsNegative: 3.5,
      minPulseWidthSeconds: 0.02,
      maxPulseWidthSeconds: 1,
      maxPulseCount: 8,
      complianceAmperes: 0.0001,
    },
    connectTimeoutSeconds: 10,
  },
  "(built-in default)",
);
