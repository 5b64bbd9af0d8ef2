// The verdict's saturation rule: E_learn keeps rising ≥ ×2 along n after the estimate of I (and the lower
// end with it) stopped growing.
import type { SaturationStep } from "./saturation.js";
import { factor, fmt, shiftText } from "./verdict-format.js";
import { VERDICT_RULES } from "./verdict-rules.js";

/** How many firing steps a reason spells out; the rest are counted. */
const STEPS_SHOWN = 3;

function stepText(s: SaturationStep): string {
  const from = `n=${s.fromN}`;
  const to = `n=${s.toN}`;
  return `${s.series}, n ${s.fromN}→${s.toN}: estimate of I ${shiftText(s.ends.estimate.deltaLogI, to, from)}, lower end ${shiftText(s.ends.lower.deltaLogI, to, from)}, E_learn ${shiftText(s.deltaLogE, to, from)} (${factor(s.excessRiseLogE)} beyond any rise of I the CI allows)`;
}

export function saturationRule(steps: readonly SaturationStep[]): string[] {
  const R = VERDICT_RULES;
  const firing = steps.filter((s) => s.fires).sort((a, b) => b.excessRiseLogE - a.excessRiseLogE);
  if (firing.length === 0) return [];
  const shown = firing.slice(0, STEPS_SHOWN).map(stepText).join("; ");
  const more = firing.length > STEPS_SHOWN ? `; and ${firing.length - STEPS_SHOWN} more step(s)` : "";
  return [
    `E_learn keeps rising after I saturates on ${firing.length} of ${steps.length} steps along n (the estimate's and the lower end's growth below ${fmt(R.saturationIFraction)} of n's on confidence limits, E_learn at least ×${R.saturationERiseFactor} beyond it): ${shown}${more}`,
  ];
}
