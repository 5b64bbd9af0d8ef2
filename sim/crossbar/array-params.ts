// The array around the devices: how a cell is accessed (passive, selector, transistor), its wires, and whether line
// resistance is solved. Periphery (converters, amplifiers) is in peripherals.ts.
import { DeviceParamsError } from "../devices/params.js";

/**
 * How a cell is reached.
 * - "passive": the memristor alone at each crossing; a cell at a fraction f of the selected voltage conducts by
 *   its own I–V (K = 2 is Ohmic).
 * - "1S1R": a two-terminal selector in series; same half-select physics with the selector's K.
 * - "1T1R": a transistor per cell, gated by its row's word line: only cells whose gate is on and whose lines
 *   carry a voltage conduct; unselected cells carry no current and are never disturbed. Each word line switched
 *   on costs its capacitance times the word-line voltage squared.
 */
export type AccessKind = "passive" | "1S1R" | "1T1R";

export const ACCESS_KINDS: readonly AccessKind[] = ["passive", "1S1R", "1T1R"];

export interface ArrayParams {
  access: AccessKind;
  /**
   * Half-select nonlinearity K = I(V)/I(V/2) of one cell with its access device (passive and 1S1R): 2 is Ohmic.
   * Between the measured points a power law I(f·V) = I(V)·f^log2(K) (so I(V/3) = I(V)/3^log2(K)). Unused by 1T1R.
   */
  halfSelectNonlinearity: number;
  /** Row and column wire capacitance per cell pitch, farads: a line of n cells driven to V costs n·C·V². */
  lineCapacitanceFaradsPerCell: number;
  /** 1T1R only: word-line capacitance per cell (wire plus the access transistor's gate), farads. */
  gateCapacitanceFaradsPerCell: number;
  /** 1T1R only: the word-line (gate) voltage while a row is on. */
  wordLineVolts: number;
  /** Row and column wire resistance per cell pitch, ohms: used only when `irDrop` is on. */
  lineResistanceOhmsPerCell: number;
  /** Solve the node voltages of the resistive lines for reads and products (off: ideal lines, the products as before). */
  irDrop: boolean;
}

/** An Ohmic passive array of ideal wires: no half-select nonlinearity, no line capacitance, no IR drop. */
export const DEFAULT_ARRAY: Readonly<ArrayParams> = Object.freeze({
  access: "passive" as AccessKind,
  halfSelectNonlinearity: 2,
  lineCapacitanceFaradsPerCell: 0,
  gateCapacitanceFaradsPerCell: 0,
  wordLineVolts: 0,
  lineResistanceOhmsPerCell: 0,
  irDrop: false,
});

export function validateArrayParams(p: ArrayParams, at = "array."): ArrayParams {
  if (!ACCESS_KINDS.includes(p.access)) throw new DeviceParamsError(`${at}access`, p.access, `must be one of ${ACCESS_KINDS.join(", ")}`);
  for (const f of ["lineCapacitanceFaradsPerCell", "gateCapacitanceFaradsPerCell", "wordLineVolts", "lineResistanceOhmsPerCell"] as const) {
    if (typeof p[f] !== "number" || !Number.isFinite(p[f]) || p[f] < 0) throw new DeviceParamsError(`${at}${f}`, p[f], "must be a finite number ≥ 0");
  }
  if (typeof p.halfSelectNonlinearity !== "number" || !(p.halfSelectNonlinearity >= 1) || !Number.isFinite(p.halfSelectNonlinearity)) {
    throw new DeviceParamsError(`${at}halfSelectNonlinearity`, p.halfSelectNonlinearity, "must be a finite number ≥ 1 (2 is Ohmic)");
  }
  if (typeof p.irDrop !== "boolean") throw new DeviceParamsError(`${at}irDrop`, p.irDrop, "must be true or false");
  if (p.irDrop && !(p.lineResistanceOhmsPerCell > 0)) throw new DeviceParamsError(`${at}lineResistanceOhmsPerCell`, p.lineResistanceOhmsPerCell, "must be > 0 when irDrop is on");
  return p;
}
