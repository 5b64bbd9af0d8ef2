// Pulse-response curves: conductance against pulse number, depression to the floor, potentiation to the
// ceiling, depression again, at one amplitude and width. The raw material of the device-model fit.
// Each sweep runs until every measured cell has settled at its bound (or a cap): a fixed pulse count left
// slow-depressing devices (reram's exp-step RESET near G_min) far above their floor, and the fit then took
// that level for G_min.
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
  /** Fewest pulses in each sweep (floor, up, down); a sweep goes on until its cells settle. */
  pulsesPerSweep: number;
  /** Most pulses in one sweep (default 4 × pulsesPerSweep): the response stops there, marked unsettled. */
  maxPulsesPerSweep?: number;
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
  /**
   * False when the last sweep in `polarity` did not reach its plateau: it hit its most pulses (the pulse is too
   * weak) or the signal cut it short; the rest was not run. A fit takes no bound from an open sweep.
   */
  settled?: boolean;
}

export async function pulseResponse(xbar: Crossbar, o: PulseResponseOptions, progress: ProgressFn = noProgress): Promise<PulseResponseResult> {
  const id = await xbar.identify();
  const cost = new ProcedureCost();
  const perPoint = Math.max(1, Math.min(o.pulsesPerPoint ?? 1, id.limits.maxPulseCount));
  const groups = Math.max(1, Math.round(o.pulsesPerSweep / perPoint));
  const maxGroups = Math.max(groups, Math.round((o.maxPulsesPerSweep ?? 4 * o.pulsesPerSweep) / perPoint));
  const polarity: number[] = [];
  const batch = (sign: number): CellPulse[] =>
    o.cells.map((c) => ({ kind: "cell", row: c.row, col: c.col, volts: sign > 0 ? o.voltsPositive : -o.voltsNegative, widthSeconds: o.widthSeconds, count: perPoint }));
  const up = batch(1);
  const down = batch(-1);
  const curves: PulseResponseCurve[] = o.cells.map((c) => ({ row: c.row, col: c.col, siemens: [] }));
  const record = (g: Float64Array) => o.cells.forEach((c, j) => curves[j]!.siemens.push(g[c.row * id.cols + c.col]!));
  record(await averagedRead(xbar, o.readsPerPoint, (m) => cost.add(m, "read")));
  // Progress counts the minimum sweeps; a sweep that runs on past its minimum raises the total.
  let total = 3 * groups;
  let settled = true;
  sweeps: for (const sign of [-1, 1, -1]) {
    const start = polarity.length;
    const lo = curves.map((c) => c.siemens[start]!), hi = [...lo];
    for (let k = 0; ; k++) {
      // Checked every few groups (the window grows with the sweep), not after each: the check reads the window.
      const window = settleWindow(k);
      const check = k >= groups && (k % Math.max(1, Math.floor(window / 4)) === 0 || k === maxGroups);
      if (check && sweepSettled(curves, polarity.length, window, lo.map((l, j) => hi[j]! - l))) break;
      if (k === maxGroups) {
        settled = false;
        break sweeps;
      }
      if (await stopRequested(o.signal)) {
        // A sweep stopped before its first group leaves every sweep in the sequence closed.
        settled = k === 0;
        break sweeps;
      }
      const m = await xbar.program(sign > 0 ? up : down);
      cost.add(m, "pulse", m.value.pulsesApplied);
      record(await averagedRead(xbar, o.readsPerPoint, (m) => cost.add(m, "read")));
      polarity.push(sign);
      curves.forEach((c, j) => {
        const g = c.siemens[c.siemens.length - 1]!;
        lo[j] = Math.min(lo[j]!, g);
        hi[j] = Math.max(hi[j]!, g);
      });
      if (k >= groups) total++;
      if (polarity.length % 16 === 0) progress(polarity.length, total, "pulse response");
    }
  }
  progress(polarity.length, total, "pulse response");
  // Cut short, the curves are still a valid (shorter) sequence: one reading before and one after each group.
  return { voltsPositive: o.voltsPositive, voltsNegative: o.voltsNegative, widthSeconds: o.widthSeconds, readsPerPoint: o.readsPerPoint, pulsesPerPoint: perPoint, polarity, curves, cost: cost.toJSON(), settled };
}

/** Whether a response pulsed up at all: one stopped in its first sweep (toward the floor) has no step law to fit. */
export const pulsedUp = (r: { polarity: readonly number[] }): boolean => r.polarity.includes(1);

/** Readings compared at each end of the settling test: a twentieth of the sweep so far, at least 8. */
const settleWindow = (groupsSoFar: number) => Math.max(8, Math.floor(groupsSoFar / 20));

/**
 * True when every cell has stopped moving: the mean of its last h readings (up to reading `end`) differs from
 * the mean of the h before by under 1 % of its swing in this sweep plus three standard errors of that
 * difference. A window that grows with the sweep tells a slow steady approach (still moving) from a plateau; the
 * read noise is estimated from successive differences, so a stuck or noisy cell settles too.
 */
export function sweepSettled(curves: PulseResponseCurve[], end: number, h: number, swingSiemens: number[]): boolean {
  if (end + 1 < 2 * h) return false;
  return curves.every((c, j) => {
    const tail = c.siemens.slice(end + 1 - 2 * h, end + 1);
    let last = 0, before = 0, diff2 = 0;
    for (let i = 0; i < h; i++) {
      before += tail[i]! / h;
      last += tail[h + i]! / h;
    }
    for (let i = 1; i < tail.length; i++) diff2 += (tail[i]! - tail[i - 1]!) ** 2;
    const readSigma = Math.sqrt(diff2 / (2 * (tail.length - 1)));
    return Math.abs(last - before) <= 0.01 * swingSiemens[j]! + 3 * readSigma * Math.sqrt(2 / h);
  });
}
