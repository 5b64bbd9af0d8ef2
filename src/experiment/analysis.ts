// The E-vs-I analysis of a sweep: Deming fit of log E on log I with a cluster-bootstrap CI for β on each
// end of the bracket, partial R² of log I against competing predictors, matched contrasts, Landauer
// multiples per component, and the verdict by the rules in DESIGN.md.
import { landauerJoulesPerBit } from "../energy/landauer.js";
import { clusterBootstrap, type BootstrapInterval } from "./bootstrap.js";
import { demingFit } from "./deming.js";
import { ols, partialR2, type PartialR2 } from "./ols.js";
import { BRACKET_ENDS, type BracketEnd, type ExperimentPoint } from "./point.js";
import { matchedContrasts, type MatchedContrast } from "./contrasts.js";
import { saturationSteps, type SaturationStep } from "./saturation.js";
import { decideVerdict, VERDICT_RULES, type Verdict } from "./verdict.js";

export interface AnalysisOptions {
  /** δ = Var(error in log E)/Var(error in log I) for the Deming fit. Default 1 (orthogonal regression on logs). */
  errorVarianceRatio?: number;
  bootstrapResamples?: number;
  level?: number;
  seed?: number;
}

export interface CompetitorTerm {
  name: string;
  /** Whether it entered the nested models, and why not when it did not. */
  used: boolean;
  note?: string;
}

export interface EndAnalysis {
  end: BracketEnd;
  /** The bound that produced the bits on this end (from the run summaries), when all points agree. */
  method: string;
  pointsUsed: number;
  /** Points without a positive finite I or E on this end (log undefined): left out, counted here. */
  pointsDropped: number;
  clusters: number;
  /** β with its cluster-bootstrap CI; the estimate is the Deming slope on all points. */
  beta: BootstrapInterval;
  intercept: number;
  competitors: CompetitorTerm[];
  /** log I after the competitors (does log I keep its power?). Null when it cannot be separated. */
  logIAfterCompetitors: PartialR2 | null;
  /** The competitors after log I (does the protocol move E at fixed I?). */
  competitorsAfterLogI: PartialR2 | null;
  /** Spread of log E the competitors predict at fixed log I across the sweep (max − min of their fitted term). */
  competitorsEffectLogSpread: number | null;
  saturation: SaturationStep[];
}

export interface LandauerRow {
  component: string;
  end: BracketEnd;
  /** Geometric mean over points of E_component / (k_B·T·ln2 · I), with a cluster-bootstrap CI. */
  multiple: BootstrapInterval;
}

export interface SweepAnalysis {
  points: number;
  cells: number;
  errorVarianceRatio: number;
  ends: Partial<Record<BracketEnd, EndAnalysis>>;
  contrasts: MatchedContrast[];
  landauer: LandauerRow[];
  verdict: Verdict;
  reasons: string[];
  rules: typeof VERDICT_RULES;
}

const COMPETITORS: { name: string; value: (p: ExperimentPoint) => number }[] = [
  { name: "update count", value: (p) => p.updates },
  { name: "weight-path length Σ‖Δθ‖₁", value: (p) => p.weightPathL1 },
  { name: "N·n", value: (p) => p.devices * p.n },
];

export function analyzeSweep(points: readonly ExperimentPoint[], options: AnalysisOptions = {}): SweepAnalysis {
  const delta = options.errorVarianceRatio ?? 1;
  const boot = { resamples: options.bootstrapResamples ?? 2000, level: options.level ?? 0.95, seed: options.seed ?? 1 };
  const ends: Partial<Record<BracketEnd, EndAnalysis>> = {};
  for (const end of BRACKET_ENDS) {
    const a = analyzeEnd(points, end, delta, boot);
    if (a) ends[end] = a;
  }
  const contrasts = matchedContrasts(points, boot);
  const landauer = landauerMultiples(points, boot);
  const missing: Partial<Record<BracketEnd, string>> = {};
  for (const end of BRACKET_ENDS) {
    if (ends[end]) continue;
    const noE = points.filter((p) => !(p.energyJoules > 0)).length;
    const noI = points.filter((p) => !(p.bits[end] > 0)).length;
    missing[end] = `${points.length} run(s), ${noE} with E ≤ 0 (ideal weights spend no device energy), ${noI} with I ≤ 0 on this end; the fit needs at least 3 with both positive`;
  }
  const { verdict, reasons } = decideVerdict(ends, contrasts, missing);
  return {
    points: points.length,
    cells: new Set(points.map((p) => p.cell)).size,
    errorVarianceRatio: delta,
    ends,
    contrasts,
    landauer,
    verdict,
    reasons,
    rules: VERDICT_RULES,
  };
}

interface Obs {
  p: ExperimentPoint;
  logI: number;
  logE: number;
}

