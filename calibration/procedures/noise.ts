// Read noise from repeats: the array read `repeats` times at a fixed state; relative std per cell, by the
// successive-difference estimate the crossbar store uses too (blind to a slow drift of the state).
import type { Crossbar } from "../../src/hal/crossbar.js";
import type { CellRef } from "../cells.js";
import { ProcedureCost } from "../energy-tally.js";
import { noProgress, type ProgressFn } from "../progress.js";
import { readStatistics } from "../../src/train/repeated-reads.js";

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
  const reads: Float64Array[] = [];
  for (let k = 0; k < repeats; k++) {
    reads.push(cost.add(await xbar.readArray(), "read"));
    progress(k + 1, repeats, "noise");
  }
  // Mean and read noise per cell as the crossbar store measures its floor (src/train/repeated-reads.ts).
  const stats = readStatistics(reads);
  const out = cells.map((c) => {
    const i = c.row * id.cols + c.col;
    return { row: c.row, col: c.col, meanSiemens: stats.mean[i]!, stdSiemens: Math.sqrt(stats.variance[i]!) };
  });
  const rel = out.filter((c) => c.meanSiemens > 0).map((c) => c.stdSiemens / c.meanSiemens).sort((a, b) => a - b);
  const readNoiseRelative = rel.length ? rel[Math.floor(rel.length / 2)]! : 0;
  return { repeats, cells: out, readNoiseRelative, cost: cost.toJSON() };
}
