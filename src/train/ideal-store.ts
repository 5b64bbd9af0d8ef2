// The ideal weight store: Float64 weights in memory, the digital baseline. Products skip zero inputs.
// The weights live in a KernelHeap, whose f64x2 kernels compute the products and the input layer's update
// with the same bits as the JS functions below; those remain the reference, and run for arrays outside the heap.
import type { Rng } from "../random/rng.js";
import { align16 } from "../wasm/runtime.js";
import { KernelHeap, updateScratchBytes } from "./kernel-heap.js";
import { accumulateUpdate, decodeFloat64, encodeFloat64, type Phase, type StoreCheckpoint, type UpdateReport, type WeightStore } from "./store.js";

export class IdealStore implements WeightStore {
  readonly kind = "ideal" as const;
  readonly sizes: readonly number[];
  /** The weights, views on the heap; W_lᵀ for l ≥ 1 (the transposed products' operand), rebuilt when stale. */
  private readonly W: Float64Array[];
  private readonly Wt: (Float64Array | null)[];
  private readonly transposeStale: boolean[];
  readonly kernelHeap: KernelHeap;
  private readonly dW: Float64Array[];
  private readonly touched: Uint8Array[];
  private readonly scratch: Float64Array;
  private sparse: SparseScratch = { colStart: new Int32Array(0), colSample: new Int32Array(0), colValue: new Float64Array(0), nzCount: new Int32Array(0), nzIndex: new Int32Array(0), nzValue: new Float64Array(0), acc: new Float64Array(0) };

  /**
   * Glorot-uniform weights, W ~ U(−1, 1)·√(6/(n_in + n_out)), as the reference does. `workBytes` is room in
   * the heap for the relaxation's buffers (Relaxation.workBytes) and `batch` the largest batch the update sees.
   */
  constructor(sizes: readonly number[], rng: Rng, room: { workBytes?: number; batch?: number } = {}) {
    this.sizes = [...sizes];
    const layers = sizes.slice(1).map((nOut, l) => sizes[l]! * nOut);
    // W, dW and the touched rows for every layer, and Wᵀ for l ≥ 1.
    const weightBytes = layers.reduce((s, n, l) => s + (l === 0 ? 2 : 3) * align16(n * 8) + align16(sizes[l]!), 0);
    const scratchBytes = sizes.length > 1 ? updateScratchBytes(room.batch ?? 0, sizes[1]!) : 0;
    this.kernelHeap = new KernelHeap(weightBytes + scratchBytes + (room.workBytes ?? 0), Math.max(...sizes));
    this.W = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const nIn = sizes[l]!, nOut = sizes[l + 1]!;
      const scale = Math.sqrt(6 / (nIn + nOut));
      const w = this.kernelHeap.f64(nIn * nOut)!;
      for (let k = 0; k < w.length; k++) w[k] = (2 * rng.uniform() - 1) * scale;
      this.W.push(w);
    }
    this.Wt = this.W.map((w, l) => (l === 0 ? null : this.kernelHeap.f64(w.length)!));
    this.transposeStale = this.W.map(() => true);
    this.dW = this.W.map((w) => this.kernelHeap.f64(w.length)!);
    this.touched = this.W.map((_, l) => this.kernelHeap.u8(sizes[l]!)!);
    this.scratch = new Float64Array(Math.max(...sizes));
  }

  /** Replaces layer l's weights (tests, and initialising from known values). */
  setWeights(l: number, w: Float64Array): void {
    if (w.length !== this.W[l]!.length) throw new Error(`layer ${l}: ${w.length} weights, expected ${this.W[l]!.length}`);
    this.W[l]!.set(w);
    this.transposeStale[l] = true;
  }

  async forward(l: number, input: Float64Array, batch: number, out: Float64Array, _phase: Phase): Promise<void> {
    const nIn = this.sizes[l]!, nOut = this.sizes[l + 1]!;
    if (!this.kernelHeap.forward(this.W[l]!, nIn, nOut, input, batch, out)) forwardProduct(this.W[l]!, nIn, nOut, input, batch, out);
  }

  async transposed(l: number, input: Float64Array, batch: number, out: Float64Array, _phase: Phase): Promise<void> {
    const nIn = this.sizes[l]!, nOut = this.sizes[l + 1]!;
    const Wt = this.transposedWeights(l);
    if (Wt === null || !this.kernelHeap.transposed(Wt, nIn, nOut, input, batch, out)) transposedProduct(this.W[l]!, nIn, nOut, input, batch, out);
  }

  /** W_lᵀ (nOut × nIn), brought up to date with W_l; null for the input layer, which no relaxation transposes. */
  private transposedWeights(l: number): Float64Array | null {
    const Wt = this.Wt[l] ?? null;
    if (Wt === null || !this.transposeStale[l]) return Wt;
    const W = this.W[l]!, nIn = this.sizes[l]!, nOut = this.sizes[l + 1]!;
    for (let i = 0; i < nIn; i++) for (let j = 0; j < nOut; j++) Wt[j * nIn + i] = W[i * nOut + j]!;
    this.transposeStale[l] = false;
    return Wt;
  }

  async update(l: number, prePlus: Float64Array, postPlus: Float64Array, preMinus: Float64Array, postMinus: Float64Array, batch: number, coef: number): Promise<UpdateReport> {
    const nIn = this.sizes[l]!, nOut = this.sizes[l + 1]!;
    const W = this.W[l]!;
    this.transposeStale[l] = true;
    if (prePlus === preMinus) {
      const path = this.kernelHeap.inputUpdate(W, nIn, nOut, prePlus, postPlus, postMinus, batch, coef) ?? sparseInputUpdate(W, nIn, nOut, prePlus, postPlus, postMinus, batch, coef, this.sparse);
      return { pathL1: path, pulses: 0 };
    }
    const dW = this.dW[l]!, touched = this.touched[l]!;
    const pathInKernel = this.kernelHeap.outerUpdate(W, dW, touched, nIn, nOut, prePlus, postPlus, preMinus, postMinus, batch, coef);
    if (pathInKernel !== null) return { pathL1: pathInKernel, pulses: 0 };
    accumulateUpdate(dW, nIn, nOut, prePlus, postPlus, preMinus, postMinus, batch, coef, touched, this.scratch);
    let path = 0;
    for (let i = 0; i < nIn; i++) {
      if (touched[i] === 0) continue;
      touched[i] = 0;
      const row = i * nOut;
      for (let j = row; j < row + nOut; j++) {
        const d = dW[j]!;
        W[j]! += d;
        path += Math.abs(d);
        dW[j] = 0;
      }
    }
    return { pathL1: path, pulses: 0 };
  }

  async weights(l: number): Promise<Float64Array> {
    return Float64Array.from(this.W[l]!);
  }

  weightCount(): number {
    return this.W.reduce((s, w) => s + w.length, 0);
  }

  deviceCount(): number {
    return this.weightCount();
  }

  levelsPerDevice(): number | null {
    return null;
  }

  async checkpoint(): Promise<StoreCheckpoint> {
    return { kind: "ideal", sizes: [...this.sizes], weights: this.W.map(encodeFloat64) };
  }

  async restore(cp: StoreCheckpoint): Promise<void> {
    if (cp.kind !== "ideal") throw new Error(`checkpoint is for a ${cp.kind} store, not ideal`);
    const sizes = cp.sizes as number[];
    if (JSON.stringify(sizes) !== JSON.stringify(this.sizes)) throw new Error(`checkpoint network ${sizes.join("-")} is not ${this.sizes.join("-")}`);
    (cp.weights as string[]).forEach((s, l) => this.W[l]!.set(decodeFloat64(s, this.W[l]!.length, `weights[${l}]`)));
    this.transposeStale.fill(true);
  }
}

