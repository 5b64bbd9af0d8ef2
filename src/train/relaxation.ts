// EqProp relaxation: the layered states settle under the store's products, free (β = 0) or nudged.
//
// One relaxation step for every layer at once (from the previous states), states s_l ∈ [0, 1] and
// hard-sigmoid ρ(s) = clip(s, 0, 1):
//   s_l ← clip((1 − ε)·s_l + ε·(ρ(s_{l−1})·W_{l−1} + ρ(s_{l+1})·W_lᵀ + b_l) − ε·β·[l = out]·(s_l − y), 0, 1)
// The input drive ρ(x)·W_0 does not change during a batch's relaxation: the caller computes it once per
// batch into Work.inputDrive, and the first state layer adds its bias to it once per relaxation.
// The nudge pulls the output layer towards a target: onehot(label) for a classifier, or a whole target state
// (batch × C) for an associative memory, which is this network with no input and a pattern as its target.
import { align16 } from "../wasm/runtime.js";
import type { Phase, WeightStore } from "./store.js";

/** What the output layer is nudged towards: class labels (one-hot targets) or target states, batch × C row-major. */
export type NudgeTarget = Int32Array | Float64Array;

/** Relaxation buffers for one batch size. */
export interface Work {
  batch: number;
  x: Float64Array;
  inputDrive: Float64Array;
  /** Per layer 1..L (index 0 unused): states, drives, a scratch product. */
  s: Float64Array[];
  drive: Float64Array[];
  tmp: Float64Array[];
  /** The first state layer's constant drive: ρ(x)·W_0 + b_0. */
  constant1: Float64Array;
}

/** Settles the states of a network [d, h1, …, C] on a store; the biases are the session's (digital) ones, read live. */
export class Relaxation {
  private workCache = new Map<string, Work>();

  constructor(
    private readonly store: WeightStore,
    private readonly sizes: readonly number[],
    private readonly biases: readonly Float64Array[],
    private readonly epsilon: number,
  ) {}

  /** Bytes of one role's buffers for `batch` samples: room to ask of a store's kernel heap (allocations align to 16 bytes). */
  static workBytes(sizes: readonly number[], batch: number): number {
    const bytes = (n: number) => align16(batch * n * 8);
    return bytes(sizes[0]!) + 2 * bytes(sizes[1]!) + 3 * sizes.slice(1).reduce((s, n) => s + bytes(n), 0);
  }

  /** Relaxation buffers by role and batch size, allocated once: in the store's kernel heap while it has room. */
  work(role: "free" | "plus" | "minus" | "eval", batch: number): Work {
    const key = `${role}:${batch}`;
    const hit = this.workCache.get(key);
    if (hit) return hit;
    const L = this.sizes.length - 1;
    const heap = this.store.kernelHeap;
    const buffer = (n: number) => heap?.f64(n) ?? new Float64Array(n);
    const alloc = (l: number) => (l === 0 ? new Float64Array(0) : buffer(batch * this.sizes[l]!));
    const w: Work = {
      batch,
      x: buffer(batch * this.sizes[0]!),
      inputDrive: buffer(batch * this.sizes[1]!),
      constant1: buffer(batch * this.sizes[1]!),
      s: Array.from({ length: L + 1 }, (_, l) => alloc(l)),
      drive: Array.from({ length: L + 1 }, (_, l) => alloc(l)),
      tmp: Array.from({ length: L + 1 }, (_, l) => alloc(l)),
    };
    this.workCache.set(key, w);
    return w;
  }

  /** `steps` synchronous relaxation steps of every state layer; beta ≠ 0 nudges the output towards the target. */
  async relax(w: Work, m: number, steps: number, beta: number, target: NudgeTarget, phase: Phase): Promise<void> {
    const L = this.sizes.length - 1;
    const eps = this.epsilon;
    // The first state layer's drive from the input plus its bias is constant over the relaxation.
    const constant1 = w.constant1;
    addBias(constant1, w.inputDrive, this.biases[0]!, m);
    for (let t = 0; t < steps; t++) {
      // Products from the previous states, for every layer, before any state moves.
      for (let l = 1; l <= L; l++) {
        if (l > 1) await this.store.forward(l - 1, w.s[l - 1]!, m, w.drive[l]!, phase);
        if (l < L) await this.store.transposed(l, w.s[l + 1]!, m, w.tmp[l]!, phase);
      }
      for (let l = 1; l <= L; l++) {
        const count = m * this.sizes[l]!;
        const below = l === 1 ? constant1 : w.drive[l]!;
        const bias = l === 1 ? null : this.biases[l - 1]!;
        const above = l < L ? w.tmp[l]! : null;
        const nudge = l === L && beta !== 0;
        const stepped = above !== null && bias === null && !nudge && this.store.kernelHeap?.step(w.s[l]!, below, above, count, 1 - eps, eps);
        if (!stepped) stepLayer(w.s[l]!, below, above, bias, this.sizes[l]!, count, eps, nudge ? target : null, beta);
      }
    }
  }
}

/** out = drive + bias for each of m samples (a plain loop: V8 compiles it apart from the async relax). */
function addBias(out: Float64Array, drive: Float64Array, bias: Float64Array, m: number): void {
  const n = bias.length;
  for (let k = 0; k < m; k++) {
    const off = k * n;
    for (let j = 0; j < n; j++) out[off + j] = drive[off + j]! + bias[j]!;
  }
}

/**
 * s ← clip((1 − ε)·s + ε·(below + above + bias) − ε·β·(s − y), 0, 1), the last term only when a target
 * is given (the nudged output layer): y = onehot(label) for labels, the target state itself otherwise.
 */
function stepLayer(s: Float64Array, below: Float64Array, above: Float64Array | null, bias: Float64Array | null, size: number, count: number, eps: number, target: NudgeTarget | null, beta: number): void {
  const keep = 1 - eps;
  if (above !== null && bias === null && target === null) {
    // The first hidden layer: its input drive and bias are already summed in `below`.
    for (let k = 0; k < count; k++) {
      const v = keep * s[k]! + eps * (below[k]! + above[k]!);
      s[k] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
    return;
  }
  const eb = eps * beta;
  const labels = target instanceof Int32Array ? target : null;
  const states = target instanceof Float64Array ? target : null;
  for (let k = 0, j = 0, row = 0; k < count; k++) {
    const old = s[k]!;
    let d = below[k]!;
    if (above !== null) d += above[k]!;
    if (bias !== null) d += bias[j]!;
    let v = keep * old + eps * d;
    if (labels !== null) v -= eb * (old - (j === labels[row]! ? 1 : 0));
    else if (states !== null) v -= eb * (old - states[k]!);
    s[k] = v < 0 ? 0 : v > 1 ? 1 : v;
    if (++j === size) {
      j = 0;
      row++;
    }
  }
}

/** Copies the states, inputs and input drive of the first m samples (a nudged phase starts from the free state). */
export function copyStates(from: Work, to: Work, m: number, sizes: readonly number[]): void {
  for (let l = 1; l < sizes.length; l++) to.s[l]!.set(from.s[l]!.subarray(0, m * sizes[l]!));
  to.x.set(from.x.subarray(0, m * sizes[0]!));
  to.inputDrive.set(from.inputDrive.subarray(0, m * sizes[1]!));
}
