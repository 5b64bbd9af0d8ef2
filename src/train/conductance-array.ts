// The array as the crossbar store drives it: SET pulses by per-cell counts, hard (burst) pulses, whole-array
// reads, and the shadow conductances (the best estimate of every cell, kept without reading).
//
// Update pulses are SETs only (n > 0 on G⁺ or G⁻: both devices use the same, calibrated, pulse response);
// one row-parallel request (V/2 half-select when offered) per array row carries the row's counts.
// Every backend call is recorded in the ledger under its activity; energy is only what the backend returned.
import type { Crossbar, DeviceIdentity, HalfSelectScheme, LinePulse, Measured, Pulse } from "../hal/crossbar.js";
import type { Activity, EnergyLedger } from "../energy/ledger.js";
import type { CrossbarSettings } from "./config.js";
import type { WriteVerifyOptions } from "./write-verify.js";

/** What characterisation measured (or a checkpoint restored): the per-cell figures the store maps weights with. */
export interface Calibration {
  /** Per array cell (row-major): floor conductance after a full RESET, ceiling after a full SET, mean SET step. */
  gLow: Float64Array;
  gHigh: Float64Array;
  step: Float64Array;
  /** Siemens per weight unit. */
  gUnit: number;
  /** Bursts of hard RESET pulses (HARD_BURST each) that brought every device to its floor. */
  resetBursts: number;
  /** Read-noise standard deviation (siemens), from two reads of the floor. */
  readSigma: number;
}

/** Pulses per hard burst (RESET to the floor, SET to the ceiling). */
export const HARD_BURST = 16;

export class ConductanceArray {
  readonly rows: number;
  readonly cols: number;
  readonly readVolts: number;
  readonly setVolts: number;
  readonly resetVolts: number;
  /** Hard pulses (bursts to a bound) use the longest width the device allows. */
  readonly hardWidthSeconds: number;
  /** Update-pulse width: the config's, or chosen at characterisation (see characterisation.ts). */
  widthSeconds: number;
  /** Null when the device has no parallel pulses: then every count goes out as a cell pulse. */
  readonly scheme: HalfSelectScheme | null;
  /** Best estimate of every cell's conductance: the last read plus the expected effect of pulses since. */
  readonly shadow: Float64Array;
  /** Cells that do not switch (stuck): their pairs are frozen at W ≈ 0. */
  readonly dead: Uint8Array;
  /** 1 for the G⁺ cell of a pair. */
  readonly isPlus: Uint8Array;
  cal!: Calibration;

  constructor(
    readonly device: Crossbar,
    readonly id: DeviceIdentity,
    private readonly ledger: EnergyLedger,
    settings: CrossbarSettings,
  ) {
    this.rows = id.rows;
    this.cols = id.cols;
    const L = id.limits;
    const s = settings;
    this.readVolts = s.readVolts ?? L.maxReadVolts;
    this.setVolts = s.setVolts ?? 0.75 * L.maxProgramVoltsPositive;
    this.resetVolts = s.resetVolts ?? L.maxProgramVoltsNegative;
    this.widthSeconds = s.pulseWidthSeconds ?? Math.min(L.maxPulseWidthSeconds, Math.max(L.minPulseWidthSeconds, Math.sqrt(L.minPulseWidthSeconds * L.maxPulseWidthSeconds)));
    this.hardWidthSeconds = L.maxPulseWidthSeconds;
    for (const [name, v, max] of [["readVolts", this.readVolts, L.maxReadVolts], ["setVolts", this.setVolts, L.maxProgramVoltsPositive], ["resetVolts", this.resetVolts, L.maxProgramVoltsNegative]] as const) {
      if (v > max) throw new Error(`crossbar.${name} = ${v} V exceeds the device limit ${max} V`);
    }
    this.scheme = id.capabilities.parallelPulse ? (id.capabilities.halfSelectSchemes.includes("V/2") ? "V/2" : id.capabilities.halfSelectSchemes[0] ?? null) : null;
    const n = this.rows * this.cols;
    this.shadow = new Float64Array(n);
    this.dead = new Uint8Array(n);
    this.isPlus = new Uint8Array(n);
  }

