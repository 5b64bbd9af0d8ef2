// Host-side limit checks: every request is checked whole before any of it reaches a device.
import { UserError } from "./user-error.js";
import type { DeviceIdentity, MvmRequest, Pulse } from "./crossbar.js";

/** A request refused because it breaks a device limit or is malformed; nothing was applied. */
export class LimitError extends UserError {
  constructor(
    /** The limit or field that refused the request, e.g. "maxProgramVoltsPositive" or "pulses[3].row". */
    readonly field: string,
    readonly value: unknown,
    detail: string,
  ) {
    super(`${field} = ${formatValue(value)}: ${detail}; nothing was applied`);
  }
}

function formatValue(v: unknown): string {
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function finite(field: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new LimitError(field, v, "must be a finite number");
  return v;
}

function index(field: string, v: unknown, size: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v >= size) {
    throw new LimitError(field, v, `must be an integer in [0, ${size - 1}]`);
  }
  return v;
}

export function checkReadVolts(id: DeviceIdentity, volts: number, field = "readVolts"): void {
  finite(field, volts);
  if (Math.abs(volts) > id.limits.maxReadVolts) {
    throw new LimitError(field, volts, `exceeds maxReadVolts ${id.limits.maxReadVolts} V`);
  }
}

export function checkCell(id: DeviceIdentity, row: number, col: number): void {
  index("row", row, id.rows);
  index("col", col, id.cols);
}

export function checkMvm(id: DeviceIdentity, req: MvmRequest): void {
  if (req.direction !== "forward" && req.direction !== "transposed") {
    throw new LimitError("direction", req.direction, 'must be "forward" or "transposed"');
  }
  const vectors = req.vectors ?? 1;
  if (!Number.isInteger(vectors) || vectors < 1) throw new LimitError("vectors", vectors, "must be a positive integer");
  const n = req.direction === "forward" ? id.rows : id.cols;
  if (!(req.volts instanceof Float64Array) || req.volts.length !== n * vectors) {
    throw new LimitError("volts.length", req.volts?.length, `must be ${n} × ${vectors} = ${n * vectors}`);
  }
  const nOut = req.direction === "forward" ? id.cols : id.rows;
  if (req.out !== undefined && (!(req.out instanceof Float64Array) || req.out.length !== nOut * vectors)) {
    throw new LimitError("out.length", req.out?.length, `must be ${nOut} × ${vectors} = ${nOut * vectors}`);
  }
  const max = id.limits.maxReadVolts;
  const volts = req.volts;
  // One pass with the array and bounds in locals (every product of a training run comes through here).
  for (let i = 0, n = volts.length; i < n; i++) {
    const v = volts[i]!;
    if (!(v <= max && v >= -max)) throw voltsRefused(i, v, max);
  }
}

function voltsRefused(i: number, v: number, max: number): LimitError {
  return new LimitError(`volts[${i}]`, v, Number.isNaN(v) ? "must be a finite number" : `exceeds maxReadVolts ${max} V`);
}

export function checkPulses(id: DeviceIdentity, pulses: readonly Pulse[]): void {
  if (!Array.isArray(pulses)) throw new LimitError("pulses", pulses, "must be an array");
  const L = id.limits;
  pulses.forEach((p, k) => {
    const at = `pulses[${k}]`;
    const volts = finite(`${at}.volts`, p.volts);
    if (volts > 0 && volts > L.maxProgramVoltsPositive) {
      throw new LimitError(`${at}.volts`, volts, `exceeds maxProgramVoltsPositive ${L.maxProgramVoltsPositive} V`);
    }
    if (volts < 0 && -volts > L.maxProgramVoltsNegative) {
      throw new LimitError(`${at}.volts`, volts, `exceeds maxProgramVoltsNegative ${L.maxProgramVoltsNegative} V (magnitude)`);
    }
    const w = finite(`${at}.widthSeconds`, p.widthSeconds);
    if (w < L.minPulseWidthSeconds || w > L.maxPulseWidthSeconds) {
      throw new LimitError(
        `${at}.widthSeconds`,
        w,
        `outside the pulse width range [${L.minPulseWidthSeconds}, ${L.maxPulseWidthSeconds}] s (minPulseWidthSeconds/maxPulseWidthSeconds)`,
      );
    }
    const count = (field: string, c: unknown) => {
      if (typeof c !== "number" || !Number.isInteger(c) || c < 0 || c > L.maxPulseCount) {
        throw new LimitError(field, c, `must be an integer in [0, ${L.maxPulseCount}] (maxPulseCount)`);
      }
    };
    if (p.kind === "cell") {
      index(`${at}.row`, p.row, id.rows);
      index(`${at}.col`, p.col, id.cols);
      count(`${at}.count`, p.count);
    } else if (p.kind === "row" || p.kind === "column") {
      if (!id.capabilities.parallelPulse) throw new LimitError(`${at}.kind`, p.kind, "this device has no parallel pulses");
      if (!id.capabilities.halfSelectSchemes.includes(p.scheme)) {
        throw new LimitError(`${at}.scheme`, p.scheme, `must be one of ${id.capabilities.halfSelectSchemes.join(", ")}`);
      }
      const lines = p.kind === "row" ? id.rows : id.cols;
      const crossing = p.kind === "row" ? id.cols : id.rows;
      index(`${at}.line`, p.line, lines);
      if (!Array.isArray(p.selected) || !Array.isArray(p.counts) || p.selected.length !== p.counts.length) {
        throw new LimitError(`${at}.counts.length`, p.counts?.length, "must equal selected.length");
      }
      let prev = -1;
      p.selected.forEach((s: number, j: number) => {
        index(`${at}.selected[${j}]`, s, crossing);
        if (s <= prev) throw new LimitError(`${at}.selected[${j}]`, s, "must be strictly increasing");
        prev = s;
        count(`${at}.counts[${j}]`, p.counts[j]);
      });
    } else {
      throw new LimitError(`${at}.kind`, (p as { kind: unknown }).kind, 'must be "cell", "row" or "column"');
    }
  });
}
