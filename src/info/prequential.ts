// The prequential (online) code-length estimate of the bits a model stored (Blier & Ollivier 2018).

/**
 * Bits learned ≈ L_preq − L_final.
 *
 * Formula: L_preq = Σ_i −log2 p_{θ_{<i}}(y_i | x_i), each label coded by the model trained only on
 * the samples before it (the first pass over the data); L_final = Σ_i −log2 p_θ(y_i | x_i), the same
 * labels coded by the final model. A two-part code sends the model then the labels given it, so
 * L_preq ≈ L(θ) + L_final and the difference estimates the bits in the model about the labels.
 * Assumptions: an estimate, not a bound (the prequential code is one achievable code, and it is
 * read off one training order); both lengths in bits on the same n samples. Floored at 0.
 */
export function prequentialEstimateBits(onlineCodeBits: number, finalCodeBits: number): number {
  if (!Number.isFinite(onlineCodeBits) || !Number.isFinite(finalCodeBits)) {
    throw new RangeError(`prequentialEstimateBits: code lengths must be finite (online ${onlineCodeBits}, final ${finalCodeBits})`);
  }
  return Math.max(0, onlineCodeBits - finalCodeBits);
}

/** Σ −log2 p(y_i|x_i) from the per-sample log2 probabilities of the true labels. */
export function codeLengthBits(log2ProbTrue: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < log2ProbTrue.length; i++) s -= log2ProbTrue[i]!;
  return s;
}
