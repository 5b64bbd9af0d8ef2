// The board's circuit arithmetic, pure: line voltages → output codes, cell-pulse line patterns, and
// what one sense-node sample says about its device (current, conductance, power).
import type { BoardConfig, DrivePinConfig } from "../../protocol/firmata/board-config.js";

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
  return cellPulseStages(c, row, col, volts)[2]!;
}

/**
 * The pulse pattern reached in three stages, each moving only rows or only columns. The board applies
 * messages one by one, in order; within a stage every branch has one moving line, so it passes only
 * between two in-bound values, and (lines sharing one RC time constant) a later stage always lags an
 * earlier one, which keeps every half-selected branch within ±|V|/3 during the transition too.
 * Positive: (1) every row to V/3, (2) unselected columns to 2V/3, (3) selected row to V.
 * Negative mirrors it with rows and columns swapped. Ground in the reverse order.
 */
export function cellPulseStages(c: BoardConfig, row: number, col: number, volts: number): [LinePattern, LinePattern, LinePattern] {
  const a = Math.abs(volts);
  // Work in "driven side" / "other side": for a positive pulse the rows drive, for a negative one the columns.
  const pos = volts >= 0;
  const nDrive = pos ? c.rows : c.cols;
  const nOther = pos ? c.cols : c.rows;
  const selDrive = pos ? row : col;
  const selOther = pos ? col : row;
  const s1 = { drive: new Array<number>(nDrive).fill(a / 3), other: new Array<number>(nOther).fill(0) };
  const s2 = { drive: [...s1.drive], other: s1.other.map((_, k) => (k === selOther ? 0 : (2 * a) / 3)) };
  const s3 = { drive: s2.drive.map((v, k) => (k === selDrive ? a : v)), other: [...s2.other] };
  const toPattern = (s: { drive: number[]; other: number[] }): LinePattern => (pos ? { rowVolts: s.drive, colVolts: s.other } : { rowVolts: s.other, colVolts: s.drive });
  return [toPattern(s1), toPattern(s2), toPattern(s3)];
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
