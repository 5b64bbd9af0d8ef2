// A product's three parts and its duration, accounted vector by vector on a binary grid, so that a call's answer
// does not depend on how its vectors were grouped. The serial driver splits one call into lines (5+5 vectors on a
// clean link, 2+2+2+2+2 on a noisy one) and adds the lines' answers; float64 sums in other groupings differ in the
// last bits. Each vector's cell and peripheral joules and its seconds are rounded to a multiple of a power of two
// (the part's quantum), fixed by the array's own parameters: then every partial sum of a call is an integer number
// of quanta below 2^53, which float64 holds exactly, whatever the grouping.
//
// The quantum is 2^(⌈log2 bound⌉ − bits), `bound` an upper bound of the part for one vector; a vector then takes at
// most `bits` significant bits, and any call of up to 2^(53 − bits) worst-case vectors sums exactly (far more real
// ones: they sit below the bound). The finer split (components) is not rounded: a part differs from the sum of its
// components by at most vectors × quantum / 2, ~1e-13 of it in the presets' products.
import type { ArrayParams } from "./array-params.js";
import { lineDriveJoules, wordLineJoules } from "./line-drive.js";
import type { PeripheralParams } from "./peripherals.js";

/** Significant bits of a vector's peripheral joules and seconds: sums of up to 2^(53 − 44) = 512 worst-case vectors are exact. */
export const GRID_BITS = 44;

/**
 * The cells' grid is 8× finer: their bound drives every input at the read limit into every cell at the largest
 * conductance, so a real vector's cell joules sit one to two decades below it (the periphery's fixed converter costs
 * sit at theirs), and a product's cell joules must still match V²·ΣG·t to 12 digits (tests/sim/known-answers.test.ts,
 * ir-drop.test.ts). Sums of up to 64 worst-case vectors, ~1000 real ones, are exact.
 */
export const CELL_GRID_BITS = 47;

/** The grid of one product direction: quanta and the per-vector terms its peripheral part is made of. */
export interface ProductGrid {
  /** Quantum of one vector's cell joules, J (a power of two; 0: no grid, the part is always 0). */
  cellQuantum: number;
  /** Quantum of one vector's peripheral joules, J. */
  peripheralQuantum: number;
  /** A vector's peripheral joules that do not depend on its inputs: converters, amplifiers, word lines, leakage. */
  peripheralFixedJoules: number;
  /** One row's word line switched on, joules (1T1R; 0 otherwise): every row's, once per vector. */
  wordLineJoules: number;
  /** A vector's line-charging joules per V² of its inputs (Σ_i v_i²): the input lines charged once per vector. */
  lineChargingJoulesPerV2: number;
  /** One vector's duration, seconds: the settling time on its grid. */
  seconds: number;
}

/** The power of two that leaves a value up to `bound` `bits` significant bits; 0 for a bound of 0 (a part always 0). */
export function gridQuantum(bound: number, bits: number): number {
  return bound > 0 ? 2 ** (Math.ceil(Math.log2(bound)) - bits) : 0;
}

/** x to the nearest multiple of `quantum` (halves up), exactly: x/quantum and the product are exact for a power of two.
 *  mvm-readout.wat computes the same expression. */
export function onGrid(x: number, quantum: number): number {
  return quantum > 0 ? Math.floor(x / quantum + 0.5) * quantum : x;
}

export interface ProductGridArray {
  rows: number;
  cols: number;
  /** Input and output lines of the direction. */
  nIn: number;
  nOut: number;
  /** The read limit (volts) and the largest device conductance (siemens) of the array. */
  maxReadVolts: number;
  gCeilingSiemens: number;
}

/**
 * The grid of one direction. Bounds per vector: cells maxV²·rows·cols·G_max·t (every cell at the ceiling, every
 * input at the limit); the periphery its fixed part, the input lines charged to the limit and, with resistive
 * lines, the wires (their dissipation and the cells' together stay below the ideal-wire cells' bound).
 */
export function productGrid(p: Readonly<PeripheralParams>, a: Readonly<ArrayParams>, s: ProductGridArray): ProductGrid {
  const t = p.settlingSeconds;
  const maxV2 = s.maxReadVolts * s.maxReadVolts;
  const cellBound = maxV2 * s.rows * s.cols * s.gCeilingSiemens * t;
  const wordLine = wordLineJoules(a, s.cols);
  const peripheralFixedJoules =
    s.nOut * p.adcJoulesPerConversion + s.nIn * p.dacJoulesPerConversion + s.nOut * p.tiaJoulesPerSense +
    (s.rows + s.cols) * p.leakageWattsPerLine * t + s.rows * wordLine;
  const lineChargingJoulesPerV2 = lineDriveJoules(a, s.nOut, 1);
  const peripheralBound = peripheralFixedJoules + lineChargingJoulesPerV2 * s.nIn * maxV2 + (a.irDrop ? cellBound : 0);
  return {
    cellQuantum: gridQuantum(cellBound, CELL_GRID_BITS),
    peripheralQuantum: gridQuantum(peripheralBound, GRID_BITS),
    peripheralFixedJoules,
    wordLineJoules: wordLine,
    lineChargingJoulesPerV2,
    seconds: onGrid(t, gridQuantum(t, GRID_BITS)),
  };
}
