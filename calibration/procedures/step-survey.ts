// Step survey: the device-to-device spread of the step, from many cells and few pulses each. The pulse response
// fits the step law on a few cells (16 by default); the spread between cells is then known only to ±18 % (one
// standard error of a standard deviation from 16 cells, both directions), and training is set by the far tail of
// that spread (the slowest of the array's cells decides how many RESET bursts bring every cell to its floor; on
// prezioso σ = 0.318 for 0.30 made the twin's refresh 25 % dearer). Here every cell (up to SURVEY_CELLS) is driven
// to its floor, given a short burst of potentiating pulses, driven to its ceiling and given a short burst of
// depressing ones, with averaged reads at each stop: a cell's step in each direction is measured from its own
// bound, where every family's step law is at its full nominal step.
import type { CellPulse, Crossbar } from "../../src/hal/crossbar.js";
import type { CellRef } from "../cells.js";
import { ProcedureCost } from "../energy-tally.js";
import { noProgress, type ProgressFn } from "../progress.js";
import { averagedRead } from "../../src/train/repeated-reads.js";
import { stopRequested } from "./safe-point.js";

/** Cells surveyed at most: 4,096 (both directions, 8,192 steps) give the spread to ±0.8 % (1/√(2·8,192)). */
export const SURVEY_CELLS = 4096;

export interface StepSurveyOptions {
  cells: CellRef[];
  voltsPositive: number;
  voltsNegative: number;
  widthSeconds: number;
  /** Pulses that drive a cell from anywhere to its bound (the pulse response's longest sweep, with margin). */
  boundPulses: number;
  /** Pulses of the short burst each direction (about a tenth of the range for the typical cell). */
  stepPulses: number;
  readsPerPoint: number;
  signal?: AbortSignal;
}

export interface StepSurveyCell {
  row: number;
  col: number;
  /** Averaged readings: at the floor, after the up burst, at the ceiling, after the down burst. */
  siemens: [number, number, number, number];
}

export interface StepSurveyResult {
  voltsPositive: number;
  voltsNegative: number;
  widthSeconds: number;
  readsPerPoint: number;
  boundPulses: number;
  stepPulses: number;
  cells: StepSurveyCell[];
  cost: ReturnType<ProcedureCost["toJSON"]>;
}

export async function stepSurvey(xbar: Crossbar, o: StepSurveyOptions, progress: ProgressFn = noProgress): Promise<StepSurveyResult | null> {
  const id = await xbar.identify();
  const maxCount = id.limits.maxPulseCount;
  const cost = new ProcedureCost();
  const readings: number[][] = o.cells.map(() => []);
  const read = async () => {
    const g = await averagedRead(xbar, o.readsPerPoint, (m) => cost.add(m, "read"));
    o.cells.forEach((c, j) => readings[j]!.push(g[c.row * id.cols + c.col]!));
  };
  /** `count` pulses of one polarity on every surveyed cell, in requests of at most the device's pulse count. */
  const pulses = async (sign: number, count: number) => {
    for (let done = 0; done < count; done += maxCount) {
      const n = Math.min(maxCount, count - done);
      const batch: CellPulse[] = o.cells.map((c) => ({ kind: "cell", row: c.row, col: c.col, volts: sign > 0 ? o.voltsPositive : -o.voltsNegative, widthSeconds: o.widthSeconds, count: n }));
      const m = await xbar.program(batch);
      cost.add(m, "pulse", m.value.pulsesApplied);
    }
  };
  const stages: [number, number][] = [[-1, o.boundPulses], [1, o.stepPulses], [1, o.boundPulses], [-1, o.stepPulses]];
  for (const [k, [sign, count]] of stages.entries()) {
    if (await stopRequested(o.signal)) return null;
    await pulses(sign, count);
    await read();
    progress(k + 1, stages.length, "step survey");
  }
  const cells = o.cells.map((c, j) => ({ row: c.row, col: c.col, siemens: readings[j] as [number, number, number, number] }));
  return { voltsPositive: o.voltsPositive, voltsNegative: o.voltsNegative, widthSeconds: o.widthSeconds, readsPerPoint: o.readsPerPoint, boundPulses: o.boundPulses, stepPulses: o.stepPulses, cells, cost: cost.toJSON() };
}
