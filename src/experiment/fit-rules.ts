// The verdict's fit rules on the ends of the bracket: which ends are judged (enough runs with I > 0, not
// label-blind), β's CI against [0.9, 1.1], and the competitors where log I can be told apart from them (VIF).
import type { EndAnalysis, EndCounts } from "./end-fit.js";
import type { BracketEnd } from "./point.js";
import { countsText, fmt } from "./verdict-format.js";
import { VERDICT_RULES } from "./verdict-rules.js";

export interface FitInput {
  ends: Partial<Record<BracketEnd, EndAnalysis>>;
  counts: Record<BracketEnd, EndCounts>;
}

export interface JudgedEnds {
  /** Ends the rules judge: the estimate first when it is judged. */
  judged: EndAnalysis[];
  estimateJudged: boolean;
  /** Why the estimate end is not judged (support needs it), or null. */
  estimateMissing: string | null;
  /** Why another end is not judged (too few runs, label-blind). */
  notes: string[];
}

const R = VERDICT_RULES;

function endName(a: EndAnalysis): string {
  return `${a.end} end (${a.method})`;
}

function betaText(a: EndAnalysis): string {
  const b = a.beta;
  return `β = ${fmt(b.estimate)}, ${Math.round(b.level * 100)}% CI [${fmt(b.lower)}, ${fmt(b.upper)}] (width ${fmt(b.upper - b.lower)}) over ${a.clusters} cells, ${a.pointsUsed} runs`;
}

function competitorNames(a: EndAnalysis): string {
  return a.competitors.filter((c) => c.used).map((c) => c.name).join(", ");
}

function tooFewText(c: EndCounts): string {
  const zero = c.zeroI > 0 ? `; ${c.zeroI} at I = 0 (${countsText(c.zeroIByLabels)})` : "";
  const missing = c.missingI > 0 ? `; ${c.missingI} without a value` : "";
  const noE = c.nonPositiveE > 0 ? `; ${c.nonPositiveE} with I > 0 but E_learn ≤ 0` : "";
  return `${c.end} end: ${c.used} of ${c.runs} runs have I > 0 and E_learn > 0, in ${c.cells} cell(s)${zero}${missing}${noE}; the fit rules need at least ${R.minRunsPerEnd} runs in ${R.minCellsPerEnd} cells`;
}

export function judgedEnds(input: FitInput): JudgedEnds {
  const judged: EndAnalysis[] = [];
  const notes: string[] = [];
  let estimateMissing: string | null = null;
  for (const end of ["estimate", "lower", "upper"] as const) {
    const a = input.ends[end];
    const c = input.counts[end];
    if (!a || c.used < R.minRunsPerEnd || a.clusters < R.minCellsPerEnd) {
      if (end === "estimate") estimateMissing = `${tooFewText(c)}; support needs the estimate end`;
      else notes.push(tooFewText(c));
      continue;
    }
    const lb = a.labelBlindness;
    if (end !== "estimate" && lb.blind) {
      notes.push(
        `${endName(a)} is label-blind: at each of the ${lb.matchesCompared} matches (n, C, protocol, budget) where at least two label modes have I > 0, every run has the same I, so the end is set by the design, not by what was learned; its ${betaText(a)} is reported but enters no rule`,
      );
      continue;
    }
    judged.push(a);
  }
  return { judged, estimateJudged: judged[0]?.end === "estimate", estimateMissing, notes };
}

