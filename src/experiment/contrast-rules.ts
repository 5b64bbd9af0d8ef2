// The verdict's contrast rules: a matched contrast where I moves and E_learn does not (labels, the control
// among them), or where E_learn moves and I does not (protocol, budget). Judged on confidence limits.
import { contrastsToJudge, type MatchedContrast } from "./contrasts.js";
import { movesAtLeast, shiftDefined, staysWithin } from "./group-shift.js";
import { BRACKET_ENDS, CONTROL_LABELS } from "./point.js";
import { fmt, shiftText, valueInterval } from "./verdict-format.js";
import { VERDICT_RULES } from "./verdict-rules.js";

export interface RuleOutcome {
  /** Reasons to refute, one per contrast that fires. */
  refute: string[];
  /** What the contrasts show when they do not fire (the control's cost, above all). */
  notes: string[];
}

const HELD_EQUAL: Record<MatchedContrast["factor"], string> = {
  labels: "n, C, protocol and budget",
  protocol: "n, C, labels and budget",
  budget: "n, C, labels and protocol",
};

function header(c: MatchedContrast): string {
  const where = c.match === "pooled" ? `${c.matches} matched cells` : `cell ${c.match}`;
  return `matched contrast ${c.factor} ${c.a} vs ${c.b} (same ${HELD_EQUAL[c.factor]}; ${where}, ${c.runs.a} vs ${c.runs.b} runs)`;
}

function iPerEnd(c: MatchedContrast): string {
  return BRACKET_ENDS.map((e) => `${e}: ${shiftText(c.deltaLogI[e], `I(${c.a})`, `I(${c.b})`)}`).join("; ");
}

function costText(c: MatchedContrast): string {
  return `E_learn(${c.a}) − E_learn(${c.b}) = ${valueInterval(c.energyDifferenceJoules, "J")} (overhead ${valueInterval(c.overheadDifferenceJoules, "J")}, total ${valueInterval(c.totalDifferenceJoules, "J")})`;
}

/** Labels (control included): I moves ≥ ×2 on every defined end while E_learn stays within ×1.1. */
export function labelContrastRule(contrasts: readonly MatchedContrast[]): RuleOutcome {
  const R = VERDICT_RULES;
  const out: RuleOutcome = { refute: [], notes: [] };
  for (const c of contrastsToJudge(contrasts).filter((x) => x.factor === "labels")) {
    const defined = BRACKET_ENDS.filter((e) => shiftDefined(c.deltaLogI[e]));
    const iMoves = defined.length > 0 && defined.every((e) => movesAtLeast(c.deltaLogI[e], R.labelIMinFactor));
    const eStays = staysWithin(c.deltaLogE, R.labelEMaxFactor, false);
    const eText = `E_learn(${c.a})/E_learn(${c.b}): ${shiftText(c.deltaLogE, `E_learn(${c.a})`, `E_learn(${c.b})`)}`;
    if (iMoves && eStays) {
      out.refute.push(
        `${header(c)}: I moves at least ×${R.labelIMinFactor} on confidence limits on every defined end (${defined.join(", ")}; ${iPerEnd(c)}) while ${eText} stays inside ×[${fmt(1 / R.labelEMaxFactor)}, ${R.labelEMaxFactor}]: E_learn does not follow I. ${costText(c)}`,
      );
    } else if (c.b === CONTROL_LABELS || !iMoves) {
      const why = !iMoves
        ? defined.length === 0
          ? "I is 0 on both sides on every end"
          : `I does not move ×${R.labelIMinFactor} on confidence limits on ${defined.filter((e) => !movesAtLeast(c.deltaLogI[e], R.labelIMinFactor)).join(" and ")}`
        : `E_learn moves beyond ×${R.labelEMaxFactor}`;
      out.notes.push(`${header(c)}: ${why}, so the contrast rule does not fire (${iPerEnd(c)}; ${eText}). ${costText(c)}`);
    } else {
      out.notes.push(`${header(c)}: I moves and E_learn moves with it beyond ×${R.labelEMaxFactor} (${eText}). ${costText(c)}`);
    }
  }
  return out;
}

/** Protocol or budget at fixed labels: E_learn moves ≥ ×2 while I stays within ×1.1 on every end. */
export function designContrastRule(contrasts: readonly MatchedContrast[]): RuleOutcome {
  const R = VERDICT_RULES;
  const out: RuleOutcome = { refute: [], notes: [] };
  for (const c of contrastsToJudge(contrasts).filter((x) => x.factor !== "labels")) {
    const eMoves = movesAtLeast(c.deltaLogE, R.designEMinFactor);
    const ends = BRACKET_ENDS.filter((e) => c.deltaLogI[e].cells.missing < c.matches);
    const iFixed = ends.length > 0 && ends.every((e) => staysWithin(c.deltaLogI[e], R.designIMaxFactor, true));
    const eText = `E_learn(${c.a})/E_learn(${c.b}): ${shiftText(c.deltaLogE, `E_learn(${c.a})`, `E_learn(${c.b})`)}`;
    if (eMoves && iFixed) {
      out.refute.push(
        `${header(c)}: ${eText}, at least ×${R.designEMinFactor} on confidence limits, while I stays inside ×[${fmt(1 / R.designIMaxFactor)}, ${R.designIMaxFactor}] on every end (${iPerEnd(c)}): the ${c.factor} moves E_learn at fixed I`,
      );
    } else if (eMoves) {
      out.notes.push(`${header(c)}: ${eText}, and I moves too (${iPerEnd(c)})`);
    }
  }
  return out;
}

