// The modern Hopfield network (Ramsauer et al. 2020, "Hopfield Networks is All You Need", arXiv:2008.02217):
// the update σ_new = X·softmax(β·Xᵀσ), which is attention with the stored patterns as keys and values. Its
// capacity grows exponentially with N (one update retrieves a pattern among many more than N).
//
// The pattern matrix X (N × P) is one weight layer, W = a·X (a = patternWeight), written by the store's own
// update, one pattern per update (on a crossbar: pulses, E_learn). Both products run on the store: the
// similarities Xᵀσ by a forward product (σ = 2s − 1 from states s ∈ [0, 1]: Xᵀσ = (2·sᵀW − 1ᵀW)/a, 1ᵀW
// measured once) and X·p by a transposed one; the softmax runs on the host (its energy is host energy).
import type { WeightStore } from "../store.js";
import { writeStates, type Pattern } from "./patterns.js";
import type { StorageReport } from "./storage.js";

/** Layer sizes: N inputs (the units) to P outputs (one per stored pattern). */
export function modernHopfieldSizes(units: number, patterns: number): number[] {
  return [units, patterns];
}

/** The layer that holds X (the only one). */
const PATTERN_LAYER = 0;

export class ModernHopfield {
  readonly units: number;
  readonly capacity: number;
  /** 1ᵀW: the forward product of an all-on state, measured after storing. */
  private columnSums: Float64Array | null = null;

  constructor(
    readonly weights: WeightStore,
    readonly inverseTemperature: number,
    readonly patternWeight: number,
  ) {
    if (weights.sizes.length !== 2) throw new Error(`a modern Hopfield network is one layer [N, P]; this store is [${weights.sizes.join(", ")}]`);
    this.units = weights.sizes[0]!;
    this.capacity = weights.sizes[1]!;
  }

  /** Writes pattern μ into column μ, one store update each: ΔW = a·ξ^μ ⊗ e_μ as s ⊗ e_μ + (1 − s) ⊗ (−e_μ). */
  async store(patterns: readonly Pattern[]): Promise<StorageReport> {
    const n = this.units;
    const P = this.capacity;
    if (patterns.length !== P) throw new Error(`this network holds ${P} patterns, not ${patterns.length}`);
    const pre = new Float64Array(2 * n);
    const postPlus = new Float64Array(2 * P);
    const postMinus = new Float64Array(2 * P);
    const report: StorageReport = { updates: 0, pulses: 0, weightPathL1: 0, epochs: 0, converged: true };
    for (let mu = 0; mu < P; mu++) {
      const xi = patterns[mu]!;
      writeStates(xi, pre, 0);
      for (let i = 0; i < n; i++) pre[n + i] = 1 - pre[i]!;
      postPlus.fill(0);
      postMinus.fill(0);
      postPlus[mu] = 1;
      postMinus[P + mu] = 1;
      const rep = await this.weights.update(PATTERN_LAYER, pre, postPlus, pre, postMinus, 2, this.patternWeight);
      report.updates++;
      report.pulses += rep.pulses;
      report.weightPathL1 += rep.pathL1;
    }
    const sums = new Float64Array(P);
    await this.weights.forward(PATTERN_LAYER, new Float64Array(n).fill(1), 1, sums, "free");
    this.columnSums = sums;
    return report;
  }

  /** One update from each cue; returns states s = ½ + ½·(X·p)_i (clipped to [0, 1]), cue k at k·N. */
  async retrieve(cues: readonly Pattern[]): Promise<Float64Array> {
    if (this.columnSums === null) throw new Error("retrieve before store");
    const n = this.units;
    const P = this.capacity;
    const m = cues.length;
    const a = this.patternWeight;
    const s = new Float64Array(m * n);
    cues.forEach((c, k) => writeStates(c, s, k * n));
    const products = new Float64Array(m * P);
    await this.weights.forward(PATTERN_LAYER, s, m, products, "free");
    // Host: p = softmax(β·Xᵀσ) per cue.
    const p = new Float64Array(m * P);
    for (let k = 0; k < m; k++) {
      let max = -Infinity;
      for (let mu = 0; mu < P; mu++) {
        const sim = (2 * products[k * P + mu]! - this.columnSums[mu]!) / a;
        p[k * P + mu] = this.inverseTemperature * sim;
        if (p[k * P + mu]! > max) max = p[k * P + mu]!;
      }
      let z = 0;
      for (let mu = 0; mu < P; mu++) z += p[k * P + mu] = Math.exp(p[k * P + mu]! - max);
      for (let mu = 0; mu < P; mu++) p[k * P + mu]! /= z;
    }
    const out = new Float64Array(m * n);
    await this.weights.transposed(PATTERN_LAYER, p, m, out, "free");
    for (let i = 0; i < m * n; i++) out[i] = Math.min(1, Math.max(0, 0.5 + (0.5 * out[i]!) / a));
    return out;
  }
}