/** out = input · W (W is nIn × nOut row-major), zero inputs skipped; four input rows per pass over out. */
export function forwardProduct(W: Float64Array, nIn: number, nOut: number, input: Float64Array, batch: number, out: Float64Array): void {
  const idx = new Int32Array(nIn);
  for (let b = 0; b < batch; b++) {
    const ob = b * nOut;
    const ib = b * nIn;
    let nz = 0;
    for (let i = 0; i < nIn; i++) if (input[ib + i] !== 0) idx[nz++] = i;
    out.fill(0, ob, ob + nOut);
    let k = 0;
    for (; k + 3 < nz; k += 4) {
      const i0 = idx[k]!, i1 = idx[k + 1]!, i2 = idx[k + 2]!, i3 = idx[k + 3]!;
      const v0 = input[ib + i0]!, v1 = input[ib + i1]!, v2 = input[ib + i2]!, v3 = input[ib + i3]!;
      const r0 = i0 * nOut, r1 = i1 * nOut, r2 = i2 * nOut, r3 = i3 * nOut;
      for (let j = 0; j < nOut; j++) {
        out[ob + j]! += v0 * W[r0 + j]! + v1 * W[r1 + j]! + v2 * W[r2 + j]! + v3 * W[r3 + j]!;
      }
    }
    for (; k < nz; k++) {
      const i = idx[k]!;
      const v = input[ib + i]!;
      const r = i * nOut;
      for (let j = 0; j < nOut; j++) out[ob + j]! += v * W[r + j]!;
    }
  }
}

