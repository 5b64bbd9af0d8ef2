// The fit on one end of the bits bracket: how many runs it can use (and why the others not), the Deming
// slope β of log E_learn on log I with its cluster-bootstrap CI, the competitors (update count, weight-path
// length, N·n) with the variance inflation of log I against them, and whether the end is label-blind.
import { clusterBootstrap, type BootstrapInterval } from "./bootstrap.js";
import { demingFit } from "./deming.js";
import { ols, partialR2, varianceInflationFactor, type PartialR2 } from "./ols.js";
import { boundName, type BracketEnd, type ExperimentPoint } from "./point.js";

export interface CompetitorTerm {
  name: string;
  /** Whether it entered the nested models, and why not when it did not. */
  used: boolean;
  note?: string;
}

/** Every run of the sweep sorted by what it gives this end. */
export interface EndCounts {
  end: BracketEnd;
  runs: number;
  /** I > 0 and E_learn > 0: in the log fit. */
  used: number;
  cells: number;
  /** I exactly 0 on this end, per label mode. */
  zeroI: number;
  zeroIByLabels: Record<string, number>;
  /** No value on this end (e.g. no estimate). */
  missingI: number;
  /** E_learn ≤ 0 (no device energy, e.g. ideal weights) among runs with I > 0. */
  nonPositiveE: number;
  /** The binding bound's name → runs (every run); "estimate" for the estimate end. */
  bounds: Record<string, number>;
}

export interface LabelBlindness {
  /** At every match (n, C, protocol, budget) with I > 0 under ≥ 2 label modes, every run has the same I. */
  blind: boolean;
  /** Matches where ≥ 2 label modes have I > 0 on this end. */
  matchesCompared: number;
  /** Matches among them where I differs between runs. */
  matchesDiffering: number;
}

export interface EndAnalysis {
  end: BracketEnd;
  /** The bounds that bind on this end over the runs in the fit: "fano" or "fano (40 runs) | … ". */
  method: string;
  pointsUsed: number;
  /** Runs left out of the log fit (I or E not positive, or no value): see EndCounts for why. */
  pointsDropped: number;
  clusters: number;
  /** β with its cluster-bootstrap CI; the estimate is the Deming slope on all points. */
  beta: BootstrapInterval;
  intercept: number;
  competitors: CompetitorTerm[];
  /** R² of log E_learn on the competitors alone. Null when none is used. */
  competitorsR2: number | null;
  /** 1/(1 − R²) of log I on the competitors used: how far log I can be told apart from them. 1 when none is used. */
  vif: number;
  /** log I after the competitors (does log I keep its power?). Null when it cannot be separated. */
  logIAfterCompetitors: PartialR2 | null;
  /** The competitors after log I. */
  competitorsAfterLogI: PartialR2 | null;
  /** Spread of log E the competitors predict at fixed log I across the sweep (max − min of their fitted term). */
  competitorsEffectLogSpread: number | null;
  labelBlindness: LabelBlindness;
}

const COMPETITORS: { name: string; value: (p: ExperimentPoint) => number }[] = [
  { name: "update count", value: (p) => p.updates },
  { name: "weight-path length Σ‖Δθ‖₁", value: (p) => p.weightPathL1 },
  { name: "N·n", value: (p) => p.devices * p.n },
];

const usable = (p: ExperimentPoint, end: BracketEnd) => p.bits[end] > 0 && Number.isFinite(p.bits[end]) && p.energyJoules > 0 && Number.isFinite(p.energyJoules);

export function endCounts(points: readonly ExperimentPoint[], end: BracketEnd): EndCounts {
  const zeroIByLabels: Record<string, number> = {};
  const bounds: Record<string, number> = {};
  let zeroI = 0;
  let missingI = 0;
  let nonPositiveE = 0;
  for (const p of points) {
    const bound = end === "estimate" ? "estimate" : p.bitsBound[end];
    bounds[bound] = (bounds[bound] ?? 0) + 1;
    const bits = p.bits[end];
    if (!Number.isFinite(bits)) missingI++;
    else if (bits <= 0) {
      zeroI++;
      zeroIByLabels[p.labelMode] = (zeroIByLabels[p.labelMode] ?? 0) + 1;
    } else if (!(p.energyJoules > 0)) nonPositiveE++;
  }
  const used = points.filter((p) => usable(p, end));
  return { end, runs: points.length, used: used.length, cells: new Set(used.map((p) => p.cell)).size, zeroI, zeroIByLabels, missingI, nonPositiveE, bounds };
}

