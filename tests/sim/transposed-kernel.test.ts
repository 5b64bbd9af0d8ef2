// The transposed product kernel (mvm-kernels.wat) against its documented order of float32 operations, emulated with
// Math.fround: per row, four accumulators of four lanes over groups of sixteen columns (all-zero groups skipped), the
// columns past the last whole group four at a time into the first, then (a0 + a1) + (a2 + a3) and the lanes pairwise.
// Rows go two at a time in the kernel (and the last of an odd count alone): each must still be exactly its own sum.
import { describe, expect, it } from "vitest";
import { MvmEngine } from "../../sim/crossbar/mvm-engine.js";
import { Rng } from "../../src/random/rng.js";

const f = Math.fround;

function expectedRow(g: Float32Array, x: Float32Array, row: number, stride: number): number {
  const acc = [0, 1, 2, 3].map(() => [0, 0, 0, 0]);
  const groupsEnd = Math.floor(stride / 16) * 16;
  for (let c = 0; c < groupsEnd; c += 16) {
    let driven = false;
    for (let j = c; j < c + 16; j++) driven ||= x[j] !== 0;
    if (!driven) continue;
    for (let k = 0; k < 4; k++) {
      for (let l = 0; l < 4; l++) {
        const j = c + 4 * k + l;
        acc[k]![l] = f(acc[k]![l]! + f(g[row * stride + j]! * x[j]!));
      }
    }
  }
  for (let c = groupsEnd; c + 4 <= stride; c += 4) {
    for (let l = 0; l < 4; l++) acc[0]![l] = f(acc[0]![l]! + f(g[row * stride + c + l]! * x[c + l]!));
  }
  const lane = (l: number) => f(f(acc[0]![l]! + acc[1]![l]!) + f(acc[2]![l]! + acc[3]![l]!));
  return f(f(lane(0) + lane(1)) + f(lane(2) + lane(3)));
}

describe("transposed product kernel", () => {
  for (const [rows, cols] of [[1, 17], [2, 16], [7, 9], [33, 50], [64, 64], [5, 130]] as const) {
    it(`${rows}×${cols}: every row's current is exactly its documented float32 sum (driven and undriven groups)`, () => {
      const e = new MvmEngine(rows, cols);
      const rng = new Rng(rows * 1000 + cols);
      for (let i = 0; i < e.g32.length; i++) e.g32[i] = i % e.stride < cols ? rng.uniform() * 1e-4 : 0;
      for (let rep = 0; rep < 6; rep++) {
        e.input.fill(0);
        for (let j = 0; j < cols; j++) e.input[j] = rep % 2 === 0 && j % 40 < 20 ? 0 : (rng.uniform() * 2 - 1) * 0.2;
        e.transposed();
        const want = Array.from({ length: rows }, (_, r) => expectedRow(e.g32, e.input, r, e.stride));
        expect(Array.from(e.output.subarray(0, rows))).toEqual(want);
      }
    });
  }
});
