// The generalization-gap lower bound on I(S;θ) (Xu & Raginsky 2017, read in reverse).

/**
 * Lower bound from the train/test gap of the 0–1 loss, in bits.
 *
 * Formula: for a loss in [0, 1] (sub-Gaussian with σ = ½), Xu & Raginsky (2017) give
 * |E[gen]| ≤ √(2σ²·I(S;θ)/n) = √(I/(2n)), I in nats. Reversed: I(S;θ) ≥ 2n·(E[gen])² nats,
 * = 2n·gen²/ln 2 bits, with gen = test error − train error = train accuracy − test accuracy.
 * Assumptions: the n training samples are i.i.d. from the distribution the test set is drawn
 * from; the observed gap of one run stands in for the expected gap (a point estimate, so the
 * bound is only as good as the test-set size); a negative gap gives 0.
 */
export function generalizationGapLowerBoundBits(n: number, trainAccuracy: number, testAccuracy: number): number {
  if (!(n > 0)) throw new RangeError(`generalizationGapLowerBoundBits: n = ${n} must be positive`);
  for (const [name, v] of [["trainAccuracy", trainAccuracy], ["testAccuracy", testAccuracy]] as const) {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`generalizationGapLowerBoundBits: ${name} = ${v} must be in [0, 1]`);
  }
  const gap = Math.max(0, trainAccuracy - testAccuracy);
  return (2 * n * gap * gap) / Math.LN2;
}
