// The board's circuit arithmetic, pure: line voltages → output codes, cell-pulse line patterns, and
// what one sense-node sample says about its device (current, conductance, power).
import type { BoardConfig, DrivePinConfig } from "./board-config.js";

/** The output code nearest to `volts` on a line, and the voltage that code really produces. */
export function lineCode(line: DrivePinConfig, volts: number, supplyVolts: number): { code: number; volts: number } {
  const full = 2 ** line.resolutionBits - 1;
  const code = Math.min(full, Math.max(0, Math.round((volts / supplyVolts) * full)));
  return { code, volts: (code / full) * supplyVolts };
}

/** Line voltages, rows then columns, for one board state. */
export interface LinePattern {
  rowVolts: number[];
  colVolts: number[];
}

export const restPattern = (c: BoardConfig): LinePattern => ({ rowVolts: new Array<number>(c.rows).fill(0), colVolts: new Array<number>(c.cols).fill(0) });

/** Every row at `volts`, every column grounded: each device reads through its own sense resistor at once. */
export const readAllPattern = (c: BoardConfig, volts: number): LinePattern => ({ rowVolts: new Array<number>(c.rows).fill(volts), colVolts: new Array<number>(c.cols).fill(0) });

/** One row at `volts`, everything else grounded. */
export function readRowPattern(c: BoardConfig, row: number, volts: number): LinePattern {
  const p = restPattern(c);
  p.rowVolts[row] = volts;
  return p;
}

/**
 * A V/3 cell pulse with single-ended lines (0 … supply): the selected branch sees `volts` (either sign),
 * every other branch sees ±|V|/3, so half-selected devices stay below threshold for |V| < 3·Vth.
 * Positive: selected row V, other rows V/3, selected column 0, other columns 2V/3.
 * Negative: selected row 0, other rows 2|V|/3, selected column |V|, other columns |V|/3.
 */
export function cellPulsePattern(c: BoardConfig, row: number, col: number, volts: number): LinePattern {
  const a = Math.abs(volts);
  const pos = volts >= 0;
  return {
    rowVolts: Array.from({ length: c.rows }, (_, r) => (r === row ? (pos ? a : 0) : pos ? a / 3 : (2 * a) / 3)),
    colVolts: Array.from({ length: c.cols }, (_, k) => (k === col ? (pos ? 0 : a) : pos ? (2 * a) / 3 : a / 3)),
  };
}

/** What one ADC sample of a sense node says about its branch. */
export interface BranchReading {
  /** Current from the row line into the column line, amperes (negative when it flows the other way). */
  amperes: number;
  /** Voltage across the memristor itself (branch voltage minus the sense-resistor drop). */
  deviceVolts: number;
  /** Memristor conductance I / V_device, siemens; 0 when the branch carries no measurable current. */
  siemens: number;
  memristorWatts: number;
  senseResistorWatts: number;
}

/**
 * ADC code → volts. An AVR ADC truncates (code = ⌊V·2^bits/Vref⌋), so the unbiased estimate is the middle
 * of the code's step; code 0 stays 0 (below one step the current is not measurable).
 */
export const adcVolts = (code: number, bits: number, referenceVolts: number): number => (code <= 0 ? 0 : ((code + 0.5) * referenceVolts) / 2 ** bits);

/**
 * The sense node sits between memristor and sense resistor: V_sense = V_col + I·R_sense.
 * So I = (V_sense − V_col)/R_sense and the memristor sees V_row − V_sense.
 */
export function branchReading(rowVolts: number, colVolts: number, senseVolts: number, senseResistorOhms: number): BranchReading {
  const amperes = (senseVolts - colVolts) / senseResistorOhms;
  const deviceVolts = rowVolts - senseVolts;
  const siemens = amperes !== 0 && Math.abs(deviceVolts) > 1e-9 && Math.sign(amperes) === Math.sign(deviceVolts) ? amperes / deviceVolts : 0;
  return {
    amperes,
    deviceVolts,
    siemens,
    memristorWatts: Math.max(0, amperes * deviceVolts),
    senseResistorWatts: amperes * amperes * senseResistorOhms,
  };
}
