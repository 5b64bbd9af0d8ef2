// A cell's current and power at a fraction of the selected voltage, through its access device (array-params.ts).
import type { ArrayParams } from "./array-params.js";

/**
 * Current of a non-selected cell of conductance g (its conductance at the selected voltage) whose voltage is
 * vCell while selected cells see vSelected: 0 on 1T1R (its transistor is off, or its lines carry no voltage);
 * otherwise I(vSelected)·|f|^log2(K)·sign(f), f = vCell/vSelected, so I(V/2) = I(V)/K exactly.
 */
export function unselectedCellAmperes(a: Readonly<ArrayParams>, g: number, vCell: number, vSelected: number): number {
  if (a.access === "1T1R" || vCell === 0) return 0;
  const full = g * vSelected;
  const f = vCell / vSelected;
  return Math.sign(f) * Math.abs(full) * Math.pow(Math.abs(f), Math.log2(a.halfSelectNonlinearity)) * Math.sign(vSelected);
}

/**
 * Power of a non-selected cell relative to the Ohmic power g·vCell² it would draw at the same voltage:
 * |f|^(log2 K − 1) (1 when K = 2, returned exactly so Ohmic arrays keep their energies bit for bit; 0 on 1T1R).
 */
export function unselectedPowerRatio(a: Readonly<ArrayParams>, vCell: number, vSelected: number): number {
  if (a.access === "1T1R") return 0;
  if (a.halfSelectNonlinearity === 2 || vCell === 0) return 1;
  return Math.pow(Math.abs(vCell / vSelected), Math.log2(a.halfSelectNonlinearity) - 1);
}

/** True when unselected cells see no voltage at all (1T1R): no half-select current and no disturb. */
export const unselectedIsolated = (a: Readonly<ArrayParams>): boolean => a.access === "1T1R";
