// The bits-learned bracket: every bound with its method and whether it holds for the label mode.
import { fanoLowerBound } from "./fano.js";
import { confusionMutualInformation } from "./mutual-information.js";
import { prequentialEstimateBits } from "./prequential.js";
import { generalizationGapLowerBoundBits } from "./generalization.js";
import { deviceCapacityUpperBits, gaussianChannelUpperBits, labelEntropyUpperBits } from "./upper.js";

/** How the training labels were made: drawn uniformly (random), real, or from a teacher network (with a fraction replaced). */
export type LabelMode = "real" | "random" | "teacher";

export interface BracketInput {
  labelMode: LabelMode;
  /** Training samples. */
  n: number;
  /** Classes. */
  C: number;
  /** Training errors of the final model, counted over `trials` predictions (trials = n for one run). */
  trainError: { errors: number; trials: number };
  /** Confusion table of the final model on the training set, table[true][predicted] (pooled over seeds if any). */
  confusion?: number[][];
  /** First-pass online code length Σ −log2 p(y_i|x_i) before each sample was trained on (bits). */
  prequentialBits?: number | null;
  /** Code length of the training labels under the final model (bits). */
  finalCodeBits?: number | null;
  trainAcc: number;
  testAcc: number | null;
  /** Devices (weights as read out) and the levels each can hold distinguishably. */
  N?: number | null;
  L?: number | null;
  /** Variances across data draws and write-noise variances per weight, when repeats were run. */
  repeats?: { varianceAcrossData: number[]; writeNoiseVariance: number[] } | null;
  /** Confidence of the upper limit on the training error used by Fano (default 0.95). */
  confidence?: number;
}

export type BoundKind = "lower" | "estimate" | "upper";

export interface BoundResult {
  name: string;
  kind: BoundKind;
  /** null when the inputs it needs were not given. */
  bits: number | null;
  method: string;
  applies: boolean;
  /** Why it does or does not apply to this label mode. */
  why: string;
}

export interface BitsEnd {
  bits: number;
  method: string;
}

export interface BitsBracket {
  lower: BitsEnd;
  estimate: BitsEnd | null;
  upper: BitsEnd;
  all: BoundResult[];
  notes: string[];
}

/**
 * Collects every bound and picks the bracket: lower = the largest lower bound that applies to the
 * label mode, upper = the smallest upper bound that applies, estimate = prequential when available
 * (clamped into [lower, upper] when it falls outside, with a note).
 * Fano and the confusion-table MI need labels drawn uniformly and independently (random mode); the
 * generalization-gap bound and the upper bounds hold for every mode (see each function's assumptions).
 */
