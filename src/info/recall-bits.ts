// Bits an associative memory stores, from its recall errors: I = P·N·(1 − h2(ε)) with a confidence bracket.
//
// P patterns of N random ±1 units recalled with bit-error rate ε are a binary symmetric channel of P·N
// uses, capacity 1 − h2(ε) bits each: I = P·N·(1 − h2(ε)) (ε above ½ is clamped to ½, no information).
// The bracket puts exact Clopper–Pearson limits on ε from the k wrong units of P·N (two-sided, each end at
// (1 + confidence)/2): the lower end of I from ε's upper limit, the upper end from its lower limit.
// Assumptions: the P·N recalled units are independent trials with one error rate. They are not quite (a
// pattern that falls into a spurious state takes many units with it), so the bracket is narrower than
// the truth at loads where recall fails pattern by pattern; the per-pattern overlaps are reported beside it.
//
// I counts what the recalled patterns carry, cue included: a cue with a fraction f of its units flipped
// already carries N·(1 − h2(f)) bits of its pattern. What the weights alone must hold is at least
// P·(log2 C(N, fN) − N·h2(ε)) (I(ξ;θ) ≥ I(ξ;θ | cue) ≥ H(ξ | cue) − H(ξ | recall), the cue being drawn
// independently of θ given ξ): `weights_lower`, from ε's upper limit.
import { clopperPearsonLower, clopperPearsonUpper } from "./binomial.js";
import { h2 } from "./entropy.js";

export interface RecallBits {
  /** Bits at ε's upper confidence limit, at ε as measured, and at ε's lower limit. */
  lower: number;
  estimate: number;
  upper: number;
  /** The bit-error rate and its limits. */
  epsilon: number;
  epsilonLower: number;
  epsilonUpper: number;
  /** Two-sided confidence of the bracket. */
  confidence: number;
  /** Lower limit on what the weights hold beyond the cue (see the file comment); 0 when the cue explains all. */
  weightsLower: number;
  method: string;
}

export interface RecallErrors {
  patterns: number;
  units: number;
  /** Units recalled wrong, over all patterns. */
  bitErrors: number;
  /** Units flipped in each cue. */
  cueFlips: number;
}

/** Bits per binary-symmetric-channel use at error rate ε (ε ≥ ½ carries nothing). */
export function bscCapacityBits(epsilon: number): number {
  return 1 - h2(Math.min(0.5, Math.max(0, epsilon)));
}

/** log2 of the binomial coefficient C(n, k). */
export function log2Binomial(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log2(n - k + i) - Math.log2(i);
  return s;
}

export function recallBits(e: RecallErrors, confidence = 0.95): RecallBits {
  const trials = e.patterns * e.units;
  if (!(trials > 0)) throw new RangeError(`recallBits: ${e.patterns} patterns of ${e.units} units`);
  const oneSided = (1 + confidence) / 2;
  const eps = e.bitErrors / trials;
  const epsUpper = clopperPearsonUpper(e.bitErrors, trials, oneSided);
  const epsLower = clopperPearsonLower(e.bitErrors, trials, oneSided);
  const cueBits = log2Binomial(e.units, e.cueFlips);
  return {
    lower: trials * bscCapacityBits(epsUpper),
    estimate: trials * bscCapacityBits(eps),
    upper: trials * bscCapacityBits(epsLower),
    epsilon: eps,
    epsilonLower: epsLower,
    epsilonUpper: epsUpper,
    confidence,
    weightsLower: Math.max(0, e.patterns * cueBits - trials * h2(Math.min(0.5, epsUpper))),
    method: `P·N·(1 − h2(ε)), Clopper–Pearson on ε (${e.bitErrors} of ${trials} units wrong, two-sided ${confidence})`,
  };
}
