// Repeated whole-array reads and what they say about each cell: its mean conductance and its read noise.
// The one implementation both characterisations use: the crossbar store's (the floor and the read noise
// of the devices it trains on, characterisation.ts) and calibration's procedures (read noise, and the
// averaged verify reads of the pulse response and the threshold search).
import type { Crossbar, Measured } from "../hal/crossbar.js";

/** Takes every backend answer, so the caller can account for it (a ledger activity, a procedure's cost). */
export type ReadRecorder = (m: Measured<Float64Array>) => void;

/** One whole-array read: at `volts`, or at the backend's own read voltage when none is given. */
export async function readArrayOnce(xbar: Crossbar, record: ReadRecorder, volts?: number): Promise<Float64Array> {
  const m = volts === undefined ? await xbar.readArray() : await xbar.readArray(volts);
  record(m);
  return m.value;
}

/** Reads the whole array `reads` times and averages (beats the read noise down by √reads). */
export async function averagedRead(xbar: Crossbar, reads: number, record: ReadRecorder, volts?: number): Promise<Float64Array> {
  const first = await readArrayOnce(xbar, record, volts);
  if (reads <= 1) return first;
  const sum = Float64Array.from(first);
  for (let k = 1; k < reads; k++) {
    const g = await readArrayOnce(xbar, record, volts);
    for (let i = 0; i < sum.length; i++) sum[i]! += g[i]!;
  }
  for (let i = 0; i < sum.length; i++) sum[i]! /= reads;
  return sum;
}

export interface ReadStatistics {
  /** Per cell: the mean of the reads, siemens. */
  mean: Float64Array;
  /**
   * Per cell: the read-noise variance, siemens², from successive differences: Σ(x_{k+1} − x_k)² / (2(N − 1))
   * (von Neumann's mean square successive difference). Unbiased for independent reads like the sample
   * variance, and blind to a slow drift of the state between reads (a floor still relaxing after RESET).
   */
  variance: Float64Array;
}

/** Per-cell mean and read-noise variance of N ≥ 2 reads of the same state (each rows × cols, row-major). */
export function readStatistics(reads: readonly Float64Array[]): ReadStatistics {
  const N = reads.length;
  if (N < 2) throw new Error(`read statistics need at least two reads of the same state, got ${N}`);
  const n = reads[0]!.length;
  const sum = Float64Array.from(reads[0]!);
  const sqd = new Float64Array(n);
  for (let k = 1; k < N; k++) {
    const prev = reads[k - 1]!, now = reads[k]!;
    for (let i = 0; i < n; i++) {
      sum[i]! += now[i]!;
      const d = now[i]! - prev[i]!;
      sqd[i]! += d * d;
    }
  }
  const mean = new Float64Array(n);
  const variance = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    mean[i] = sum[i]! / N;
    variance[i] = sqd[i]! / (2 * (N - 1));
  }
  return { mean, variance };
}
