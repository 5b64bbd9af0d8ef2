// Switching-threshold search: mean conductance change per pulse against amplitude, each polarity,
// from a mid-range state; amplitudes rise from well below the program limit up to it.
import type { CellPulse, Crossbar } from "../../src/hal/crossbar.js";
import type { CellRef } from "../cells.js";
import { ProcedureCost } from "../energy-tally.js";
import { noProgress, type ProgressFn } from "../progress.js";
import { averagedRead } from "../../src/train/repeated-reads.js";
import { stopRequested } from "./safe-point.js";

export interface ThresholdOptions {
  cells: CellRef[];
  widthSeconds: number;
  /** Amplitudes tried per polarity (magnitudes, volts); default: 12 steps from 20 % to 100 % of the limit. */
  amplitudes?: number;
  pulsesPerAmplitude: number;
  readsPerPoint: number;
  /** Stops after the amplitude in flight; a search cut short has no result (a partial ladder would bias the fit). */
  signal?: AbortSignal;
}

export interface ThresholdPoint {
  volts: number;
  /** Mean conductance change per pulse over the cells, siemens (signed), and its standard error. */
  meanStepSiemens: number;
  stepStdErrSiemens: number;
  /**
   * Mean conductance over the cells before and after this amplitude's pulses: the state the step was taken at.
   * A state-dependent law (soft bounds, exp step) scales the step by where the cells are, and the ladder drifts
   * (prezioso's up steps are 15 % larger than its down steps at the same amplitude): the fit divides that out.
   * Absent in files written before it was recorded.
   */
  meanSiemensBefore?: number;
  meanSiemensAfter?: number;
}

export interface ThresholdResult {
  widthSeconds: number;
  positive: ThresholdPoint[];
  negative: ThresholdPoint[];
  cost: ReturnType<ProcedureCost["toJSON"]>;
}

export async function thresholdSearch(xbar: Crossbar, o: ThresholdOptions, progress: ProgressFn = noProgress): Promise<ThresholdResult | null> {
  const id = await xbar.identify();
  const cost = new ProcedureCost();
  const n = o.amplitudes ?? 12;
  const grid = (vmax: number) => Array.from({ length: n }, (_, k) => vmax * (0.2 + (0.8 * k) / (n - 1)));
  const positive: ThresholdPoint[] = [];
  const negative: ThresholdPoint[] = [];
  const pulseAll = async (volts: number) => {
    const batch: CellPulse[] = o.cells.map((c) => ({ kind: "cell", row: c.row, col: c.col, volts, widthSeconds: o.widthSeconds, count: o.pulsesPerAmplitude }));
    const m = await xbar.program(batch);
    cost.add(m, "pulse", m.value.pulsesApplied);
  };
  const change = (before: Float64Array, after: Float64Array): ThresholdPoint & { volts: number } => {
    const d = o.cells.map((c) => (after[c.row * id.cols + c.col]! - before[c.row * id.cols + c.col]!) / o.pulsesPerAmplitude);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, d.length - 1));
    const meanAt = (g: Float64Array) => o.cells.reduce((s, c) => s + g[c.row * id.cols + c.col]!, 0) / o.cells.length;
    return { volts: 0, meanStepSiemens: mean, stepStdErrSiemens: sd / Math.sqrt(d.length), meanSiemensBefore: meanAt(before), meanSiemensAfter: meanAt(after) };
  };
  const vp = grid(id.limits.maxProgramVoltsPositive);
  const vn = grid(id.limits.maxProgramVoltsNegative);
  for (let k = 0; k < n; k++) {
    if (await stopRequested(o.signal)) return null;
    // Up then down at the same magnitude keeps the cells near where they started.
    const g0 = await averagedRead(xbar, o.readsPerPoint, (m) => cost.add(m, "read"));
    await pulseAll(vp[k]!);
    const g1 = await averagedRead(xbar, o.readsPerPoint, (m) => cost.add(m, "read"));
    positive.push({ ...change(g0, g1), volts: vp[k]! });
    await pulseAll(-vn[k]!);
    const g2 = await averagedRead(xbar, o.readsPerPoint, (m) => cost.add(m, "read"));
    negative.push({ ...change(g1, g2), volts: -vn[k]! });
    progress(k + 1, n, "threshold");
  }
  return { widthSeconds: o.widthSeconds, positive, negative, cost: cost.toJSON() };
}