export function labelBlindness(points: readonly ExperimentPoint[], end: BracketEnd): LabelBlindness {
  const byMatch = new Map<string, ExperimentPoint[]>();
  for (const p of points) {
    if (!(p.bits[end] > 0)) continue;
    const m = `n=${p.n}|C=${p.classes}|protocol=${p.protocol}|${p.budget}`;
    byMatch.set(m, [...(byMatch.get(m) ?? []), p]);
  }
  let compared = 0;
  let differing = 0;
  for (const list of byMatch.values()) {
    if (new Set(list.map((p) => p.labelMode)).size < 2) continue;
    compared++;
    const bits = list.map((p) => p.bits[end]);
    if (Math.max(...bits) > Math.min(...bits) * (1 + 1e-9)) differing++;
  }
  return { blind: compared > 0 && differing === 0, matchesCompared: compared, matchesDiffering: differing };
}

export function analyzeEnd(
  points: readonly ExperimentPoint[],
  end: BracketEnd,
  errorVarianceRatio: number,
  boot: { resamples: number; level: number; seed: number },
): EndAnalysis | null {
  const obs = points.filter((p) => usable(p, end)).map((p) => ({ p, logI: Math.log(p.bits[end]), logE: Math.log(p.energyJoules) }));
  if (obs.length < 3) return null;
  const slopeOf = (s: readonly { logI: number; logE: number }[]) => {
    try {
      return demingFit(s.map((o) => o.logI), s.map((o) => o.logE), errorVarianceRatio).slope;
    } catch {
      return Number.NaN;
    }
  };
  const fit = demingFit(obs.map((o) => o.logI), obs.map((o) => o.logE), errorVarianceRatio);
  const beta = clusterBootstrap(obs, (o) => o.p.cell, slopeOf, { ...boot, seed: `${boot.seed}:beta:${end}` });
  const y = obs.map((o) => o.logE);
  const logI = obs.map((o) => o.logI);
  const { competitors, columns } = competitorColumns(obs.map((o) => o.p), y);
  let vif = varianceInflationFactor(logI, columns);
  let logIAfter: PartialR2 | null = null;
  let compAfter: PartialR2 | null = null;
  let spread: number | null = null;
  let competitorsR2: number | null = null;
  try {
    competitorsR2 = columns.length > 0 ? ols(y, columns).r2 : null;
    if (columns.length > 0 && Number.isFinite(vif)) {
      logIAfter = partialR2(y, [logI], columns);
      compAfter = partialR2(y, columns, [logI]);
      const full = ols(y, [logI, ...columns]);
      const term = obs.map((_, i) => columns.reduce((s, col, k) => s + full.coefficients[k + 2]! * col[i]!, 0));
      spread = Math.max(...term) - Math.min(...term);
    }
  } catch {
    // log I and the competitors span the same directions in this design (a singular fit): say so, do not fit.
    vif = Number.POSITIVE_INFINITY;
    logIAfter = null;
    compAfter = null;
    spread = null;
  }
  return {
    end,
    method: end === "estimate" ? "estimate" : methodSummary(obs.map((o) => o.p.bitsBound[end])),
    pointsUsed: obs.length,
    pointsDropped: points.length - obs.length,
    clusters: new Set(obs.map((o) => o.p.cell)).size,
    beta,
    intercept: fit.intercept,
    competitors,
    competitorsR2,
    vif,
    logIAfterCompetitors: logIAfter,
    competitorsAfterLogI: compAfter,
    competitorsEffectLogSpread: spread,
    labelBlindness: labelBlindness(points, end),
  };
}

/** Competitors enter one by one; a constant one, or one collinear with those already in, is left out and said so. */
function competitorColumns(points: readonly ExperimentPoint[], y: readonly number[]): { competitors: CompetitorTerm[]; columns: number[][] } {
  const competitors: CompetitorTerm[] = [];
  const columns: number[][] = [];
  for (const c of COMPETITORS) {
    const v = points.map(c.value);
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
  return { competitors, columns };
}

/** The bounds used on one end, without their per-run figures: "generalization gap (108 runs) | Fano (12 runs)". */
export function methodSummary(methods: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const m of methods) {
    const name = boundName(m);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  if (counts.size === 1) return [...counts.keys()][0]!;
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} (${v} runs)`).join(" | ");
}
