// Fano's inequality turned into a lower bound on the bits the weights hold about random labels.
import { h2 } from "./entropy.js";
import { clopperPearsonUpper } from "./binomial.js";

export interface FanoInput {
  /** Training samples whose labels were drawn (n). */
  n: number;
  /** Classes the labels were drawn from, uniformly and independently (C ≥ 2). */
  classes: number;
  /** Training-set errors of the final model counted over `trials` predictions. */
  errors: number;
  /** Predictions the errors were counted over (default n; pooled over K label draws it is K·n). */
  trials?: number;
  /** Confidence of the one-sided upper limit on the error rate (default 0.95). */
  confidence?: number;
}

export interface FanoBound {
  bits: number;
  /** The error rate the bound used: the Clopper–Pearson upper limit. */
  errorRateUpper: number;
  /** The observed error rate errors/trials. */
  errorRateObserved: number;
}

/**
 * Fano lower bound on I(Yⁿ;θ) for labels drawn i.i.d. uniform over C classes on fixed inputs.
 *
 * Formula: I(Yⁿ;θ) = H(Yⁿ) − H(Yⁿ|θ) ≥ n·[log2 C − h2(ε) − ε·log2(C−1)], from Fano's inequality on
 * each label with the decoder ŷ_i = f(θ, x_i), summed and made one term by concavity in ε.
 * ε is the expected training error; we substitute its one-sided Clopper–Pearson upper limit
 * (the bound falls as ε rises up to (C−1)/C, so an upper limit on ε gives a lower bound that holds
 * with at least that confidence). Beyond ε = (C−1)/C the bound is 0.
 * Pooling: the limit uses all `trials` predictions while the bound is n·(…), bits per draw. K
 * independent label draws of the same protocol (trials = K·n) make their pooled error count an
 * estimate of the expected training error ε of one draw, so pooling narrows the limit on the same ε.
 * Assumptions: labels uniform, independent of each other and of the inputs (random and control label
 * modes: with real or teacher labels H(Yⁿ) is unknown and the bound does not apply); the errors count
 * as independent Bernoulli trials with rate ε for the confidence limit.
 * Known answer: a noisy copy (Ŷ = Y with probability 1 − q, else uniform) has H(Y|Ŷ) = h2(ε) +
 * ε·log2(C−1) exactly, so the bound with ε itself is I(Yⁿ;θ) and with the upper limit sits below it.
 */
export function fanoLowerBound(input: FanoInput): FanoBound {
  const { n, classes: C, errors } = input;
  const trials = input.trials ?? n;
  if (!Number.isInteger(C) || C < 2) throw new RangeError(`fanoLowerBound: classes = ${C} must be an integer ≥ 2`);
  if (!(n > 0)) throw new RangeError(`fanoLowerBound: n = ${n} must be positive`);
  const eps = clopperPearsonUpper(errors, trials, input.confidence ?? 0.95);
  return { bits: n * fanoPerSampleBits(C, eps), errorRateUpper: eps, errorRateObserved: errors / trials };
}

/** log2 C − h2(ε) − ε·log2(C−1), floored at 0 (its value at ε = (C−1)/C). */
export function fanoPerSampleBits(classes: number, errorRate: number): number {
  if (errorRate >= (classes - 1) / classes) return 0;
  return Math.max(0, Math.log2(classes) - h2(errorRate) - errorRate * Math.log2(classes - 1));
}
