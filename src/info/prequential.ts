// The prequential (online) code-length estimate of the bits a model stored (Blier & Ollivier 2018).

/**
 * Bits learned ≈ L_online − L_final.
 *
 * Formula: L_preq = Σ_i −log2 p_{θ_{<i}}(y_i | x_i), each label coded by the model trained only on
 * the samples before it (the first pass over the data); L_final = Σ_i −log2 p_θ(y_i | x_i), the same
 * labels coded by the final model. A two-part code sends the model then the labels given it, so
 * L_online ≈ L(θ) + L_final and the difference estimates the bits in the model about the labels.
 * When `uniformCodeBits` (n·log2 C) is given, L_online = min(L_preq, n·log2 C) + 1: one bit says which
 * of the two codes was used, so it is still a code, and an untrained model's confident early mistakes
 * cannot make it longer than coding every label uniformly (Blier & Ollivier code their first chunk
 * uniformly for the same reason).
 * Assumptions: an estimate, not a bound (the prequential code is one achievable code, read off one
 * training order); both lengths in bits on the same n samples. Floored at 0.
 */
export function prequentialEstimateBits(onlineCodeBits: number, finalCodeBits: number, uniformCodeBits?: number): number {
  if (!Number.isFinite(onlineCodeBits) || !Number.isFinite(finalCodeBits)) {
    throw new RangeError(`prequentialEstimateBits: code lengths must be finite (online ${onlineCodeBits}, final ${finalCodeBits})`);
  }
  const online = uniformCodeBits === undefined ? onlineCodeBits : Math.min(onlineCodeBits, uniformCodeBits) + 1;
  return Math.max(0, online - finalCodeBits);
}

/** Σ −log2 p(y_i|x_i) from the per-sample log2 probabilities of the true labels. */
export function codeLengthBits(log2ProbTrue: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < log2ProbTrue.length; i++) s -= log2ProbTrue[i]!;
  return s;
}
