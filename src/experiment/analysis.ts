// The E-vs-I analysis of a sweep (docs/science.md): on each end of the bracket the Deming fit of log E_learn
// on log I with its cluster-bootstrap CI, the competitors and log I's VIF against them; the matched
// contrasts (labels and the control, protocol, budget); saturation along n; Landauer multiples; the verdict.
import { landauerJoulesPerBit } from "../energy/landauer.js";
import { clusterBootstrap, type BootstrapInterval } from "./bootstrap.js";
import { matchedContrasts, type MatchedContrast } from "./contrasts.js";
import { analyzeEnd, endCounts, type EndAnalysis, type EndCounts } from "./end-fit.js";
import { BRACKET_ENDS, type BracketEnd, type ExperimentPoint } from "./point.js";
import { saturationSteps, type SaturationStep } from "./saturation.js";
import { decideVerdict, VERDICT_RULES, type Verdict } from "./verdict.js";

export type { CompetitorTerm, EndAnalysis, EndCounts } from "./end-fit.js";
export { methodSummary } from "./end-fit.js";

export interface AnalysisOptions {
  /** δ = Var(error in log E)/Var(error in log I) for the Deming fit. Default 1 (orthogonal regression on logs). */
  errorVarianceRatio?: number;
  bootstrapResamples?: number;
  level?: number;
  seed?: number;
}

export interface LandauerRow {
  /** "learning" (E_learn), "total", or an activity/physical component of the total. */
  component: string;
  end: BracketEnd;
  /** Geometric mean over runs with I > 0 of E_component / (k_B·T·ln2 · I), with a cluster-bootstrap CI. */
  multiple: BootstrapInterval;
}

export interface SweepAnalysis {
  points: number;
  cells: number;
  errorVarianceRatio: number;
  /** The fit per end, where at least 3 runs have I > 0 and E_learn > 0. */
  ends: Partial<Record<BracketEnd, EndAnalysis>>;
  /** Every run per end: in the fit, at I = 0 (per label mode), without a value, the binding bounds. */
  counts: Record<BracketEnd, EndCounts>;
  /** Labels (the control among them), protocol and budget contrasts: pooled, and per cell for labels. */
  matchedContrasts: MatchedContrast[];
  saturation: SaturationStep[];
  landauer: LandauerRow[];
  verdict: Verdict;
  reasons: string[];
  rules: typeof VERDICT_RULES;
}

export function analyzeSweep(points: readonly ExperimentPoint[], options: AnalysisOptions = {}): SweepAnalysis {
  const delta = options.errorVarianceRatio ?? 1;
  const boot = { resamples: options.bootstrapResamples ?? 2000, level: options.level ?? 0.95, seed: options.seed ?? 1 };
  const ends: Partial<Record<BracketEnd, EndAnalysis>> = {};
  const counts = {} as Record<BracketEnd, EndCounts>;
  for (const end of BRACKET_ENDS) {
    counts[end] = endCounts(points, end);
    const a = analyzeEnd(points, end, delta, boot);
    if (a) ends[end] = a;
  }
  const contrasts = matchedContrasts(points, boot);
  // Steps along n are many and each is judged on its own: fewer resamples keep the sweep summary quick.
  const saturation = saturationSteps(points, { ...boot, resamples: Math.min(boot.resamples, 1000), seed: `${boot.seed}` });
  const { verdict, reasons } = decideVerdict({ ends, counts, contrasts, saturation });
  return {
    points: points.length,
    cells: new Set(points.map((p) => p.cell)).size,
    errorVarianceRatio: delta,
    ends,
    counts,
    matchedContrasts: contrasts,
    saturation,
    landauer: landauerMultiples(points, boot),
    verdict,
    reasons,
    rules: VERDICT_RULES,
  };
}

/** E_learn and the total first, then every component present at some point. */
export function energyComponents(points: readonly ExperimentPoint[]): string[] {
  const keys = new Set<string>();
  for (const p of points) for (const k of Object.keys(p.energyByComponentJoules)) keys.add(k);
  return ["learning", "total", ...[...keys].sort()];
}

function componentJoules(p: ExperimentPoint, component: string): number | undefined {
  if (component === "learning") return p.energyJoules;
  if (component === "total") return p.totalJoules;
  return p.energyByComponentJoules[component];
}

export function landauerMultiples(points: readonly ExperimentPoint[], boot: { resamples: number; level: number; seed: number }): LandauerRow[] {
  const rows: LandauerRow[] = [];
  for (const component of energyComponents(points)) {
    for (const end of BRACKET_ENDS) {
      const logs: { cell: string; logR: number }[] = [];
      for (const p of points) {
        const e = componentJoules(p, component);
        const bits = p.bits[end];
        if (e === undefined || !(e > 0) || !(bits > 0)) continue;
        logs.push({ cell: p.cell, logR: Math.log(e / (landauerJoulesPerBit(p.temperatureKelvin) * bits)) });
      }
      if (logs.length === 0) continue;
      const geoMean = (s: readonly { logR: number }[]) => Math.exp(s.reduce((a, o) => a + o.logR, 0) / s.length);
      const multiple = clusterBootstrap(logs, (o) => o.cell, geoMean, { ...boot, resamples: Math.min(boot.resamples, 1000), seed: `${boot.seed}:landauer:${component}:${end}` });
      rows.push({ component, end, multiple });
    }
  }
  return rows;
}
