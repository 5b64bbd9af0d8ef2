// Reads the whole array `reads` times and averages: the verify read every procedure uses.
import type { Crossbar } from "../../src/hal/crossbar.js";
import type { ProcedureCost } from "../energy-tally.js";

export async function averagedArray(xbar: Crossbar, reads: number, cost: ProcedureCost): Promise<Float64Array> {
  const first = cost.add(await xbar.readArray(), "read");
  if (reads <= 1) return first;
  const sum = Float64Array.from(first);
  for (let k = 1; k < reads; k++) {
    const g = cost.add(await xbar.readArray(), "read");
    for (let i = 0; i < sum.length; i++) sum[i]! += g[i]!;
  }
  for (let i = 0; i < sum.length; i++) sum[i]! /= reads;
  return sum;
}
