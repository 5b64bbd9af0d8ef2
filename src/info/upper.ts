// Upper bounds on the bits the weights can hold about the labels.

/**
 * Label-entropy bound: I(Yⁿ;θ) ≤ H(Yⁿ) ≤ n·log2 C bits.
 * Assumptions: n labels over C classes; equality needs uniform, independent labels.
 */
export function labelEntropyUpperBits(n: number, classes: number): number {
  if (!(n >= 0) || !(classes >= 1)) throw new RangeError(`labelEntropyUpperBits: n = ${n}, classes = ${classes} out of range`);
  return n * Math.log2(classes);
}

/**
 * Device-capacity bound: I(D;θ) ≤ H(θ) ≤ N·log2 L bits.
 * Assumptions: the weights are read out as N devices, each in one of at most L levels that the read
 * noise lets one tell apart (for float weights, L = 2^bits of the number format).
 */
export function deviceCapacityUpperBits(devices: number, levels: number): number {
  if (!(devices >= 0) || !(levels >= 1)) throw new RangeError(`deviceCapacityUpperBits: devices = ${devices}, levels = ${levels} out of range`);
  return devices * Math.log2(levels);
}

/**
 * Gaussian-channel bound: I(D;θ) ≤ ½·Σ_j log2(Var_D θ_j / σ_j²) bits.
 *
 * Formula: with θ_j = f_j(D) + w_j, w_j ~ N(0, σ_j²) write noise independent of D and across j,
 * I(D;θ) ≤ Σ_j I(D;θ_j) (conditionally independent outputs), and each
 * I(D;θ_j) = h(θ_j) − h(w_j) ≤ ½·log2(2πe·Var θ_j) − ½·log2(2πe·σ_j²) (the Gaussian has the largest
 * entropy for a given variance). Var_D θ_j is the variance of weight j across repeats with different
 * data (it includes the noise, so the ratio is ≥ 1 in expectation; a sample ratio below 1 counts 0).
 * σ_j² comes from repeats with the same data. Assumptions: additive Gaussian write noise, independent
 * of the data and between devices.
 */
export function gaussianChannelUpperBits(varianceAcrossData: ArrayLike<number>, writeNoiseVariance: ArrayLike<number>): number {
  if (varianceAcrossData.length !== writeNoiseVariance.length) {
    throw new RangeError(`gaussianChannelUpperBits: ${varianceAcrossData.length} variances but ${writeNoiseVariance.length} noise variances`);
  }
  let bits = 0;
  for (let j = 0; j < varianceAcrossData.length; j++) {
    const v = varianceAcrossData[j]!;
    const s = writeNoiseVariance[j]!;
    if (!(s > 0) || !(v >= 0)) throw new RangeError(`gaussianChannelUpperBits: weight ${j} has variance ${v} and noise variance ${s} (noise must be > 0)`);
    if (v > s) bits += 0.5 * Math.log2(v / s);
  }
  return bits;
}
