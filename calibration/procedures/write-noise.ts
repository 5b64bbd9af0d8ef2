// Write (cycle-to-cycle) noise from blocks of pulses: each cell gets L potentiating pulses, then enough
// depressing ones to bring it back, again and again, with averaged reads between blocks. A block's change
// ΔG has mean L·s (the cell's own step where it sits) and variance L·σ²·s² + 2·σ_read²/R: over L pulses the
// write noise adds up while the read noise of the two ends does not, so it stands clear of the read noise
// that hides it in single-pulse pairs (there one reram step is ~1/15 of a read's noise).
import type { CellPulse, Crossbar } from "../../src/hal/crossbar.js";
import type { CellRef } from "../cells.js";
import { ProcedureCost } from "../energy-tally.js";
import { noProgress, type ProgressFn } from "../progress.js";
import { averagedRead } from "../../src/train/repeated-reads.js";
import { stopRequested } from "./safe-point.js";

export interface WriteNoiseOptions {
  cells: CellRef[];
  voltsPositive: number;
  voltsNegative: number;
  widthSeconds: number;
  /** Potentiating pulses per block, per cell (each cell's own: about a tenth of its range). */
  upPulses: number[];
  /** Up-then-down cycles. */
  cycles: number;
  readsPerPoint: number;
  signal?: AbortSignal;
}

export interface WriteNoiseCell {
  row: number;
  col: number;
  upPulses: number;
  /** Depressing pulses per block: set after the first cycle so a cycle comes back where it started. */
  downPulses: number;
  /** Averaged readings before the first block and after each (up, down, up, down, …). */
  siemens: number[];
}

export interface WriteNoiseResult {
  voltsPositive: number;
  voltsNegative: number;
  widthSeconds: number;
  readsPerPoint: number;
  cells: WriteNoiseCell[];
  cost: ReturnType<ProcedureCost["toJSON"]>;
}

export async function writeNoise(xbar: Crossbar, o: WriteNoiseOptions, progress: ProgressFn = noProgress): Promise<WriteNoiseResult | null> {
  const id = await xbar.identify();
  const maxCount = id.limits.maxPulseCount;
  const cost = new ProcedureCost();
  const cells: WriteNoiseCell[] = o.cells.map((c, j) => {
    const up = Math.max(1, Math.min(maxCount, Math.round(o.upPulses[j]!)));
    return { row: c.row, col: c.col, upPulses: up, downPulses: up, siemens: [] };
  });
  const read = async () => {
    const g = await averagedRead(xbar, o.readsPerPoint, (m) => cost.add(m, "read"));
    cells.forEach((c) => c.siemens.push(g[c.row * id.cols + c.col]!));
  };
  const block = async (sign: number) => {
    const batch: CellPulse[] = cells.map((c) => ({ kind: "cell", row: c.row, col: c.col, volts: sign > 0 ? o.voltsPositive : -o.voltsNegative, widthSeconds: o.widthSeconds, count: sign > 0 ? c.upPulses : c.downPulses }));
    const m = await xbar.program(batch);
    cost.add(m, "pulse", m.value.pulsesApplied);
    await read();
  };
  await read();
  for (let k = 0; k < o.cycles; k++) {
    if (await stopRequested(o.signal)) return null;
    await block(1);
    if (k === 0) {
      // Balance the first up block with as many down pulses as bring the cell back (a probe of one block).
      const probe: CellPulse[] = cells.map((c) => ({ kind: "cell", row: c.row, col: c.col, volts: -o.voltsNegative, widthSeconds: o.widthSeconds, count: c.upPulses }));
      const before = cells.map((c) => c.siemens.at(-1)!);
      const m = await xbar.program(probe);
      cost.add(m, "pulse", m.value.pulsesApplied);
      const g = await averagedRead(xbar, o.readsPerPoint, (m) => cost.add(m, "read"));
      cells.forEach((c, j) => {
        const rose = before[j]! - c.siemens.at(-2)!;
        const fell = before[j]! - g[c.row * id.cols + c.col]!;
        c.downPulses = rose > 0 && fell > 0 ? Math.max(1, Math.min(maxCount, Math.round((c.upPulses * rose) / fell))) : c.upPulses;
      });
      // The probe is not a block: start the record again from here.
      cells.forEach((c) => (c.siemens = [g[c.row * id.cols + c.col]!]));
      continue;
    }
    await block(-1);
    progress(k + 1, o.cycles, "write noise");
  }
  return { voltsPositive: o.voltsPositive, voltsNegative: o.voltsNegative, widthSeconds: o.widthSeconds, readsPerPoint: o.readsPerPoint, cells, cost: cost.toJSON() };
}

/**
 * σ (relative write noise) from the blocks: per cell and direction, the blocks' changes ΔG_b have mean μ = L·s and
 * variance L·σ²·s² + 2·σ_read²/R, so σ² = L·(Var − read part)/μ². Read noise per reading is readNoiseRelative·G/√R.
 * Pooled over cells and directions by summing numerators and denominators; null when nothing moved.
 */
export function writeNoiseFromBlocks(r: WriteNoiseResult, readNoiseRelative: number): { sigma: number; blocks: number } | null {
  let num = 0, den = 0, blocks = 0;
  for (const c of r.cells) {
    for (const [first, pulses] of [[0, c.upPulses], [1, c.downPulses]] as const) {
      const d: number[] = [], readVar: number[] = [];
      for (let k = first; k + 1 < c.siemens.length; k += 2) {
        d.push(c.siemens[k + 1]! - c.siemens[k]!);
        readVar.push(((readNoiseRelative * c.siemens[k]!) ** 2 + (readNoiseRelative * c.siemens[k + 1]!) ** 2) / r.readsPerPoint);
      }
      if (d.length < 3) continue;
      const mu = d.reduce((s, v) => s + v, 0) / d.length;
      // From successive blocks' differences: a slow wander of the cell's level (and so of its step) cancels.
      let succ = 0;
      for (let b = 1; b < d.length; b++) succ += (d[b]! - d[b - 1]!) ** 2;
      const v = succ / (2 * (d.length - 1));
      const read = readVar.reduce((s, x) => s + x, 0) / readVar.length;
      if (mu === 0) continue;
      // Weighted by the blocks: each cell-direction's estimate L·(v − read)/μ² enters with weight μ²/L.
      num += (v - read) * d.length;
      den += (mu * mu * d.length) / pulses;
      blocks += d.length;
    }
  }
  return den > 0 ? { sigma: Math.sqrt(Math.max(0, num / den)), blocks } : null;
}
