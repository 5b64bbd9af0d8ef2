// The label contrasts in the shape src/report read before matched contrasts had factors and zero-aware
// shifts (random against each other label mode, one interval per shift). The report now reads
// SweepAnalysis.matchedContrasts; only tests/experiment/analysis.test.ts still checks this view: remove both.
import type { BootstrapInterval } from "./bootstrap.js";
import type { MatchedContrast } from "./contrasts.js";
import type { LogShift } from "./group-shift.js";
import { BRACKET_ENDS, type BracketEnd } from "./point.js";

export interface LegacyLabelContrast {
  match: string;
  random: string;
  against: string;
  seeds: { random: number; against: number };
  /** log E(random)/E(against); undefined when no cell has a ratio (e.g. E at 0 on both sides). */
  deltaLogE: BootstrapInterval | undefined;
  deltaLogI: Partial<Record<BracketEnd, BootstrapInterval>>;
}

/** One interval for a shift: the finite cells' CI, or ±Infinity when every informative cell falls to 0 on one side. */
function asInterval(s: LogShift): BootstrapInterval | undefined {
  const { bZero, aZero } = s.cells;
  if (s.finite && bZero === 0 && aZero === 0) return s.finite;
  if (s.finite || (bZero > 0 && aZero > 0) || bZero + aZero === 0) return undefined;
  const v = bZero > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  return { estimate: v, lower: v, upper: v, level: 0.95, resamples: 0, finiteResamples: 0 };
}

export function legacyLabelContrasts(contrasts: readonly MatchedContrast[]): LegacyLabelContrast[] {
  return contrasts
    .filter((c) => c.factor === "labels" && c.a === "random")
    .map((c) => {
      const deltaLogI: Partial<Record<BracketEnd, BootstrapInterval>> = {};
      for (const end of BRACKET_ENDS) {
        const i = asInterval(c.deltaLogI[end]);
        if (i) deltaLogI[end] = i;
      }
      return { match: c.match, random: c.a, against: c.b, seeds: { random: c.runs.a, against: c.runs.b }, deltaLogE: asInterval(c.deltaLogE), deltaLogI };
    });
}
