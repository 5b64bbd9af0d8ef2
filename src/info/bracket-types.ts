// What the bits-learned bracket takes and gives: the run's counts in, every bound and the two ends out.
import type { ErrorCount } from "./generalization.js";
import type { BiasParameters, WriteNoise } from "./upper.js";

/**
 * How the training labels were made: real, drawn uniformly (random), from a teacher network (with a
 * fraction replaced), or the zero-information control (random labels kept fixed for evaluation while
 * training saw labels redrawn every epoch, independently of them).
 */
export type LabelMode = "real" | "random" | "teacher" | "control";

export interface BracketInput {
  labelMode: LabelMode;
  /** Training samples per label draw. */
  n: number;
  /** Classes. */
  C: number;
  /** Label draws pooled into trainError, testError and confusion (default 1). */
  draws?: number;
  /** Training errors of the final model(s), counted over `trials` predictions (trials = draws·n). */
  trainError: ErrorCount;
  /** Test errors of the final model(s): the generalization-gap bound needs the counts. */
  testError?: ErrorCount | null;
  /** Confusion table of the final model on the training set, table[true][predicted] (pooled over draws if any). */
  confusion?: number[][];
  /** First-pass online code length Σ −log2 p(y_i|x_i) before each sample was trained on (bits). */
  prequentialBits?: number | null;
  /** Code length of the training labels under the final model (bits). */
  finalCodeBits?: number | null;
  /** Not read (the gap bound needs counts: testError); kept so existing callers compile. */
  trainAcc?: number;
  /** Not read (the gap bound needs counts: testError); kept so existing callers compile. */
  testAcc?: number | null;
  /** Devices (weights as read out) and the levels each can hold distinguishably. */
  N?: number | null;
  L?: number | null;
  /**
   * The digital parameters of θ besides the devices (float biases; {count: 0, bitsEach: 64} for a
   * model without any). The device-capacity and write-noise bounds need it: without it they are not
   * computed, since leaving part of θ out would not bound I(Yⁿ;θ).
   */
  biases?: BiasParameters | null;
  /** Devices written through additive Gaussian noise: count, range Gmax − Gmin and σ, in siemens. */
  writeNoise?: WriteNoise | null;
  /** Variances across data draws and write-noise variances per weight, when repeats were run. */
  repeats?: { varianceAcrossData: number[]; writeNoiseVariance: number[] } | null;
  /** Level of the lower end as a lower confidence limit (default 0.95; see bitsBracket). */
  confidence?: number;
}

export type BoundKind = "lower" | "estimate" | "upper";

export interface BoundResult {
  name: string;
  kind: BoundKind;
  /** null when the inputs it needs were not given. */
  bits: number | null;
  method: string;
  /** Whether the bracket may use it: it is a valid bound of I(Yⁿ;θ) for this label mode and these inputs. */
  applies: boolean;
  /** Why it does or does not apply. */
  why: string;
  /** Level of a lower confidence limit; null for exact bounds, upper bounds and estimates. */
  confidence: number | null;
}

export interface BitsEnd {
  bits: number;
  method: string;
  /** Name of the binding bound ("fano", "label_entropy", "device_capacity", …), "control", or "none". */
  bound: string;
  /** Level of a lower confidence limit; null for exact values, upper bounds and estimates. */
  confidence: number | null;
}

export interface BitsBracket {
  lower: BitsEnd;
  estimate: BitsEnd | null;
  upper: BitsEnd;
  all: BoundResult[];
  notes: string[];
}