export function analyzeEnd(
  points: readonly ExperimentPoint[],
  end: BracketEnd,
  errorVarianceRatio: number,
  boot: { resamples: number; level: number; seed: number },
): EndAnalysis | null {
  const obs: Obs[] = [];
  for (const p of points) {
    const bits = p.bits[end];
    if (bits > 0 && Number.isFinite(bits) && p.energyJoules > 0 && Number.isFinite(p.energyJoules)) {
      obs.push({ p, logI: Math.log(bits), logE: Math.log(p.energyJoules) });
    }
  }
  if (obs.length < 3) return null;
  const slopeOf = (s: readonly Obs[]) => {
    try {
      return demingFit(s.map((o) => o.logI), s.map((o) => o.logE), errorVarianceRatio).slope;
    } catch {
      return Number.NaN;
    }
  };
  const fit = demingFit(obs.map((o) => o.logI), obs.map((o) => o.logE), errorVarianceRatio);
  const beta = clusterBootstrap(obs, (o) => o.p.cell, slopeOf, { ...boot, seed: `${boot.seed}:beta:${end}` });

  // Competitors enter one by one; a constant one, or one collinear with those already in, is left out and said so.
  const y = obs.map((o) => o.logE);
  const logI = obs.map((o) => o.logI);
  const competitors: CompetitorTerm[] = [];
  const columns: number[][] = [];
  for (const c of COMPETITORS) {
    const v = obs.map((o) => c.value(o.p));
    if (v.some((x) => !(x > 0) || !Number.isFinite(x))) {
      competitors.push({ name: c.name, used: false, note: "not positive at every point (log undefined)" });
      continue;
    }
    const col = v.map(Math.log);
    if (Math.max(...col) - Math.min(...col) < 1e-12) {
      competitors.push({ name: c.name, used: false, note: "constant across the sweep" });
      continue;
    }
    try {
      ols(y, [...columns, col]);
      if (columns.length > 0 && ols(col, columns).r2 > 1 - 1e-9) throw new Error("collinear");
      columns.push(col);
      competitors.push({ name: c.name, used: true });
    } catch {
      competitors.push({ name: c.name, used: false, note: "collinear with the competitors already in (carries no separate information here)" });
    }
  }
  let logIAfter: PartialR2 | null = null;
  let compAfter: PartialR2 | null = null;
  let spread: number | null = null;
  if (columns.length > 0) {
    // log I indistinguishable from the competitors means the sweep cannot separate them.
    const collinearWithI = ols(logI, columns).r2 > 1 - 1e-9;
    if (!collinearWithI) {
      logIAfter = partialR2(y, [logI], columns);
      compAfter = partialR2(y, columns, [logI]);
      const full = ols(y, [logI, ...columns]);
      const term = obs.map((_, i) => columns.reduce((s, col, k) => s + full.coefficients[k + 2]! * col[i]!, 0));
      spread = Math.max(...term) - Math.min(...term);
    }
  }
  return {
    end,
    method: end === "estimate" ? "estimate" : methodSummary(obs.map((o) => o.p.bitsMethod[end])),
    pointsUsed: obs.length,
    pointsDropped: points.length - obs.length,
    clusters: new Set(obs.map((o) => o.p.cell)).size,
    beta,
    intercept: fit.intercept,
    competitors,
    logIAfterCompetitors: logIAfter,
    competitorsAfterLogI: compAfter,
    competitorsEffectLogSpread: spread,
    saturation: saturationSteps(obs.map((o) => ({ p: o.p, logI: o.logI, logE: o.logE }))),
  };
}

/** Component keys present at every point, total first. */
export function energyComponents(points: readonly ExperimentPoint[]): string[] {
  const keys = new Set<string>();
  for (const p of points) for (const k of Object.keys(p.energyByComponentJoules)) keys.add(k);
  return ["total", ...[...keys].sort()];
}

export function landauerMultiples(points: readonly ExperimentPoint[], boot: { resamples: number; level: number; seed: number }): LandauerRow[] {
  const rows: LandauerRow[] = [];
  for (const component of energyComponents(points)) {
    for (const end of BRACKET_ENDS) {
      const logs: { cell: string; logR: number }[] = [];
      for (const p of points) {
        const e = component === "total" ? p.energyJoules : p.energyByComponentJoules[component];
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

/** The bounds used on one end, without their per-run figures: "generalization gap (108 runs) | Fano (12 runs)". */
export function methodSummary(methods: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const m of methods) {
    // The bound's name is what precedes its first "=", "," or " (": the rest is this run's numbers.
    const name = m.split(/\s*=|,|\s\(/)[0]!.trim() || m;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  if (counts.size === 1) return [...counts.keys()][0]!;
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} (${v} runs)`).join(" | ");
}
