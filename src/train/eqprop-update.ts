// The EqProp weight update, one batch (Scellier & Bengio 2017): the session's learning rule, shared with
// the associative memory (src/train/memory), which stores patterns with the same rule.
//
// ΔW_l = (α_l/(k·β·m))·Σ_b (ρ(s_l)ρ(s_{l+1})ᵀ|high − ρ(s_l)ρ(s_{l+1})ᵀ|low), Δb_l likewise from s_{l+1},
// with high the nudged phase at +β and low the free phase (k = 1) or the nudged phase at −β (centred, k = 2).
import type { Work } from "./relaxation.js";
import type { WeightStore } from "./store.js";

export interface EqPropUpdate {
  /** Programming pulses applied (0 on ideal weights). */
  pulses: number;
  /** Σ‖Δθ‖₁ in weight units, weights and biases. */
  weightPathL1: number;
}

/**
 * Applies one batch's update to the store's weights and the digital biases. `free` holds the inputs x
 * (layer 0), `high` the nudged states at +β, `low` the states the difference is taken against. Adds the
 * pulses and the path to `into` term by term (a run's path sums in the same order as before the rule moved here).
 */
export async function applyEqPropUpdate(
  store: WeightStore,
  biases: readonly Float64Array[],
  rates: readonly number[],
  free: Work,
  high: Work,
  low: Work,
  m: number,
  beta: number,
  twoSided: 1 | 2,
  into: EqPropUpdate = { pulses: 0, weightPathL1: 0 },
): Promise<EqPropUpdate> {
  const sizes = store.sizes;
  const L = sizes.length - 1;
  const result = into;
  for (let l = 0; l < L; l++) {
    const coef = rates[l]! / (twoSided * beta * m);
    const prePlus = l === 0 ? free.x : high.s[l]!;
    const preMinus = l === 0 ? free.x : low.s[l]!;
    const rep = await store.update(l, prePlus, high.s[l + 1]!, preMinus, low.s[l + 1]!, m, coef);
    result.pulses += rep.pulses;
    result.weightPathL1 += rep.pathL1;
    const b = biases[l]!;
    const size = sizes[l + 1]!;
    const pp = high.s[l + 1]!, pm = low.s[l + 1]!;
    // The path sums in a local (the same additions in the same order): a property on `result` cost 4% of an epoch.
    let path = result.weightPathL1;
    for (let k = 0; k < m; k++) {
      for (let j = 0; j < size; j++) {
        const db = coef * (pp[k * size + j]! - pm[k * size + j]!);
        b[j]! += db;
        path += Math.abs(db);
      }
    }
    result.weightPathL1 = path;
  }
  return result;
}
