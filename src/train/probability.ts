// From the output layer to class probabilities, for code lengths and the prequential estimate.
//
// p(y|x) = (1 − u)·softmax(g·ρ(o))_y + u/C, with ρ(o) ∈ [0, 1] the output states at the free fixed
// point, g the gain (config probabilityGain, default 8) and u the uniform mix (config uniformMix,
// default 0.01), so that every code length −log2 p is finite: at most log2(C/u) bits.

/** log2 p(y|x) for the outputs out[offset .. offset + C). */
export function log2ProbabilityOfClass(out: Float64Array, offset: number, C: number, y: number, gain: number, uniformMix: number): number {
  let max = -Infinity;
  for (let j = 0; j < C; j++) max = Math.max(max, gain * clip01(out[offset + j]!));
  let z = 0;
  for (let j = 0; j < C; j++) z += Math.exp(gain * clip01(out[offset + j]!) - max);
  const softmax = Math.exp(gain * clip01(out[offset + y]!) - max) / z;
  return Math.log2((1 - uniformMix) * softmax + uniformMix / C);
}

function clip01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
