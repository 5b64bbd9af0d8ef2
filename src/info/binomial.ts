// Exact binomial confidence limits (Clopper–Pearson) for an error rate observed as k errors in n trials.

/**
 * P(X ≤ k) for X ~ Binomial(n, p), summed exactly in log space (stable for n up to millions).
 */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  let logChoose = 0; // log C(n, 0)
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logChoose += Math.log(n - i + 1) - Math.log(i);
    sum += Math.exp(logChoose + i * logP + (n - i) * logQ);
  }
  return Math.min(1, sum);
}

/**
 * One-sided Clopper–Pearson upper confidence limit on a binomial proportion.
 *
 * Formula: the p_U that solves P(X ≤ k | n, p_U) = α with α = 1 − confidence,
 * equivalently p_U = Beta⁻¹(confidence; k+1, n−k). p_U = 1 when k = n. With k = 0 it is exactly
 * 1 − α^(1/n) (the "rule of three" ≈ 3/n at 95%).
 * Assumptions: the k errors are n independent Bernoulli trials with one common rate; the limit is
 * conservative (coverage ≥ confidence). Solved by bisection to ~1e-15.
 */
export function clopperPearsonUpper(k: number, n: number, confidence = 0.95): number {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`clopperPearsonUpper: n = ${n} must be a positive integer`);
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`clopperPearsonUpper: k = ${k} must be an integer in [0, n = ${n}]`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`clopperPearsonUpper: confidence = ${confidence} must be in (0, 1)`);
  if (k === n) return 1;
  const alpha = 1 - confidence;
  if (k === 0) return 1 - Math.pow(alpha, 1 / n);
  // binomialCdf(k, n, p) decreases in p: find where it crosses alpha.
  let lo = k / n;
  let hi = 1;
  for (let it = 0; it < 200 && hi - lo > 1e-15; it++) {
    const mid = (lo + hi) / 2;
    if (binomialCdf(k, n, mid) > alpha) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * One-sided Clopper–Pearson lower confidence limit on a binomial proportion.
 *
 * Formula: the p_L that solves P(X ≥ k | n, p_L) = α with α = 1 − confidence, equivalently
 * p_L = Beta⁻¹(α; k, n−k+1). By the symmetry X ~ Bin(n, p) ⇔ n−X ~ Bin(n, 1−p) it is
 * 1 − (upper limit for n−k of n). p_L = 0 when k = 0; with k = n it is exactly α^(1/n).
 * Assumptions: as clopperPearsonUpper (independent Bernoulli trials, one common rate; conservative).
 */
export function clopperPearsonLower(k: number, n: number, confidence = 0.95): number {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`clopperPearsonLower: n = ${n} must be a positive integer`);
  if (!Number.isInteger(k) || k < 0 || k > n) throw new RangeError(`clopperPearsonLower: k = ${k} must be an integer in [0, n = ${n}]`);
  if (k === 0) return 0;
  if (k === n) {
    if (!(confidence > 0 && confidence < 1)) throw new RangeError(`clopperPearsonLower: confidence = ${confidence} must be in (0, 1)`);
    return Math.pow(1 - confidence, 1 / n);
  }
  return Math.max(0, 1 - clopperPearsonUpper(n - k, n, confidence));
}
