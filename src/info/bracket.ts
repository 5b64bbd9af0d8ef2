// The bits-learned bracket: every bound with its method and whether it holds, and the two ends it proves.
import type { BitsBracket, BitsEnd, BoundKind, BoundResult, BracketInput } from "./bracket-types.js";
import { lowerBounds, pooledText, uniformLabels } from "./lower-bounds.js";
import { prequentialEstimateBits } from "./prequential.js";
import { labelEntropyUpperBits } from "./upper.js";
import { upperBounds } from "./upper-bounds.js";

export type { BitsBracket, BitsEnd, BoundKind, BoundResult, BracketInput, LabelMode } from "./bracket-types.js";

/**
 * Collects every bound and picks the bracket on I(Yⁿ;θ), the bits the final weights and biases hold
 * about the training labels:
 * - lower = the largest lower bound that applies, a lower confidence limit at `confidence` (each of
 *   the k that apply is computed at 1 − α/k, see lowerBounds), or 0 ("none") when none applies;
 * - upper = the smallest upper bound that applies: n·log2 C, the device capacity or the write-noise
 *   channel (both with the biases), exact bounds (confidence null);
 * - estimate = prequential when available, clamped into [lower, upper] with a note when outside.
 * Control label mode: training saw labels redrawn every epoch independently of the fixed labels the
 * model is evaluated on, so θ is independent of those labels and I(Yⁿ;θ) = 0 exactly: the bracket
 * is [0, 0] with estimate 0 (bound "control"); the other bounds are still listed as a check.
 * Pooling K draws (input.draws) counts K·n trials for the confidence limits while every bound stays
 * in bits per draw (n samples); it estimates the expected error of one draw of the same protocol.
 */
export function bitsBracket(input: BracketInput): BitsBracket {
  const { labelMode, n, C } = input;
  const notes: string[] = [];
  const lower = lowerBounds(input);
  const all: BoundResult[] = [...lower.bounds];
  const uniformBits = labelEntropyUpperBits(n, C);

  if (input.prequentialBits != null && input.finalCodeBits != null) {
    all.push({
      name: "prequential",
      kind: "estimate",
      bits: prequentialEstimateBits(input.prequentialBits, input.finalCodeBits, uniformBits),
      method:
        input.prequentialBits <= uniformBits
          ? `prequential code length ${input.prequentialBits.toFixed(1)} + 1 − final-model code length ${input.finalCodeBits.toFixed(1)} bits (Blier & Ollivier 2018)`
          : `uniform code ${uniformBits.toFixed(1)} + 1 (shorter than the prequential ${input.prequentialBits.toFixed(1)}) − final-model code length ${input.finalCodeBits.toFixed(1)} bits (Blier & Ollivier 2018)`,
      applies: labelMode !== "control",
      why: labelMode === "control" ? "the control's I(Yⁿ;θ) is 0 by construction" : "an estimate (one achievable code), not a bound",
      confidence: null,
    });
  }
  all.push(...upperBounds(input));

  const K = input.draws ?? 1;
  if (input.trainError.trials !== K * n) {
    notes.push(`the training errors were counted over ${input.trainError.trials} predictions, not draws·n = ${K}·${n}: the confidence limits assume ${input.trainError.trials} independent trials`);
  }

  const lowerPick = pick(all, "lower", (a, b) => a > b);
  const upperPick = pick(all, "upper", (a, b) => a < b)!; // label_entropy always applies

  if (labelMode === "control") {
    const end: BitsEnd = {
      bits: 0,
      method: `control: the ${n} training labels over ${C} classes were redrawn every epoch independently of the fixed labels evaluated${pooledText(input)}, so θ holds none of their n·log2 C = ${uniformBits.toFixed(1)} bits: I(Yⁿ;θ) = 0`,
      bound: "control",
      confidence: null,
    };
    if (lowerPick && lowerPick.bits! > 0) {
      notes.push(`control: ${lowerPick.name} gives ${lowerPick.bits!.toFixed(1)} bits > 0 (a ${pct(1 - (lowerPick.confidence ?? 1))} chance, or the control leaks its fixed labels into training)`);
    }
    return { lower: end, estimate: end, upper: end, all, notes };
  }

  const lowerEnd: BitsEnd = lowerPick
    ? { bits: lowerPick.bits!, method: lowerPick.method, bound: lowerPick.name, confidence: lower.endConfidence }
    : { bits: 0, method: "none applies: I ≥ 0", bound: "none", confidence: null };
  const upperEnd: BitsEnd = { bits: upperPick.bits!, method: upperPick.method, bound: upperPick.name, confidence: null };
  const estimate = clampedEstimate(pick(all, "estimate", (a, b) => a > b), lowerEnd, upperEnd, notes);

  if (!uniformLabels(input)) {
    notes.push(`label mode "${labelMode}": no lower bound applies (Fano needs uniform labels; the generalization gap with a test set on other inputs bounds I(S;θ), not I(Yⁿ;θ)); the lower end is 0`);
  }
  if (lowerEnd.bits > upperEnd.bits) notes.push("the lower end exceeds the upper end: an assumption of a bound is broken (check the label mode and error counts)");
  return { lower: lowerEnd, estimate, upper: upperEnd, all, notes };
}

const pct = (c: number): string => `${+(c * 100).toPrecision(4)}%`;

/** The applying bound of this kind with the best bits, or null. */
function pick(all: BoundResult[], kind: BoundKind, better: (a: number, b: number) => boolean): BoundResult | null {
  let best: BoundResult | null = null;
  for (const b of all) if (b.kind === kind && b.applies && b.bits !== null && (best === null || better(b.bits, best.bits!))) best = b;
  return best;
}

/** An estimate outside what the bounds prove is wrong by at least that much: report it clamped, saying so. */
function clampedEstimate(estPick: BoundResult | null, lower: BitsEnd, upper: BitsEnd, notes: string[]): BitsEnd | null {
  if (!estPick) return null;
  const raw = estPick.bits!;
  const clamped = Math.min(upper.bits, Math.max(lower.bits, raw));
  if (clamped === raw) return { bits: raw, method: estPick.method, bound: estPick.name, confidence: null };
  notes.push(`the prequential estimate (${raw.toFixed(1)} bits) fell outside the bracket [${lower.bits.toFixed(1)}, ${upper.bits.toFixed(1)}] and is reported clamped: the online code of one training order is a poor coder early on (confident wrong predictions)`);
  return { bits: clamped, method: `${estPick.method}; raw ${raw.toFixed(1)} bits, clamped to the bracket`, bound: estPick.name, confidence: null };
}
