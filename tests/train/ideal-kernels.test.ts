// The ideal store's f64x2 kernels (ideal-kernels.wat via KernelHeap) give the bits of the JS reference
// functions, element by element, on random inputs with zeros (and −0), odd and even widths, group tails;
// and a session on kernel buffers trains to exactly the weights of one on plain arrays (the JS path).
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/random/rng.js";
import { parseTrainConfig } from "../../src/train/config.js";
import type { Dataset } from "../../src/train/datasets.js";
import { forwardProduct, IdealStore, sparseInputUpdate, transposedProduct, type SparseScratch } from "../../src/train/ideal-store.js";
import { KernelHeap } from "../../src/train/kernel-heap.js";
import { Relaxation } from "../../src/train/relaxation.js";
import { accumulateUpdate } from "../../src/train/store.js";
import { TrainingSession } from "../../src/train/session.js";

/** relaxation.ts's first-hidden-layer step, as the JS loop computes it. */
function stepReference(s: Float64Array, below: Float64Array, above: Float64Array, count: number, eps: number): void {
  const keep = 1 - eps;
  for (let k = 0; k < count; k++) {
    const v = keep * s[k]! + eps * (below[k]! + above[k]!);
    s[k] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
}

/** Values in [lo, hi), a fraction `zeros` of them 0 and a few −0. */
function fill(a: Float64Array, rng: Rng, zeros: number, lo = -1, hi = 1): Float64Array {
  for (let k = 0; k < a.length; k++) {
    const u = rng.uniform();
    a[k] = u < zeros ? (u < zeros / 8 ? -0 : 0) : lo + (hi - lo) * rng.uniform();
  }
  return a;
}

function expectSameBits(got: Float64Array, want: Float64Array): void {
  expect(got.length).toBe(want.length);
  for (let k = 0; k < want.length; k++) if (!Object.is(got[k], want[k])) expect(`${k}: ${got[k]}`).toBe(`${k}: ${want[k]}`);
}

const emptyScratch = (): SparseScratch => ({ colStart: new Int32Array(0), colSample: new Int32Array(0), colValue: new Float64Array(0), nzCount: new Int32Array(0), nzIndex: new Int32Array(0), nzValue: new Float64Array(0), acc: new Float64Array(0) });

// Widths cover 8-column blocks, 2-column blocks and an odd last column; zero fractions cover every group tail.
const SHAPES: [number, number, number][] = [[1, 1, 1], [5, 3, 2], [9, 10, 4], [23, 17, 3], [40, 8, 5], [61, 33, 7], [784, 500, 3]];

describe("ideal-store kernels", () => {
  it("forward, transposed and step equal forwardProduct, transposedProduct and the JS step bit for bit", () => {
    const rng = new Rng(20);
    for (const [nIn, nOut, batch] of SHAPES) {
      for (const zeros of [0, 0.3, 0.8, 1]) {
        const heap = new KernelHeap(8 * (3 * nIn * nOut + 4 * batch * (nIn + nOut)) + 1024, Math.max(nIn, nOut));
        const W = fill(heap.f64(nIn * nOut)!, rng, 0.05);
        const Wt = heap.f64(nIn * nOut)!;
        for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) Wt[j * nIn + i] = W[i * nOut + j]!;
        const x = fill(heap.f64(batch * nIn)!, rng, zeros, 0, 1);
        const y = heap.f64(batch * nOut)!.fill(7);
        const yRef = new Float64Array(batch * nOut);
        expect(heap.forward(W, nIn, nOut, x, batch, y)).toBe(true);
        forwardProduct(Float64Array.from(W), nIn, nOut, Float64Array.from(x), batch, yRef);
        expectSameBits(y, yRef);

        const u = fill(heap.f64(batch * nOut)!, rng, zeros, 0, 1);
        const z = heap.f64(batch * nIn)!.fill(7);
        const zRef = new Float64Array(batch * nIn);
        expect(heap.transposed(Wt, nIn, nOut, u, batch, z)).toBe(true);
        transposedProduct(Float64Array.from(W), nIn, nOut, Float64Array.from(u), batch, zRef);
        expectSameBits(z, zRef);

        // States that step past both clips, and through −0.
        const s = fill(heap.f64(batch * nIn)!, rng, zeros, -0.5, 1.5);
        const below = fill(heap.f64(batch * nIn)!, rng, zeros, -2, 2);
        const sRef = Float64Array.from(s);
        expect(heap.step(s, below, z, batch * nIn, 1 - 0.5, 0.5)).toBe(true);
        stepReference(sRef, Float64Array.from(below), zRef, batch * nIn, 0.5);
        expectSameBits(s, sRef);
      }
    }
  });

  it("the input-layer update equals sparseInputUpdate bit for bit, weights and path", () => {
    const rng = new Rng(21);
    for (const [nIn, nOut, batch] of SHAPES) {
      for (const zeros of [0, 0.5, 0.9, 1]) {
        const heap = new KernelHeap(8 * (nIn * nOut + batch * (nIn + 3 * nOut + 4) + nOut) + 1024, Math.max(nIn, nOut));
        const W = fill(heap.f64(nIn * nOut)!, rng, 0.05);
        const pre = fill(heap.f64(batch * nIn)!, rng, zeros, 0, 1);
        const plus = fill(heap.f64(batch * nOut)!, rng, zeros, 0, 1);
        const minus = heap.f64(batch * nOut)!;
        // Most differences are exact zeros (a unit that did not move), some −0.
        for (let k = 0; k < minus.length; k++) minus[k] = rng.uniform() < 0.6 ? plus[k]! : rng.uniform();
        const WRef = Float64Array.from(W);
        const path = heap.inputUpdate(W, nIn, nOut, pre, plus, minus, batch, 0.37);
        const pathRef = sparseInputUpdate(WRef, nIn, nOut, Float64Array.from(pre), Float64Array.from(plus), Float64Array.from(minus), batch, 0.37, emptyScratch());
        expect(path).toBe(pathRef);
        expectSameBits(W, WRef);
      }
    }
  });

  it("the hidden layers' update equals accumulateUpdate and IdealStore's apply loop bit for bit", () => {
    const rng = new Rng(23);
    for (const [nIn, nOut, batch] of SHAPES) {
      for (const zeros of [0, 0.5, 1]) {
        const heap = new KernelHeap(8 * (2 * nIn * nOut + 2 * batch * (nIn + nOut)) + nIn + 1024, Math.max(nIn, nOut));
        const W = fill(heap.f64(nIn * nOut)!, rng, 0.05);
        const dW = heap.f64(nIn * nOut)!, touched = heap.u8(nIn)!;
        const [prePlus, preMinus] = [0, 1].map(() => fill(heap.f64(batch * nIn)!, rng, zeros, 0, 1));
        const [postPlus, postMinus] = [0, 1].map(() => fill(heap.f64(batch * nOut)!, rng, zeros, 0, 1));
        const WRef = Float64Array.from(W), dWRef = new Float64Array(nIn * nOut), touchedRef = new Uint8Array(nIn);
        accumulateUpdate(dWRef, nIn, nOut, prePlus!.slice(), postPlus!.slice(), preMinus!.slice(), postMinus!.slice(), batch, 0.21, touchedRef, new Float64Array(nOut));
        let pathRef = 0;
        for (let i = 0; i < nIn; i++) {
          if (touchedRef[i] === 0) continue;
          for (let j = i * nOut; j < (i + 1) * nOut; j++) {
            WRef[j]! += dWRef[j]!;
            pathRef += Math.abs(dWRef[j]!);
          }
        }
        expect(heap.outerUpdate(W, dW, touched, nIn, nOut, prePlus!, postPlus!, preMinus!, postMinus!, batch, 0.21)).toBe(pathRef);
        expectSameBits(W, WRef);
        expect(dW.every((v) => Object.is(v, 0)) && touched.every((t) => t === 0)).toBe(true);
      }
    }
  });

  it("leaves the update to the JS reference, weights untouched, when an input is not finite", () => {
    const heap = new KernelHeap(4096, 8);
    const W = heap.f64(6)!.fill(0.5);
    const pre = heap.f64(4)!.fill(0.25);
    pre[3] = Infinity;
    const post = heap.f64(6)!.fill(1);
    expect(heap.inputUpdate(W, 2, 3, pre, post, heap.f64(6)!, 2, 0.1)).toBeNull();
    expectSameBits(W, new Float64Array(6).fill(0.5));
  });

  it("runs nothing on arrays outside its memory", () => {
    const heap = new KernelHeap(4096, 8);
    const W = heap.f64(4)!;
    expect(heap.forward(W, 2, 2, new Float64Array(2), 1, heap.f64(2)!)).toBe(false);
    expect(heap.step(new Float64Array(2), heap.f64(2)!, heap.f64(2)!, 2, 0.5, 0.5)).toBe(false);
    expect(new KernelHeap(64, 8).f64(16)).toBeNull();
  });

  it("a session on kernel buffers trains to the weights, biases and figures of one on plain arrays", async () => {
    const rng = new Rng(22);
    const n = 45, d = 37, C = 5;
    const x = fill(new Float64Array(n * d), rng, 0.6, 0, 1);
    const y = Int32Array.from({ length: n }, () => Math.floor(rng.uniform() * C));
    const dataset: Dataset = { trainX: x, trainY: y, testX: x, testY: y, inputSize: d, numClasses: C, labelMode: { kind: "real" }, description: "random" };
    for (const centredNudging of [false, true]) {
      const config = parseTrainConfig({ dataset: "toy:2d", layers: [23, 9], classes: C, T1: 6, T2: 3, beta: 0.5, epsilon: 0.5, learningRates: [0.1, 0.05, 0.02], batchSize: 7, persistentParticles: true, centredNudging, weights: "ideal" }, "test");
      const sizes = [d, 23, 9, C];
      const room = { workBytes: 4 * Relaxation.workBytes(sizes, 7) + Relaxation.workBytes(sizes, 45), batch: 7 };
      const runs = [];
      for (const store of [new IdealStore(sizes, new Rng(3), room), new IdealStore(sizes, new Rng(3))]) {
        const session = TrainingSession.fromParts(config, dataset, store, new Rng(4));
        const epochs = [await session.runEpoch(), await session.runEpoch()];
        const evaluation = await session.evaluate("test");
        const free = (session as unknown as { relaxation: Relaxation }).relaxation.work("free", 7);
        runs.push({ store, epochs, evaluation, checkpoint: await session.checkpoint(), inHeap: store.kernelHeap.holds(free.x, free.s[1]!) });
      }
      const [kernels, js] = runs;
      expect([kernels!.inHeap, js!.inHeap]).toEqual([true, false]);
      for (let l = 0; l < 3; l++) expectSameBits(await kernels!.store.weights(l), await js!.store.weights(l));
      expect(kernels!.epochs).toEqual(js!.epochs);
      expect(kernels!.evaluation).toEqual(js!.evaluation);
      expect(kernels!.checkpoint).toEqual(js!.checkpoint);
    }
  });
});
