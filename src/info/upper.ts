// Upper bounds on the bits the weights can hold about the labels.

/**
 * Label-entropy bound: I(Yⁿ;θ) ≤ H(Yⁿ) ≤ n·log2 C bits.
 * Assumptions: n labels over C classes; equality needs uniform, independent labels.
 */
export function labelEntropyUpperBits(n: number, classes: number): number {
  if (!(n >= 0) || !(classes >= 1)) throw new RangeError(`labelEntropyUpperBits: n = ${n}, classes = ${classes} out of range`);
  return n * Math.log2(classes);
}

/** The digital parameters of θ besides the devices (float biases): how many, and the bits each holds. */
export interface BiasParameters {
  count: number;
  /** Bits of the number format, e.g. 64 for float64. */
  bitsEach: number;
}

/** B·bitsPerBias: the most the bias parameters can hold (a B-number vector takes ≤ 2^(B·bits) values). */
export function biasBits(biases: BiasParameters): number {
  if (!(biases.count >= 0) || !(biases.bitsEach >= 0)) throw new RangeError(`biasBits: count = ${biases.count}, bitsEach = ${biases.bitsEach} must be ≥ 0`);
  return biases.count * biases.bitsEach;
}

/**
 * Device-capacity bound: I(Yⁿ;θ) ≤ H(θ) ≤ N·log2 L + B·bitsPerBias bits.
 * Formula: θ = (device read-outs, biases); the devices take at most L^N values and the B biases at
 * most 2^(B·bitsPerBias), and H(θ) ≤ log2 of the number of values θ can take.
 * Assumptions: the weights are read out as N devices, each in one of at most L levels that the read
 * noise lets one tell apart (for float weights, L = 2^bits of the number format); every other
 * parameter of θ is among the B biases.
 */
export function deviceCapacityUpperBits(devices: number, levels: number, biases: BiasParameters): number {
  if (!(devices >= 0) || !(levels >= 1)) throw new RangeError(`deviceCapacityUpperBits: devices = ${devices}, levels = ${levels} out of range`);
  return devices * Math.log2(levels) + biasBits(biases);
}

/** A device array written through additive Gaussian noise: N devices, range R = Gmax − Gmin, noise σ (siemens). */
export interface WriteNoise {
  devices: number;
  rangeSiemens: number;
  sigmaSiemens: number;
}

/**
 * Write-noise channel bound, from one run: I(Yⁿ;θ) ≤ N·½·log2(1 + R²/(4σ²)) + B·bitsPerBias bits.
 *
 * Formula: device j ends at θ_j = X_j + W_j, X_j the conductance its last write aimed at (any function
 * of the data and of everything before), W_j ~ N(0, σ²) that write's noise. Yⁿ → X → θ_dev is a Markov
 * chain, so I(Yⁿ;θ_dev) ≤ I(X;θ_dev) ≤ Σ_j I(X_j;θ_j) (noise independent across devices), and each
 * term is at most the Gaussian channel capacity at the input's variance, ½·log2(1 + Var X_j/σ²);
 * a variable on an interval of width R has Var ≤ R²/4 (Popoviciu). The biases add at most their bits:
 * I(Yⁿ;θ_dev, b) = I(Yⁿ;θ_dev) + I(Yⁿ;b | θ_dev) ≤ I(Yⁿ;θ_dev) + H(b).
 * Assumptions: additive Gaussian write noise of standard deviation ≥ σ on every device's last write,
 * independent of the data, of the target and between devices; targets within [Gmin, Gmax]; θ read out
 * at the end (read noise and clipping only lose information, by data processing).
 */
export function writeNoiseChannelUpperBits(noise: WriteNoise, biases: BiasParameters): number {
  const { devices, rangeSiemens: R, sigmaSiemens: sigma } = noise;
  if (!(devices >= 0) || !(R >= 0) || !(sigma > 0)) {
    throw new RangeError(`writeNoiseChannelUpperBits: devices = ${devices}, range = ${R} S must be ≥ 0 and σ = ${sigma} S > 0`);
  }
  const ratio = R / (2 * sigma);
  return devices * 0.5 * Math.log2(1 + ratio * ratio) + biasBits(biases);
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
 * of the data and between devices. The variances are sample estimates, so the result estimates a bound
 * at no stated confidence: the bracket lists it but takes its upper end from the exact bounds.
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
