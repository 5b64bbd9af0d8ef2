// Charging the array's wires: a line of n cells driven from 0 to u draws C·u² from its driver, C = n·C_cell
// (half is stored and then dumped when the line returns to ground, half dissipated on the way up).
import type { HalfSelectScheme } from "../../src/hal/crossbar.js";
import type { ArrayParams } from "./array-params.js";

/** One line of `cells` cells driven to `volts`. */
export function lineDriveJoules(a: Readonly<ArrayParams>, cells: number, volts: number): number {
  return cells * a.lineCapacitanceFaradsPerCell * volts * volts;
}

/** One 1T1R word line (a row of `cols` gates) switched on; 0 on arrays without transistors. */
export function wordLineJoules(a: Readonly<ArrayParams>, cols: number): number {
  return a.access === "1T1R" ? cols * a.gateCapacitanceFaradsPerCell * a.wordLineVolts * a.wordLineVolts : 0;
}

/** Line and word-line joules of one row- or column-parallel pulse round with `m` selected crossing lines. */
export interface PulseDriveJoules {
  lines: number;
  gates: number;
}

/**
 * Passive and 1S1R: the driven line at V, the selected crossing lines at 0, the other parallel lines at V/2
 * (V/3) and the unselected crossing lines at V/2 (2V/3). 1T1R: the word line of every row holding a selected
 * cell is on and the selected crossing lines carry V; every other line stays at 0.
 */
export function pulseDriveJoules(a: Readonly<ArrayParams>, rowKind: boolean, rows: number, cols: number, m: number, volts: number, scheme: HalfSelectScheme): PulseDriveJoules {
  const parallel = rowKind ? rows : cols;
  const crossing = rowKind ? cols : rows;
  // A parallel line spans the crossing lines' count of cells, and the other way round.
  const parallelCells = crossing, crossingCells = parallel;
  if (a.access === "1T1R") {
    const lines = m * lineDriveJoules(a, crossingCells, volts);
    return { lines, gates: (rowKind ? 1 : m) * wordLineJoules(a, cols) };
  }
  const third = scheme === "V/3";
  const vParallel = third ? volts / 3 : volts / 2;
  const vCrossing = third ? (2 * volts) / 3 : volts / 2;
  const lines =
    lineDriveJoules(a, parallelCells, volts) +
    (parallel - 1) * lineDriveJoules(a, parallelCells, vParallel) +
    (crossing - m) * lineDriveJoules(a, crossingCells, vCrossing);
  return { lines, gates: 0 };
}