/** Support: β inside [0.9, 1.1] on every judged end, and log I keeps its power where the VIF allows judging it. */
export function supportCheck(j: JudgedEnds): { ok: boolean; forIt: string[]; missing: string[] } {
  const forIt: string[] = [];
  const missing: string[] = [];
  if (j.estimateMissing) missing.push(j.estimateMissing);
  const [lo, hi] = R.betaInterval;
  const width = hi - lo;
  for (const a of j.judged) {
    const b = a.beta;
    if (b.lower >= lo && b.upper <= hi) forIt.push(`${endName(a)}: ${betaText(a)} sits inside [${lo}, ${hi}]`);
    else if (b.upper - b.lower > width) {
      missing.push(`${endName(a)}: ${betaText(a)} is wider than the ${fmt(width)} of [${lo}, ${hi}], so it cannot sit inside it whatever β is: more seeds or cells would narrow it`);
    } else {
      missing.push(`${endName(a)}: ${betaText(a)} reaches ${b.lower < lo ? `below ${lo}` : `above ${hi}`}, outside [${lo}, ${hi}]`);
    }
    const names = competitorNames(a);
    if (!names) {
      forIt.push(`${a.end} end: no competitor varies independently in this sweep (${a.competitors.map((c) => `${c.name}: ${c.note}`).join("; ")}); log I is the only predictor`);
    } else if (!(a.vif < R.vifMax)) {
      const text = `${a.end} end: the VIF of log I against ${names} is ${fmt(a.vif)} (≥ ${R.vifMax}): log I moves with them in this design, so whether it keeps its power after them cannot be judged; vary protocols, budgets or labels at fixed n and C`;
      if (a.end === "estimate") missing.push(text);
      else forIt.push(text);
    } else if (a.logIAfterCompetitors && a.logIAfterCompetitors.partialR2 >= R.keepsPowerPartialR2) {
      forIt.push(`${a.end} end: log I keeps its power after ${names} (partial R² ${fmt(a.logIAfterCompetitors.partialR2)} ≥ ${R.keepsPowerPartialR2}; VIF ${fmt(a.vif)} < ${R.vifMax})`);
    } else {
      missing.push(`${a.end} end: log I keeps only partial R² ${fmt(a.logIAfterCompetitors?.partialR2 ?? Number.NaN)} after ${names} (< ${R.keepsPowerPartialR2}; VIF ${fmt(a.vif)} < ${R.vifMax})`);
    }
  }
  return { ok: missing.length === 0 && j.estimateJudged, forIt, missing };
}

/** Refute: the competitors explain log E_learn and log I adds nothing, on every judged end where the VIF is below the threshold. */
export function competitorRule(j: JudgedEnds): string[] {
  const applicable = j.judged.filter((a) => competitorNames(a) && a.vif < R.vifMax && a.competitorsR2 !== null && a.logIAfterCompetitors);
  if (!j.estimateJudged || applicable[0]?.end !== "estimate") return [];
  const fires = applicable.every((a) => a.competitorsR2! >= R.competitorsExplainR2 && a.logIAfterCompetitors!.partialR2 < R.logIAddsNothingPartialR2);
  if (!fires) return [];
  const per = applicable.map((a) => `${a.end} end: R² ${fmt(a.competitorsR2!)} ≥ ${R.competitorsExplainR2}, log I's partial R² after them ${fmt(a.logIAfterCompetitors!.partialR2)} < ${R.logIAddsNothingPartialR2}, VIF ${fmt(a.vif)} < ${R.vifMax}`);
  return [`the competitors (${competitorNames(applicable[0]!)}) explain log E_learn and log I adds nothing after them, in a design where they can be told apart: ${per.join("; ")}`];
}

/** Refute: β's CI lies wholly on one side of [0.9, 1.1] on every judged end. */
export function betaOutsideRule(j: JudgedEnds): string[] {
  if (!j.estimateJudged) return [];
  const [lo, hi] = R.betaInterval;
  const below = j.judged.every((a) => a.beta.upper < lo);
  const above = j.judged.every((a) => a.beta.lower > hi);
  if (!below && !above) return [];
  const per = j.judged.map((a) => `${endName(a)}: ${betaText(a)}`).join("; ");
  return [`β's CI lies wholly ${below ? `below ${lo}` : `above ${hi}`} on every judged end (${per}): E_learn grows ${below ? "more slowly" : "faster"} than in proportion to I`];
}
