// Pulse-response curves: conductance against pulse number, depression to the floor, potentiation to the
// ceiling, depression again, at one amplitude and width. The raw material of the device-model fit.
import type { CellPulse, Crossbar } from "../../src/hal/crossbar.js";
import type { CellRef } from "../cells.js";
import { ProcedureCost } from "../energy-tally.js";
import { noProgress, type ProgressFn } from "../progress.js";
import { averagedRead } from "../../src/train/repeated-reads.js";
import { stopRequested } from "./safe-point.js";

export interface PulseResponseOptions {
  cells: CellRef[];
  /** Potentiating amplitude (positive) and depressing amplitude (magnitude), volts. */
  voltsPositive: number;
  voltsNegative: number;
  widthSeconds: number;
  /** Pulses in each sweep (floor, up, down). Enough to reach both bounds. */
  pulsesPerSweep: number;
  /** Reads averaged at each point (beats read noise down by √reads). */
  readsPerPoint: number;
  /** Pulses between two reads (default 1): raise it when one step is far below the read noise. */
  pulsesPerPoint?: number;
  /** Stops after the pulse group in flight: the result then holds the groups measured so far. */
  signal?: AbortSignal;
}

export interface PulseResponseCurve {
  row: number;
  col: number;
  /** Conductance (siemens) before the first pulse and after each pulse, in the order applied. */
  siemens: number[];
  /** Polarity of pulse k (+1 up, −1 down); siemens[k+1] is after pulse k. */
}

export interface PulseResponseResult {
  voltsPositive: number;
  voltsNegative: number;
  widthSeconds: number;
  readsPerPoint: number;
  /** Pulses between two readings: polarity[k] is the polarity of the k-th group of this many pulses. */
  pulsesPerPoint: number;
  /** Polarity of each pulse group in the sequence (+1/−1), shared by every cell. */
  polarity: number[];
  curves: PulseResponseCurve[];
  cost: ReturnType<ProcedureCost["toJSON"]>;
}

export async function pulseResponse(xbar: Crossbar, o: PulseResponseOptions, progress: ProgressFn = noProgress): Promise<PulseResponseResult> {
  const id = await xbar.identify();
  const cost = new ProcedureCost();
  const perPoint = Math.max(1, Math.min(o.pulsesPerPoint ?? 1, id.limits.maxPulseCount));
  const groups = Math.max(1, Math.round(o.pulsesPerSweep / perPoint));
  const polarity: number[] = [];
  for (const sign of [-1, 1, -1]) {
    for (let k = 0; k < groups; k++) polarity.push(sign);
  }
  const batch = (sign: number): CellPulse[] =>
    o.cells.map((c) => ({ kind: "cell", row: c.row, col: c.col, volts: sign > 0 ? o.voltsPositive : -o.voltsNegative, widthSeconds: o.widthSeconds, count: perPoint }));
  const up = batch(1);
  const down = batch(-1);
  const curves: PulseResponseCurve[] = o.cells.map((c) => ({ row: c.row, col: c.col, siemens: [] }));
  const record = (g: Float64Array) => o.cells.forEach((c, j) => curves[j]!.siemens.push(g[c.row * id.cols + c.col]!));
  record(await averagedRead(xbar, o.readsPerPoint, (m) => cost.add(m, "read")));
  let done = 0;
  for (const [k, sign] of polarity.entries()) {
    if (await stopRequested(o.signal)) break;
    const m = await xbar.program(sign > 0 ? up : down);
    cost.add(m, "pulse", m.value.pulsesApplied);
    record(await averagedRead(xbar, o.readsPerPoint, (m) => cost.add(m, "read")));
    done = k + 1;
    if ((k + 1) % 16 === 0 || k + 1 === polarity.length) progress(k + 1, polarity.length, "pulse response");
  }
  // Cut short, the curves are still a valid (shorter) sequence: one reading before and one after each group.
  return { voltsPositive: o.voltsPositive, voltsNegative: o.voltsNegative, widthSeconds: o.widthSeconds, readsPerPoint: o.readsPerPoint, pulsesPerPoint: perPoint, polarity: polarity.slice(0, done), curves, cost: cost.toJSON() };
}
