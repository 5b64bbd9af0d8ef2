// How an EqProp weight update becomes pulses: the update protocols the E ∝ I experiment compares.
//
// dense: every weight of every batch gets q(ΔW/w_step) pulses (q = round or stochastic rounding, at most
//   maxPulsesPerUpdate): the pulse count follows the size of the update, whatever it teaches.
// stochastic: one pulse with probability min(1, |ΔW|/w_step), signed by ΔW: the expected change is ΔW
//   (for |ΔW| ≤ w_step) and the expected pulse count Σ|ΔW|/w_step (stochastic rounding to one pulse, in
//   the spirit of Gokmen & Vlasov 2016, Front. Neurosci. 10:333).
// threshold: updates are summed on the host per weight and written only when the sum crosses the device's
//   noise floor (the larger of one step and twice the read noise): updates that cancel (labels the
//   weights cannot fit, or noise) cost no pulse. The Landauer argument prices a bit written, not an update
//   computed: this protocol spends pulses where updates agree, which is where information is stored.
import type { Rng } from "../random/rng.js";

export const UPDATE_PROTOCOLS = ["dense", "stochastic", "threshold"] as const;
export type UpdateProtocol = (typeof UPDATE_PROTOCOLS)[number];

export interface PulseDecision {
  /** Pulses to apply (≥ 0) on the device of the sign of `signedWeight`. */
  pulses: number;
  /** The signed weight change those pulses stand for (pulses · step, signed). */
  appliedWeight: number;
}

export interface UpdateRule {
  /** Smallest update worth a pulse for `threshold`, weight units (≥ stepWeight). */
  noiseFloorWeight: number;
  maxPulses: number;
  /** dense only: round to nearest rather than stochastic rounding. */
  roundToNearest: boolean;
}

/**
 * Pulses for one weight. `update` is this batch's ΔW (dense, stochastic) or the host's running sum of
 * unapplied updates (threshold); `stepWeight` is one pulse of the device that the sign selects.
 */
export function pulsesFor(protocol: UpdateProtocol, update: number, stepWeight: number, rule: UpdateRule, rng: Rng): PulseDecision {
  const magnitude = Math.abs(update);
  const sign = update < 0 ? -1 : 1;
  let n: number;
  if (protocol === "dense") {
    const exact = magnitude / stepWeight;
    n = rule.roundToNearest ? Math.round(exact) : Math.floor(exact + rng.uniform());
  } else if (protocol === "stochastic") {
    n = rng.uniform() < Math.min(1, magnitude / stepWeight) ? 1 : 0;
  } else {
    n = magnitude >= Math.max(stepWeight, rule.noiseFloorWeight) ? Math.round(magnitude / stepWeight) : 0;
  }
  if (n > rule.maxPulses) n = rule.maxPulses;
  return { pulses: n, appliedWeight: sign * n * stepWeight };
}