export function bitsBracket(input: BracketInput): BitsBracket {
  const { labelMode, n, C } = input;
  const random = labelMode === "random";
  const notRandomWhy = `labels are "${labelMode}": H(Yⁿ|X) is unknown, so this needs random labels`;
  const all: BoundResult[] = [];
  const notes: string[] = [];

  const fano = fanoLowerBound({ n, classes: C, errors: input.trainError.errors, trials: input.trainError.trials, confidence: input.confidence });
  const conf = input.confidence ?? 0.95;
  all.push({
    name: "fano",
    kind: "lower",
    bits: fano.bits,
    method: `Fano, n·[log2 C − h2(ε) − ε·log2(C−1)] with ε = ${fano.errorRateUpper.toPrecision(4)} (${conf * 100}% Clopper–Pearson upper limit on ${input.trainError.errors}/${input.trainError.trials} training errors)`,
    applies: random,
    why: random ? "labels drawn uniformly and independently over C classes" : notRandomWhy,
  });

  if (input.confusion) {
    const mi = confusionMutualInformation(input.confusion);
    all.push({
      name: "confusion_mi",
      kind: "lower",
      bits: n * mi.bitsPerSample,
      method: `n·I(Y;Ŷ) from the pooled training confusion table (${mi.samples} pairs), Miller–Madow corrected`,
      applies: random,
      why: random ? "independent labels: Σ I(Y_i;Ŷ_i) ≤ I(Yⁿ;θ) by data processing" : notRandomWhy,
    });
  }

  if (input.testAcc !== null) {
    const bits = generalizationGapLowerBoundBits(n, input.trainAcc, input.testAcc);
    all.push({
      name: "generalization_gap",
      kind: "lower",
      bits,
      method: `generalization gap, 2n·gap² nats (Xu & Raginsky 2017, reversed, 0–1 loss), gap = ${(input.trainAcc - input.testAcc).toFixed(4)}`,
      applies: true,
      why: "holds for any labels drawn i.i.d. with the test set; the gap of one run stands in for its expectation",
    });
  }

  if (input.prequentialBits != null && input.finalCodeBits != null) {
    const uniformBits = labelEntropyUpperBits(n, C);
    all.push({
      name: "prequential",
      kind: "estimate",
      bits: prequentialEstimateBits(input.prequentialBits, input.finalCodeBits, uniformBits),
      method:
        input.prequentialBits <= uniformBits
          ? `prequential code length ${input.prequentialBits.toFixed(1)} + 1 − final-model code length ${input.finalCodeBits.toFixed(1)} bits (Blier & Ollivier 2018)`
          : `uniform code ${uniformBits.toFixed(1)} + 1 (shorter than the prequential ${input.prequentialBits.toFixed(1)}) − final-model code length ${input.finalCodeBits.toFixed(1)} bits (Blier & Ollivier 2018)`,
      applies: true,
      why: "an estimate (one achievable code), not a bound",
    });
  }

  all.push({
    name: "label_entropy",
    kind: "upper",
    bits: labelEntropyUpperBits(n, C),
    method: `n·log2 C = ${n}·log2 ${C}`,
    applies: true,
    why: "I(Yⁿ;θ) ≤ H(Yⁿ) ≤ n·log2 C for any labels",
  });
  if (input.N != null && input.L != null) {
    all.push({
      name: "device_capacity",
      kind: "upper",
      bits: deviceCapacityUpperBits(input.N, input.L),
      method: `N·log2 L = ${input.N}·log2 ${input.L}`,
      applies: true,
      why: "the weights can take at most L^N distinguishable states",
    });
  }
  if (input.repeats) {
    all.push({
      name: "gaussian_channel",
      kind: "upper",
      bits: gaussianChannelUpperBits(input.repeats.varianceAcrossData, input.repeats.writeNoiseVariance),
      method: "½·Σ log2(Var_D θ_j / σ_j²) from repeats (Gaussian write-noise channel)",
      applies: true,
      why: "additive Gaussian write noise independent of the data",
    });
  }

  const pick = (kind: BoundKind, better: (a: number, b: number) => boolean): BoundResult | null => {
    let best: BoundResult | null = null;
    for (const b of all) if (b.kind === kind && b.applies && b.bits !== null && (best === null || better(b.bits, best.bits!))) best = b;
    return best;
  };
  const lowerPick = pick("lower", (a, b) => a > b);
  const upperPick = pick("upper", (a, b) => a < b)!; // label_entropy always applies
  const estPick = pick("estimate", (a, b) => a > b);
  const lower: BitsEnd = lowerPick ? { bits: lowerPick.bits!, method: lowerPick.method } : { bits: 0, method: "none applies: I ≥ 0" };
  const upper: BitsEnd = { bits: upperPick.bits!, method: upperPick.method };
  // An estimate outside what the bounds prove is wrong by at least that much: report it clamped, saying so.
  let estimate: BitsEnd | null = null;
  if (estPick) {
    const raw = estPick.bits!;
    const clamped = Math.min(upper.bits, Math.max(lower.bits, raw));
    estimate = clamped === raw ? { bits: raw, method: estPick.method } : { bits: clamped, method: `${estPick.method}; raw ${raw.toFixed(1)} bits, clamped to the bracket` };
    if (clamped !== raw) {
      notes.push(`the prequential estimate (${raw.toFixed(1)} bits) fell outside the bracket [${lower.bits.toFixed(1)}, ${upper.bits.toFixed(1)}] and is reported clamped: the online code of one training order is a poor coder early on (confident wrong predictions)`);
    }
  }

  if (!random) notes.push(`label mode "${labelMode}": Fano and the confusion-table MI do not apply (need random labels); the lower end is the generalization-gap bound`);
  if (lower.bits > upper.bits) notes.push("the lower end exceeds the upper end: an assumption of a bound is broken (check the label mode and error counts)");
  return { lower, estimate, upper, all, notes };
}
