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
  checkMvmShape(id, req);
  const max = id.limits.maxReadVolts;
  const volts = req.volts;
  // One pass with the array and bounds in locals (every product of a training run comes through here).
  for (let i = 0, n = volts.length; i < n; i++) {
    const v = volts[i]!;
    if (!(v <= max && v >= -max)) throw voltsRefused(i, v, max);
  }
}

/** checkMvm without the pass over the volts: for a backend that checks them in the pass that senses them, before anything is drawn or driven. */
export function checkMvmShape(id: DeviceIdentity, req: MvmRequest): void {
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
}

/** The refusal of volts[i] = v beyond ±max (or NaN). */
export function voltsRefused(i: number, v: number, max: number): LimitError {
  return new LimitError(`volts[${i}]`, v, Number.isNaN(v) ? "must be a finite number" : `exceeds maxReadVolts ${max} V`);
}

export function checkPulses(id: DeviceIdentity, pulses: readonly Pulse[]): void {
  if (!Array.isArray(pulses)) throw new LimitError("pulses", pulses, "must be an array");
  const L = id.limits;
  // Field names are built only for a refusal: every update's pulses come through here (twice, host and device).
  const field = (k: number, part: string, j?: number) => `pulses[${k}].${part}${j === undefined ? "" : `[${j}]`}`;
  const isCount = (c: unknown) => typeof c === "number" && Number.isInteger(c) && c >= 0 && c <= L.maxPulseCount;
  const countRefused = (f: string, c: unknown) => new LimitError(f, c, `must be an integer in [0, ${L.maxPulseCount}] (maxPulseCount)`);
  const isIndex = (v: unknown, size: number) => typeof v === "number" && Number.isInteger(v) && v >= 0 && v < size;
  const indexRefused = (f: string, v: unknown, size: number) => new LimitError(f, v, `must be an integer in [0, ${size - 1}]`);
  for (let k = 0; k < pulses.length; k++) {
    const p = pulses[k]!;
    const volts = p.volts;
    if (typeof volts !== "number" || !Number.isFinite(volts)) throw new LimitError(field(k, "volts"), volts, "must be a finite number");
    if (volts > 0 && volts > L.maxProgramVoltsPositive) {
      throw new LimitError(field(k, "volts"), volts, `exceeds maxProgramVoltsPositive ${L.maxProgramVoltsPositive} V`);
    }
    if (volts < 0 && -volts > L.maxProgramVoltsNegative) {
      throw new LimitError(field(k, "volts"), volts, `exceeds maxProgramVoltsNegative ${L.maxProgramVoltsNegative} V (magnitude)`);
    }
    const w = p.widthSeconds;
    if (typeof w !== "number" || !Number.isFinite(w)) throw new LimitError(field(k, "widthSeconds"), w, "must be a finite number");
    if (w < L.minPulseWidthSeconds || w > L.maxPulseWidthSeconds) {
      throw new LimitError(
        field(k, "widthSeconds"),
        w,
        `outside the pulse width range [${L.minPulseWidthSeconds}, ${L.maxPulseWidthSeconds}] s (minPulseWidthSeconds/maxPulseWidthSeconds)`,
      );
    }
    if (p.kind === "cell") {
      if (!isIndex(p.row, id.rows)) throw indexRefused(field(k, "row"), p.row, id.rows);
      if (!isIndex(p.col, id.cols)) throw indexRefused(field(k, "col"), p.col, id.cols);
      if (!isCount(p.count)) throw countRefused(field(k, "count"), p.count);
    } else if (p.kind === "row" || p.kind === "column") {
      if (!id.capabilities.parallelPulse) throw new LimitError(field(k, "kind"), p.kind, "this device has no parallel pulses");
      if (!id.capabilities.halfSelectSchemes.includes(p.scheme)) {
        throw new LimitError(field(k, "scheme"), p.scheme, `must be one of ${id.capabilities.halfSelectSchemes.join(", ")}`);
      }
      const lines = p.kind === "row" ? id.rows : id.cols;
      const crossing = p.kind === "row" ? id.cols : id.rows;
      if (!isIndex(p.line, lines)) throw indexRefused(field(k, "line"), p.line, lines);
      if (!Array.isArray(p.selected) || !Array.isArray(p.counts) || p.selected.length !== p.counts.length) {
        throw new LimitError(field(k, "counts.length"), p.counts?.length, "must equal selected.length");
      }
      let prev = -1;
      for (let j = 0; j < p.selected.length; j++) {
        const cell = p.selected[j];
        if (!isIndex(cell, crossing)) throw indexRefused(field(k, "selected", j), cell, crossing);
        if (cell! <= prev) throw new LimitError(field(k, "selected", j), cell, "must be strictly increasing");
        prev = cell!;
        if (!isCount(p.counts[j])) throw countRefused(field(k, "counts", j), p.counts[j]);
      }
    } else {
      throw new LimitError(field(k, "kind"), (p as { kind: unknown }).kind, 'must be "cell", "row" or "column"');
    }
  }
}
