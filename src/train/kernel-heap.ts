// A wasm memory of fixed size holding the ideal store's weights and the relaxation's buffers, with the f64x2
// kernels of ideal-products.wat and ideal-updates.wat bound to it: the kernels read and write those arrays in place. Arrays are
// handed out once (a bump allocator) and the memory never grows, so every view stays valid. A kernel runs
// only on arrays this memory holds and says so by its return value; the caller runs the JS reference otherwise.
import { align16, instantiate, newWasmMemory, type WasmMemory } from "../wasm/runtime.js";
import { watModule } from "../wasm/wat.js";

type Product = (w: number, nIn: number, nOut: number, input: number, batch: number, out: number, vals: number, rows: number) => void;

/** The two modules' exports: pointers are byte offsets into their memory. */
interface IdealKernels {
  forward: Product;
  transposed: Product;
  step(s: number, below: number, above: number, count: number, keep: number, eps: number): void;
  outerUpdate(w: number, dW: number, touched: number, nIn: number, nOut: number, prePlus: number, postPlus: number, preMinus: number, postMinus: number, batch: number, coef: number): number;
  inputUpdate(w: number, nIn: number, nOut: number, pre: number, postPlus: number, postMinus: number, batch: number, coef: number, diff: number, any: number, vals: number, rows: number): number;
}

/** The update's scratch for one batch size. */
interface UpdateScratch {
  diff: Float64Array;
  any: Int32Array;
  vals: Float64Array;
  rows: Int32Array;
}

export class KernelHeap {
  private readonly memory: WasmMemory;
  private readonly kernels: IdealKernels;
  private top = 0;
  private readonly capacity: number;
  /** The nonzero-input lists of a product, for vectors up to `longest` entries. */
  private readonly vals: Float64Array;
  private readonly rows: Int32Array;
  private readonly updateScratch = new Map<number, UpdateScratch>();

  /** A heap of `bytes` for the caller's arrays, plus the products' scratch for vectors up to `longest` entries. */
  constructor(bytes: number, private readonly longest: number) {
    this.capacity = align16(bytes) + align16(longest * 8) + align16(longest * 4);
    this.memory = newWasmMemory(this.capacity);
    const imports = { env: { mem: this.memory } };
    this.kernels = {
      ...instantiate(watModule("src/train/ideal-products.wat"), imports),
      ...instantiate(watModule("src/train/ideal-updates.wat"), imports),
    } as unknown as IdealKernels;
    this.vals = this.f64(longest)!;
    this.rows = this.i32(longest)!;
  }

  /** A zeroed array in this memory, or null when there is no room left. */
  f64(length: number): Float64Array | null {
    const at = this.take(length * 8);
    return at === null ? null : new Float64Array(this.memory.buffer, at, length);
  }

  i32(length: number): Int32Array | null {
    const at = this.take(length * 4);
    return at === null ? null : new Int32Array(this.memory.buffer, at, length);
  }

  u8(length: number): Uint8Array | null {
    const at = this.take(length);
    return at === null ? null : new Uint8Array(this.memory.buffer, at, length);
  }

  /** Whether every array is a view on this memory. */
  holds(...arrays: ArrayBufferView[]): boolean {
    for (const a of arrays) if (a.buffer !== this.memory.buffer) return false;
    return true;
  }

  /** out = input · W (W nIn × nOut), as forwardProduct computes it; false when an array is not in this memory. */
  forward(W: Float64Array, nIn: number, nOut: number, input: Float64Array, batch: number, out: Float64Array): boolean {
    if (nIn > this.longest || !this.holds(W, input, out)) return false;
    this.kernels.forward(W.byteOffset, nIn, nOut, input.byteOffset, batch, out.byteOffset, this.vals.byteOffset, this.rows.byteOffset);
    return true;
  }

  /** out = input · Wᵀ from Wt = Wᵀ (nOut × nIn), as transposedProduct computes it from W. */
  transposed(Wt: Float64Array, nIn: number, nOut: number, input: Float64Array, batch: number, out: Float64Array): boolean {
    if (nOut > this.longest || !this.holds(Wt, input, out)) return false;
    this.kernels.transposed(Wt.byteOffset, nIn, nOut, input.byteOffset, batch, out.byteOffset, this.vals.byteOffset, this.rows.byteOffset);
    return true;
  }

  /** s ← clip((1 − ε)·s + ε·(below + above), 0, 1) over `count` entries, as relaxation.ts's stepLayer. */
  step(s: Float64Array, below: Float64Array, above: Float64Array, count: number, keep: number, eps: number): boolean {
    if (!this.holds(s, below, above)) return false;
    this.kernels.step(s.byteOffset, below.byteOffset, above.byteOffset, count, keep, eps);
    return true;
  }

  /**
   * W += coef · Σ_b pre_b ⊗ (post⁺_b − post⁻_b) as sparseInputUpdate computes it; returns Σ|ΔW|, or null
   * (W unchanged) when an array is not in this memory, there is no room for the scratch, or an input is not finite.
   */
  inputUpdate(W: Float64Array, nIn: number, nOut: number, pre: Float64Array, postPlus: Float64Array, postMinus: Float64Array, batch: number, coef: number): number | null {
    if (!this.holds(W, pre, postPlus, postMinus)) return null;
    const sc = this.scratchFor(batch, nOut);
    if (sc === null) return null;
    const path = this.kernels.inputUpdate(W.byteOffset, nIn, nOut, pre.byteOffset, postPlus.byteOffset, postMinus.byteOffset, batch, coef, sc.diff.byteOffset, sc.any.byteOffset, sc.vals.byteOffset, sc.rows.byteOffset);
    return path < 0 ? null : path;
  }

  /**
   * W += coef · Σ_b (pre⁺_b ⊗ post⁺_b − pre⁻_b ⊗ post⁻_b) through dW, as IdealStore.update's dense path
   * computes it (dW and `touched` zero before and after); returns Σ|ΔW|, or null (nothing changed) when an
   * array is not in this memory.
   */
  outerUpdate(W: Float64Array, dW: Float64Array, touched: Uint8Array, nIn: number, nOut: number, prePlus: Float64Array, postPlus: Float64Array, preMinus: Float64Array, postMinus: Float64Array, batch: number, coef: number): number | null {
    if (!this.holds(W, dW, touched, prePlus, postPlus, preMinus, postMinus)) return null;
    return this.kernels.outerUpdate(W.byteOffset, dW.byteOffset, touched.byteOffset, nIn, nOut, prePlus.byteOffset, postPlus.byteOffset, preMinus.byteOffset, postMinus.byteOffset, batch, coef);
  }

  /** The update's scratch for batches up to `batch` of rows of nOut, reused by smaller batches. */
  private scratchFor(batch: number, nOut: number): UpdateScratch | null {
    const held = this.updateScratch.get(nOut);
    if (held !== undefined && held.any.length >= batch) return held;
    const diff = this.f64(batch * nOut), any = this.i32(batch), vals = this.f64(batch), rows = this.i32(batch);
    if (!(diff && any && vals && rows)) return null;
    const sc = { diff, any, vals, rows };
    this.updateScratch.set(nOut, sc);
    return sc;
  }

  private take(bytes: number): number | null {
    const at = this.top;
    if (at + bytes > this.capacity) return null;
    this.top = at + align16(bytes);
    return at;
  }
}

/** Bytes the update's scratch takes for one batch size (KernelHeap.inputUpdate allocates it on first use). */
export function updateScratchBytes(batch: number, nOut: number): number {
  return align16(batch * nOut * 8) + align16(batch * 4) + align16(batch * 8) + align16(batch * 4);
}
