// Read noise from repeats: the array read `repeats` times at a fixed state; relative std per cell.
import type { Crossbar } from "../../src/hal/crossbar.js";
import type { CellRef } from "../cells.js";
import { ProcedureCost } from "../energy-tally.js";
import { noProgress, type ProgressFn } from "../progress.js";

export interface NoiseResult {
  repeats: number;
  cells: { row: number; col: number; meanSiemens: number; stdSiemens: number }[];
  /** Median over cells of std/mean: the relative read noise. */
  readNoiseRelative: number;
  cost: ReturnType<ProcedureCost["toJSON"]>;
}

export async function readNoise(xbar: Crossbar, cells: CellRef[], repeats = 32, progress: ProgressFn = noProgress): Promise<NoiseResult> {
  const id = await xbar.identify();
  const cost = new ProcedureCost();
  const sum = new Float64Array(cells.length);
  const sumSq = new Float64Array(cells.length);
  for (let k = 0; k < repeats; k++) {
    const g = cost.add(await xbar.readArray(), "read");
    cells.forEach((c, j) => {
      const v = g[c.row * id.cols + c.col]!;
      sum[j]! += v;
      sumSq[j]! += v * v;
    });
    progress(k + 1, repeats, "noise");
  }
  const out = cells.map((c, j) => {
    const mean = sum[j]! / repeats;
    const variance = Math.max(0, (sumSq[j]! - repeats * mean * mean) / (repeats - 1));
    return { row: c.row, col: c.col, meanSiemens: mean, stdSiemens: Math.sqrt(variance) };
  });
  const rel = out.filter((c) => c.meanSiemens > 0).map((c) => c.stdSiemens / c.meanSiemens).sort((a, b) => a - b);
  const readNoiseRelative = rel.length ? rel[Math.floor(rel.length / 2)]! : 0;
  return { repeats, cells: out, readNoiseRelative, cost: cost.toJSON() };
}
