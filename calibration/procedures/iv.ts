// I–V sweep per cell, inside the read limit: I = G(V)·V at voltages spread over ±maxReadVolts.
import type { Crossbar } from "../../src/hal/crossbar.js";
import type { CellRef } from "../cells.js";
import { ProcedureCost } from "../energy-tally.js";
import { noProgress, type ProgressFn } from "../progress.js";

export interface IvCurve {
  row: number;
  col: number;
  volts: number[];
  amperes: number[];
  /** Least-squares conductance through the origin, siemens, and the R² of I = G·V. */
  slopeSiemens: number;
  linearityR2: number;
}

export interface IvResult {
  curves: IvCurve[];
  cost: ReturnType<ProcedureCost["toJSON"]>;
}

export async function ivSweep(xbar: Crossbar, cells: CellRef[], points = 11, progress: ProgressFn = noProgress): Promise<IvResult> {
  const id = await xbar.identify();
  const vmax = id.limits.maxReadVolts;
  // Symmetric grid without 0 V (a zero-volt read carries no conductance information).
  const volts: number[] = [];
  for (let k = 0; k < points; k++) {
    const v = -vmax + (2 * vmax * k) / (points - 1);
    if (Math.abs(v) > 1e-12) volts.push(v);
  }
  const cost = new ProcedureCost();
  const curves: IvCurve[] = [];
  for (const [j, c] of cells.entries()) {
    const amperes: number[] = [];
    for (const v of volts) amperes.push(cost.add(await xbar.readCell(c.row, c.col, v), "read") * v);
    let sxy = 0, sxx = 0, syy = 0;
    for (let k = 0; k < volts.length; k++) {
      sxy += volts[k]! * amperes[k]!;
      sxx += volts[k]! * volts[k]!;
      syy += amperes[k]! * amperes[k]!;
    }
    const slope = sxy / sxx;
    let ssr = 0;
    for (let k = 0; k < volts.length; k++) ssr += (amperes[k]! - slope * volts[k]!) ** 2;
    curves.push({ row: c.row, col: c.col, volts, amperes, slopeSiemens: slope, linearityR2: syy > 0 ? 1 - ssr / syy : 1 });
    progress(j + 1, cells.length, "iv");
  }
  return { curves, cost: cost.toJSON() };
}
