// The verdict on E ∝ I by the rules of docs/science.md: refutes when any refute rule fires, supports when
// every support condition holds, inconclusive otherwise, naming what is missing. Every reason is computed.
import type { MatchedContrast } from "./contrasts.js";
import { designContrastRule, labelContrastRule } from "./contrast-rules.js";
import { betaOutsideRule, competitorRule, judgedEnds, supportCheck, type FitInput } from "./fit-rules.js";
import type { SaturationStep } from "./saturation.js";
import { saturationRule } from "./saturation-rule.js";
import type { Verdict } from "./verdict-rules.js";

export { VERDICT_RULES, type Verdict } from "./verdict-rules.js";

export interface VerdictInput extends FitInput {
  contrasts: readonly MatchedContrast[];
  saturation: readonly SaturationStep[];
}

export function decideVerdict(input: VerdictInput): { verdict: Verdict; reasons: string[] } {
  const labels = labelContrastRule(input.contrasts);
  const design = designContrastRule(input.contrasts);
  const ends = judgedEnds(input);
  const refute = [...labels.refute, ...design.refute, ...saturationRule(input.saturation), ...competitorRule(ends), ...betaOutsideRule(ends)];
  const support = supportCheck(ends);
  const notes = [...ends.notes, ...labels.notes, ...design.notes];
  if (refute.length > 0) return { verdict: "refutes", reasons: [...refute, ...notes] };
  if (support.ok) return { verdict: "supports", reasons: [...support.forIt, ...notes] };
  return { verdict: "inconclusive", reasons: [...support.missing, ...support.forIt, ...notes] };
}
