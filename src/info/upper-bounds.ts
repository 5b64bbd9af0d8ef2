// The upper bounds of the bracket: exact bounds on I(Yⁿ;θ), each with what it assumes.
import type { BoundResult, BracketInput } from "./bracket-types.js";
import { biasBits, deviceCapacityUpperBits, gaussianChannelUpperBits, labelEntropyUpperBits, writeNoiseChannelUpperBits } from "./upper.js";

const noBiasesWhy = "the bias parameters (biases) were not given: θ without them is not all of θ, so this would not bound I(Yⁿ;θ)";

/** " + B·bits" for the method text. */
function biasText(input: BracketInput): string {
  const b = input.biases!;
  return ` + B·bitsPerBias = ${b.count}·${b.bitsEach}`;
}

/**
 * Every upper bound. The upper end is the smallest that applies: n·log2 C, the device capacity and
 * the write-noise channel (each including the biases). The repeats-based Gaussian channel is listed
 * but not used: its variances are sample estimates, so it is an estimate of a bound, at no stated
 * confidence, and it leaves the biases out.
 */
export function upperBounds(input: BracketInput): BoundResult[] {
  const { n, C } = input;
  const bounds: BoundResult[] = [];
  bounds.push({
    name: "label_entropy",
    kind: "upper",
    bits: labelEntropyUpperBits(n, C),
    method: `n·log2 C = ${n}·log2 ${C}`,
    applies: true,
    why: "I(Yⁿ;θ) ≤ H(Yⁿ) ≤ n·log2 C for any labels",
    confidence: null,
  });
  if (input.N != null && input.L != null) {
    const biases = input.biases;
    bounds.push({
      name: "device_capacity",
      kind: "upper",
      bits: biases ? deviceCapacityUpperBits(input.N, input.L, biases) : null,
      method: `N·log2 L = ${input.N}·log2 ${input.L}${biases ? biasText(input) : " (+ the biases' bits, not given)"}`,
      applies: biases != null,
      why: biases ? "the devices take at most L^N distinguishable states and the biases at most 2^(B·bitsPerBias)" : noBiasesWhy,
      confidence: null,
    });
  }
  if (input.writeNoise) {
    const w = input.writeNoise;
    const biases = input.biases;
    bounds.push({
      name: "write_noise_channel",
      kind: "upper",
      bits: biases ? writeNoiseChannelUpperBits(w, biases) : null,
      method: `N·½·log2(1 + R²/(4σ²)) = ${w.devices}·½·log2(1 + (${w.rangeSiemens.toPrecision(3)} S)²/(4·(${w.sigmaSiemens.toPrecision(3)} S)²))${biases ? biasText(input) : " (+ the biases' bits, not given)"}`,
      applies: biases != null,
      why: biases
        ? "additive Gaussian write noise σ on each device's last write, independent of the data and between devices; targets within a range R; read out at the end"
        : noBiasesWhy,
      confidence: null,
    });
  }
  if (input.repeats) {
    const extra = input.biases ? biasBits(input.biases) : 0;
    bounds.push({
      name: "gaussian_channel",
      kind: "upper",
      bits: gaussianChannelUpperBits(input.repeats.varianceAcrossData, input.repeats.writeNoiseVariance) + extra,
      method: `½·Σ log2(Var_D θ_j / σ_j²) from repeats (Gaussian write-noise channel)${input.biases ? biasText(input) : ""}`,
      applies: false,
      why: "Var_D θ_j and σ_j² are sample variances from repeats: an estimate of a bound at no stated confidence, so the upper end does not use it",
      confidence: null,
    });
  }
  return bounds;
}