  get cells(): number {
    return this.rows * this.cols;
  }

  record<T>(activity: Activity, m: Measured<T>): Measured<T> {
    return this.ledger.record(activity, m);
  }

  /** One whole-array read at the store's read voltage. */
  async read(activity: Activity): Promise<Float64Array> {
    return this.record(activity, await this.device.readArray(this.readVolts)).value;
  }

  /** The other device of a cell's pair. */
  /** Write-verify from this array's own pulse (its SET amplitude and width) and read voltage, to `toleranceSiemens`. */
  writeVerifyOptions(toleranceSiemens: number, maxRounds: number): WriteVerifyOptions {
    return { toleranceSiemens, startFraction: this.setVolts / this.id.limits.maxProgramVoltsPositive, startWidthSeconds: this.widthSeconds, readVolts: this.readVolts, maxRounds };
  }

  partnerOf(cell: number): number {
    return this.isPlus[cell] ? cell + 1 : cell - 1;
  }

  /** Sends update-shaped SET pulses with the given per-cell counts; moves the shadow by the calibrated steps. */
  async applyCounts(counts: Int32Array, activity: Activity): Promise<number> {
    const pulses = this.countPulses(counts, this.setVolts, this.widthSeconds);
    if (pulses.length === 0) return 0;
    const maxCount = this.id.limits.maxPulseCount;
    for (let cell = 0; cell < counts.length; cell++) {
      const n = counts[cell]!;
      if (n > 0) this.shadow[cell] = Math.min(this.cal.gHigh[cell]!, this.shadow[cell]! + Math.min(n, maxCount) * this.cal.step[cell]!);
    }
    const m = this.record(activity, await this.device.program(pulses));
    return m.value.pulsesApplied;
  }

  /** `count` hard pulses (the longest width) at `volts` on every marked cell; the shadow is the caller's. */
  async hardPulse(cells: Int32Array, volts: number, count: number, activity: Activity): Promise<void> {
    const counts = new Int32Array(cells.length);
    for (let i = 0; i < cells.length; i++) if (cells[i]) counts[i] = count;
    await this.pulseCounts(counts, volts, this.hardWidthSeconds, activity);
  }

  /** Pulses of any shape by per-cell counts; the shadow is the caller's. */
  async pulseCounts(counts: Int32Array, volts: number, width: number, activity: Activity): Promise<void> {
    const pulses = this.countPulses(counts, volts, width);
    if (pulses.length > 0) this.record(activity, await this.device.program(pulses));
  }

  /** The pulses that give each cell its count (clamped to maxPulseCount), one row-parallel request per row. */
  private countPulses(counts: Int32Array, volts: number, width: number): Pulse[] {
    const pulses: Pulse[] = [];
    const maxCount = this.id.limits.maxPulseCount;
    for (let r = 0; r < this.rows; r++) {
      const selected: number[] = [];
      const cs: number[] = [];
      for (let c = 0; c < this.cols; c++) {
        const n = counts[r * this.cols + c]!;
        if (n > 0) {
          selected.push(c);
          cs.push(Math.min(n, maxCount));
        }
      }
      if (selected.length > 0) pulses.push(...this.linePulses(r, selected, cs, volts, width));
    }
    return pulses;
  }

  private linePulses(row: number, selected: number[], counts: number[], volts: number, width: number): Pulse[] {
    if (this.scheme !== null) {
      const p: LinePulse = { kind: "row", line: row, selected, counts, volts, widthSeconds: width, scheme: this.scheme };
      return [p];
    }
    return selected.map((col, k) => ({ kind: "cell" as const, row, col, volts, widthSeconds: width, count: counts[k]! }));
  }
}

export function median(a: number[]): number {
  if (a.length === 0) return 0;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
}
