// The generalization-gap lower confidence limit (Xu & Raginsky 2017, read in reverse), from error counts.
import { clopperPearsonLower, clopperPearsonUpper } from "./binomial.js";

export interface ErrorCount {
  errors: number;
  trials: number;
}

export interface GeneralizationGapInput {
  /** Training samples per label draw (n). */
  n: number;
  /** Training-set errors of the final model (trials = K·n when K label draws are pooled). */
  trainError: ErrorCount;
  /** Test-set errors of the final model. */
  testError: ErrorCount;
  /** Level of the lower confidence limit (default 0.95); each error rate gets half of 1 − confidence. */
  confidence?: number;
}

export interface GeneralizationGapBound {
  /** 2n·gap_L²/ln 2 bits (0 when gap_L ≤ 0). */
  bits: number;
  /** gap_L = (lower limit on the test error) − (upper limit on the training error), floored at 0. */
  gapLower: number;
  testErrorLower: number;
  trainErrorUpper: number;
  confidence: number;
}

/**
 * Lower confidence limit from the train/test gap of the 0–1 loss, in bits.
 *
 * Formula: for labels Yⁿ drawn independently (given the inputs xⁿ) and a loss in [0, 1], the training
 * error L_Y(w) = (1/n)·Σ ℓ(w, x_i, Y_i) is sub-Gaussian with variance proxy 1/(4n) under P_Y for every
 * fixed w, and the Donsker–Varadhan step of Xu & Raginsky (2017) gives
 *   E[L̄(θ)] − E[L_Y(θ)] ≤ √(I/(2n)),  I = I(Yⁿ;θ | xⁿ) in nats,
 * where L̄(w) = E_{Y′}[L_{Y′}(w)] is the error of w on a fresh, independent draw of the labels at the
 * same inputs. Reversed: I ≥ 2n·gap² nats = 2n·gap²/ln 2 bits for gap = E[L̄(θ)] − E[L_Y(θ)] ≥ 0.
 * We substitute gap_L = p_L(test) − p_U(train): Clopper–Pearson limits at 1 − α/2 each (α = 1 −
 * confidence), so by the union bound gap_L ≤ gap, and the bound holds, with probability ≥ confidence.
 *
 * Which quantity: with the test set in place of L̄, the bound is on I(Yⁿ;θ | xⁿ), the quantity Fano and
 * the upper bounds are about, only when E[test error | θ] = L̄(θ). That holds when the labels are
 * uniform over C, independent of the inputs, and the test labels are a separate such draw (the
 * random and control label modes): then both equal (C−1)/C for every θ, and the test errors given θ are
 * exactly Binomial(m, (C−1)/C). By Pinsker (Fano's per-sample bound is the divergence from the uniform
 * distribution, ≥ 2·((C−1)/C − ε)²/ln 2), this bound never exceeds Fano's at the same ε: it is a check.
 * With real or teacher labels the test set is other inputs: the theorem then bounds I(S;θ) for
 * S = (Xⁿ, Yⁿ) drawn i.i.d. from the test distribution, and I(S;θ) = I(Yⁿ;θ) + I(Xⁿ;θ | Yⁿ) ≥ I(Yⁿ;θ),
 * so a lower bound on I(S;θ) is not one on I(Yⁿ;θ) unless the weights hold nothing about the inputs
 * beyond the labels, which a trained network violates and a run cannot check (lower-bounds.ts marks it
 * not applicable there).
 * Assumptions: the training errors count as independent Bernoulli trials with the expected training
 * error as their rate (as for Fano); pooling K independent draws of the same protocol estimates the
 * expected training error of one draw; θ is independent of the test labels.
 */
export function generalizationGapLowerBound(input: GeneralizationGapInput): GeneralizationGapBound {
  const { n, trainError, testError } = input;
  const confidence = input.confidence ?? 0.95;
  if (!(n > 0)) throw new RangeError(`generalizationGapLowerBound: n = ${n} must be positive`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`generalizationGapLowerBound: confidence = ${confidence} must be in (0, 1)`);
  const each = 1 - (1 - confidence) / 2;
  const testErrorLower = clopperPearsonLower(testError.errors, testError.trials, each);
  const trainErrorUpper = clopperPearsonUpper(trainError.errors, trainError.trials, each);
  const gapLower = Math.max(0, testErrorLower - trainErrorUpper);
  return { bits: (2 * n * gapLower * gapLower) / Math.LN2, gapLower, testErrorLower, trainErrorUpper, confidence };
}
