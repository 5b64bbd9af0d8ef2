// The weight store behind EqProp: the products relaxation needs and the update it applies.
// Two implementations: IdealStore (Float64 weights) and CrossbarStore (conductance pairs on a device).
import type { Activity } from "../energy/ledger.js";
import type { KernelHeap } from "./kernel-heap.js";
import type { RestoreReport } from "./reprogram-drifted.js";

/**
 * Which phase a product belongs to; the crossbar store files its energy under the matching ledger activity
 * (evaluate: scoring a split, not learning).
 */
export type Phase = "free" | "nudged" | "evaluate";

/** The ledger activity of a phase's products. */
export const PHASE_ACTIVITY = { free: "freeRead", nudged: "nudgedRead", evaluate: "evaluate" } as const satisfies Record<Phase, Activity>;

/** What one weight update did. */
export interface UpdateReport {
  /** Σ|ΔW| actually applied, in weight units (the crossbar store's estimate from the pulses it sent). */
  pathL1: number;
  /** Programming pulses applied (0 for the ideal store). */
  pulses: number;
}

/**
 * Weight layer l (0-based) maps layer l (size sizes[l]) to layer l+1 (size sizes[l+1]);
 * W_l is sizes[l] × sizes[l+1]. All vectors are batches, row-major (batch × size).
 */
export interface WeightStore {
  readonly kind: "ideal" | "crossbar";
  /** Layer sizes, input first: [d, h1, …, C]. */
  readonly sizes: readonly number[];
  /** out (batch × sizes[l+1]) = input (batch × sizes[l]) · W_l. */
  forward(l: number, input: Float64Array, batch: number, out: Float64Array, phase: Phase): Promise<void>;
  /** out (batch × sizes[l]) = input (batch × sizes[l+1]) · W_lᵀ. */
  transposed(l: number, input: Float64Array, batch: number, out: Float64Array, phase: Phase): Promise<void>;
  /**
   * Applies ΔW_l = coef · Σ_b (pre⁺_b ⊗ post⁺_b − pre⁻_b ⊗ post⁻_b). When prePlus === preMinus
   * (the input layer) the store may use ΔW = coef · Σ_b pre_b ⊗ (post⁺_b − post⁻_b).
   */
  update(l: number, prePlus: Float64Array, postPlus: Float64Array, preMinus: Float64Array, postMinus: Float64Array, batch: number, coef: number): Promise<UpdateReport>;
  /** The weights as the store believes them to be (crossbar: read back from the device when `measure`). */
  weights(l: number): Promise<Float64Array>;
  /** Number of weights (crossbar: conductance pairs; each pair is two devices). */
  weightCount(): number;
  /** Physical devices holding the weights. */
  deviceCount(): number;
  levelsPerDevice(): number | null;
  /** The wasm memory the store's products run in (ideal store): buffers allocated from it are read in place. */
  readonly kernelHeap?: KernelHeap;
  /** `resumable`: a run may go on from it (not the last epoch's), so a device that cannot save its state is read. */
  checkpoint(resumable?: boolean): Promise<StoreCheckpoint>;
  restore(cp: StoreCheckpoint): Promise<void>;
  /** How restore() put the checkpoint back on a device (crossbar store); absent or null otherwise. */
  readonly restored?: RestoreReport | null;
}

export interface StoreCheckpoint {
  kind: "ideal" | "crossbar";
  [key: string]: unknown;
}

export { decodeFloat64, encodeFloat64 } from "../hal/base64-arrays.js";

/**
 * Dense ΔW (nIn × nOut, row-major) accumulated into `dW`:
 * dW += coef · Σ_b (pre⁺_b ⊗ post⁺_b − pre⁻_b ⊗ post⁻_b), skipping zero pre-activations.
 * Marks the rows it touched in `rowTouched` (1) so callers visit only those.
 */
export function accumulateUpdate(
  dW: Float64Array,
  nIn: number,
  nOut: number,
  prePlus: Float64Array,
  postPlus: Float64Array,
  preMinus: Float64Array,
  postMinus: Float64Array,
  batch: number,
  coef: number,
  rowTouched: Uint8Array,
  scratch: Float64Array,
): void {
  if (prePlus === preMinus) {
    // ΔW = coef · Σ_b pre_b ⊗ (post⁺_b − post⁻_b): one pass, zero inputs skipped (MNIST is ~80 % zeros).
    for (let b = 0; b < batch; b++) {
      const po = b * nOut;
      let any = false;
      for (let j = 0; j < nOut; j++) {
        const d = postPlus[po + j]! - postMinus[po + j]!;
        scratch[j] = d;
        if (d !== 0) any = true;
      }
      if (!any) continue;
      const pi = b * nIn;
      for (let i = 0; i < nIn; i++) {
        const v = prePlus[pi + i]!;
        if (v === 0) continue;
        const c = coef * v;
        const row = i * nOut;
        rowTouched[i] = 1;
        for (let j = 0; j < nOut; j++) dW[row + j]! += c * scratch[j]!;
      }
    }
    return;
  }
  outer(dW, nIn, nOut, prePlus, postPlus, batch, coef, rowTouched);
  outer(dW, nIn, nOut, preMinus, postMinus, batch, -coef, rowTouched);
}

function outer(dW: Float64Array, nIn: number, nOut: number, pre: Float64Array, post: Float64Array, batch: number, coef: number, rowTouched: Uint8Array): void {
  for (let b = 0; b < batch; b++) {
    const pi = b * nIn;
    const po = b * nOut;
    for (let i = 0; i < nIn; i++) {
      const v = pre[pi + i]!;
      if (v === 0) continue;
      const c = coef * v;
      const row = i * nOut;
      rowTouched[i] = 1;
      for (let j = 0; j < nOut; j++) dW[row + j]! += c * post[po + j]!;
    }
  }
}
