// The verdict on E ∝ I by the rules in DESIGN.md, with every reason spelled out.
// Supports when the CI for β sits in [0.9, 1.1] and log I keeps its power after the competitors;
// refutes when the protocol alone moves E at fixed I, or E keeps rising after I saturates.
// A rule that depends on I must hold on both ends of the bracket (whatever the true I inside it is).
import type { EndAnalysis } from "./analysis.js";
import type { MatchedContrast } from "./contrasts.js";
import type { BracketEnd } from "./point.js";
import { EXCESS_RISE_FACTOR, SATURATION_I_FRACTION } from "./saturation.js";

export type Verdict = "supports" | "refutes" | "inconclusive";

export const VERDICT_RULES = {
  betaInterval: [0.9, 1.1] as [number, number],
  /** log I keeps its power: partial R² of log I after the competitors at least this. */
  keepsPowerPartialR2: 0.5,
  /** The protocol moves E at fixed I: partial R² of the competitors after log I at least this… */
  protocolPartialR2: 0.5,
  /** …their F statistic at least this (≈ p < 0.05 for the sweep sizes we run)… */
  protocolMinF: 4,
  /** …and the E they predict at fixed I spans more than this factor across the sweep. */
  protocolMinFactor: 1.25,
  /** A matched contrast refutes when I differs by more than this factor and E departs from it by more than this factor too. */
  contrastMinFactor: 1.25,
  saturationIFraction: SATURATION_I_FRACTION,
  excessRiseFactor: EXCESS_RISE_FACTOR,
  ends: ["lower", "upper"] as BracketEnd[],
};

const fmt = (x: number) => (Number.isFinite(x) ? (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : x.toFixed(3)) : String(x));