/** out = input · Wᵀ (input batch × nOut, out batch × nIn), zero inputs skipped. */
export function transposedProduct(W: Float64Array, nIn: number, nOut: number, input: Float64Array, batch: number, out: Float64Array): void {
  const idx = new Int32Array(nOut);
  for (let b = 0; b < batch; b++) {
    const ib = b * nOut;
    const ob = b * nIn;
    let nz = 0;
    for (let j = 0; j < nOut; j++) if (input[ib + j] !== 0) idx[nz++] = j;
    if (nz === 0) {
      out.fill(0, ob, ob + nIn);
      continue;
    }
    if (nz === nOut) {
      for (let i = 0; i < nIn; i++) {
        const r = i * nOut;
        let s = 0;
        for (let j = 0; j < nOut; j++) s += input[ib + j]! * W[r + j]!;
        out[ob + i] = s;
      }
      continue;
    }
    for (let i = 0; i < nIn; i++) {
      const r = i * nOut;
      let s = 0;
      for (let k = 0; k < nz; k++) {
        const j = idx[k]!;
        s += input[ib + j]! * W[r + j]!;
      }
      out[ob + i] = s;
    }
  }
}

/** Reusable buffers for sparseInputUpdate (grown on demand). */
export interface SparseScratch {
  colStart: Int32Array;
  colSample: Int32Array;
  colValue: Float64Array;
  nzCount: Int32Array;
  nzIndex: Int32Array;
  nzValue: Float64Array;
  acc: Float64Array;
}

/**
 * W += coef · Σ_b pre_b ⊗ (post⁺_b − post⁻_b); returns Σ|ΔW|. Visits W one input row at a time
 * (pre as columns, zero inputs skipped) and each sample's nonzero post differences only, so the row's
 * sum stays in a small accumulator and W is read and written once per batch.
 */
export function sparseInputUpdate(W: Float64Array, nIn: number, nOut: number, pre: Float64Array, postPlus: Float64Array, postMinus: Float64Array, batch: number, coef: number, sc: SparseScratch): number {
  if (sc.nzIndex.length < batch * nOut) {
    sc.nzIndex = new Int32Array(batch * nOut);
    sc.nzValue = new Float64Array(batch * nOut);
    sc.nzCount = new Int32Array(batch);
  }
  if (sc.acc.length < nOut) sc.acc = new Float64Array(nOut);
  if (sc.colStart.length < nIn + 1) sc.colStart = new Int32Array(nIn + 1);
  if (sc.colSample.length < batch * nIn) {
    sc.colSample = new Int32Array(batch * nIn);
    sc.colValue = new Float64Array(batch * nIn);
  }
  const { nzIndex, nzValue, nzCount, acc, colStart, colSample, colValue } = sc;
  for (let b = 0; b < batch; b++) {
    const base = b * nOut;
    let c = 0;
    for (let j = 0; j < nOut; j++) {
      const d = postPlus[base + j]! - postMinus[base + j]!;
      if (d !== 0) {
        nzIndex[base + c] = j;
        nzValue[base + c] = d;
        c++;
      }
    }
    nzCount[b] = c;
  }
  // The batch's inputs by column: colStart[i]..colStart[i+1] list (sample, value) for input i.
  colStart.fill(0, 0, nIn + 1);
  for (let b = 0; b < batch; b++) {
    if (nzCount[b] === 0) continue;
    const o = b * nIn;
    for (let i = 0; i < nIn; i++) if (pre[o + i] !== 0) colStart[i + 1]!++;
  }
  for (let i = 0; i < nIn; i++) colStart[i + 1]! += colStart[i]!;
  for (let b = 0; b < batch; b++) {
    if (nzCount[b] === 0) continue;
    const o = b * nIn;
    for (let i = 0; i < nIn; i++) {
      const v = pre[o + i]!;
      if (v !== 0) {
        const p = colStart[i]!++;
        colSample[p] = b;
        colValue[p] = v;
      }
    }
  }
  // colStart[i] now holds the end of column i; column i starts at colStart[i−1] (0 for i = 0).
  let path = 0;
  let start = 0;
  for (let i = 0; i < nIn; i++) {
    const end = colStart[i]!;
    if (end === start) continue;
    acc.fill(0, 0, nOut);
    for (let p = start; p < end; p++) {
      const b = colSample[p]!;
      const v = colValue[p]!;
      const base = b * nOut;
      const cnt = nzCount[b]!;
      for (let k = 0; k < cnt; k++) acc[nzIndex[base + k]!]! += v * nzValue[base + k]!;
    }
    const row = i * nOut;
    for (let j = 0; j < nOut; j++) {
      const d = coef * acc[j]!;
      W[row + j]! += d;
      path += Math.abs(d);
    }
    start = end;
  }
  return path;
}