export function decideVerdict(
  ends: Partial<Record<BracketEnd, EndAnalysis>>,
  contrasts: readonly MatchedContrast[],
  missing: Partial<Record<BracketEnd, string>> = {},
): { verdict: Verdict; reasons: string[] } {
  const R = VERDICT_RULES;
  const refute: string[] = [];
  const against: string[] = [];
  const forIt: string[] = [];
  const bracket = R.ends.map((e) => ends[e]);

  // Refute 1: the protocol alone moves E at fixed I (on both ends of the bracket).
  const protocolMoves = (a: EndAnalysis | undefined) =>
    !!a?.competitorsAfterLogI &&
    a.competitorsAfterLogI.partialR2 >= R.protocolPartialR2 &&
    a.competitorsAfterLogI.f >= R.protocolMinF &&
    (a.competitorsEffectLogSpread ?? 0) > Math.log(R.protocolMinFactor);
  if (bracket.every(protocolMoves)) {
    const names = bracket[0]!.competitors.filter((c) => c.used).map((c) => c.name).join(", ");
    refute.push(
      `the protocol alone moves E at fixed I: after log I, the competitors (${names}) explain ${bracket.map((a) => `${fmt(a!.competitorsAfterLogI!.partialR2)} (${a!.end})`).join(" and ")} of the remaining variance of log E, and predict E varying ×${bracket.map((a) => fmt(Math.exp(a!.competitorsEffectLogSpread!))).join(" / ×")} at fixed I`,
    );
  }

  // Refute 2: E keeps rising after I saturates. The upper end decides: if even the upper bound on I is flat, I is.
  const upper = ends.upper;
  for (const s of upper?.saturation ?? []) {
    if (s.iSaturated && s.eStillRising) {
      refute.push(`E keeps rising after I saturates (${s.series}, n ${s.fromN}→${s.toN}): the upper bound on I changes ×${fmt(Math.exp(s.deltaLogI))} while E changes ×${fmt(Math.exp(s.deltaLogE))}`);
    }
  }

  // Refute 3: matched contrasts — same protocol, different labels: I moves and E does not follow it (both ends).
  const decisive = contrastsToJudge(contrasts);
  for (const c of decisive) {
    const fires = R.ends.every((end) => {
      const dI = c.deltaLogI[end];
      const x = c.excess[end];
      return !!dI && !!x && Math.abs(dI.estimate) > Math.log(R.contrastMinFactor) && (x.lower > Math.log(R.contrastMinFactor) || x.upper < -Math.log(R.contrastMinFactor));
    });
    if (fires) {
      refute.push(
        `at equal n, C and budget (${c.match}), random against ${c.against} labels change I ×${R.ends.map((e) => fmt(Math.exp(c.deltaLogI[e]!.estimate))).join(" / ×")} (lower / upper end) but E ×${fmt(Math.exp(c.deltaLogE.estimate))} [95% CI ×${fmt(Math.exp(c.deltaLogE.lower))}–×${fmt(Math.exp(c.deltaLogE.upper))}]`,
      );
    }
  }

  // Supports: β's CI inside [0.9, 1.1] and log I keeps its power, on both ends.
  let supportable = true;
  for (const end of R.ends) {
    const a = ends[end];
    if (!a) {
      supportable = false;
      against.push(`no fit on the ${end} end of the bracket: ${missing[end] ?? "fewer than 3 runs with E > 0 and I > 0"}`);
      continue;
    }
    const b = a.beta;
    const inside = b.lower >= R.betaInterval[0] && b.upper <= R.betaInterval[1];
    const line = `${end} end (${a.method}): β = ${fmt(b.estimate)}, 95% CI [${fmt(b.lower)}, ${fmt(b.upper)}] over ${a.clusters} clusters`;
    if (inside) forIt.push(`${line} sits inside [${R.betaInterval.join(", ")}]`);
    else {
      supportable = false;
      against.push(`${line} is not inside [${R.betaInterval.join(", ")}]`);
    }
    const used = a.competitors.filter((c) => c.used);
    if (used.length === 0) {
      forIt.push(`${end} end: no competitor varies independently in this sweep; log I is the only predictor`);
    } else if (!a.logIAfterCompetitors) {
      supportable = false;
      against.push(`${end} end: log I cannot be separated from ${used.map((c) => c.name).join(", ")} in this sweep (collinear); vary labels or C at fixed n`);
    } else if (a.logIAfterCompetitors.partialR2 >= R.keepsPowerPartialR2) {
      forIt.push(`${end} end: log I keeps its power after ${used.map((c) => c.name).join(", ")} (partial R² ${fmt(a.logIAfterCompetitors.partialR2)})`);
    } else {
      supportable = false;
      against.push(`${end} end: log I loses its power after ${used.map((c) => c.name).join(", ")} (partial R² ${fmt(a.logIAfterCompetitors.partialR2)} < ${R.keepsPowerPartialR2})`);
    }
  }

  const below = R.ends.every((e) => ends[e] && ends[e]!.beta.upper < R.betaInterval[0]);
  const above = R.ends.every((e) => ends[e] && ends[e]!.beta.lower > R.betaInterval[1]);
  if (refute.length === 0 && (below || above)) {
    against.unshift(
      `on both ends E grows ${below ? "more slowly" : "faster"} than in proportion to I (β's CI lies ${below ? "below" : "above"} [${R.betaInterval.join(", ")}]), but neither refute rule of DESIGN.md fired (the protocol does not move E at fixed I; E does not rise after I saturates), so the verdict stays inconclusive`,
    );
  }
  if (refute.length > 0) return { verdict: "refutes", reasons: [...refute, ...against] };
  if (supportable) return { verdict: "supports", reasons: forIt };
  return { verdict: "inconclusive", reasons: [...against, ...forIt] };
}

/** The pooled contrast per label pair when there is one, else the single matched cell. */
function contrastsToJudge(contrasts: readonly MatchedContrast[]): MatchedContrast[] {
  const byAgainst = new Map<string, MatchedContrast[]>();
  for (const c of contrasts) byAgainst.set(c.against, [...(byAgainst.get(c.against) ?? []), c]);
  return [...byAgainst.values()].map((list) => list.find((c) => c.match === "pooled") ?? list[0]!);
}
