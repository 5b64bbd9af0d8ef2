// The sweep's summary.json: β on each end of the bracket (estimate and 95% CI), per end the runs at I = 0,
// the binding bounds and the VIF, E_learn against the control, the verdict and its reasons, and the evidence
// behind them, computed from every finished run directory under SWEEP/runs.
import { existsSync, readdirSync } from "node:fs";
import { writeJsonAtomic } from "../files/atomic-write.js";
import { join } from "node:path";
import { verdictsByProtocol, type ProtocolVerdict } from "./per-protocol.js";
import { analyzeSweep, type SweepAnalysis } from "./analysis.js";
import type { BootstrapInterval } from "./bootstrap.js";
import type { MatchedContrast } from "./contrasts.js";
import { BRACKET_ENDS, CONTROL_LABELS, type ExperimentPoint } from "./point.js";
import { experimentPointFromRun, runSucceeded } from "./run-dir.js";
import { expandGrid, MIN_SEEDS_PER_CELL, seedList, type SweepConfig } from "./sweep-config.js";
import { RUNS_DIR } from "./sweep-runner.js";

export const SWEEP_SUMMARY_FILE = "summary.json";

export interface LoadedSweep {
  points: ExperimentPoint[];
  /** Grid points without a successful run dir: failed (stop record not success) or missing. */
  notFinished: string[];
  /** Run dirs whose summary could not be read, with the error. */
  unreadable: { name: string; error: string }[];
}

export function loadSweepPoints(sweepDir: string, config: SweepConfig): LoadedSweep {
  const runsDir = join(sweepDir, RUNS_DIR);
  const names = expandGrid(config).map((p) => p.name);
  const present = new Set(existsSync(runsDir) ? readdirSync(runsDir) : []);
  const points: ExperimentPoint[] = [];
  const notFinished: string[] = [];
  const unreadable: { name: string; error: string }[] = [];
  for (const name of names) {
    const dir = join(runsDir, name);
    if (!present.has(name) || !runSucceeded(dir)) {
      notFinished.push(name);
      continue;
    }
    try {
      points.push(experimentPointFromRun(dir, name));
    } catch (e) {
      unreadable.push({ name, error: (e as Error).message });
    }
  }
  return { points, notFinished, unreadable };
}

/** An interval as the summary writes it. */
export interface SummaryInterval {
  estimate: number;
  ci95: [number, number];
}

export interface SummaryEnd {
  runs: number;
  /** Runs in the log fit: I > 0 and E_learn > 0. */
  used: number;
  /** Runs at I = 0 on this end, and per label mode. */
  zero_i: number;
  zero_i_by_labels: Record<string, number>;
  /** Runs without a value on this end. */
  missing_i: number;
  /** Binding bound → runs. */
  bounds: Record<string, number>;
  /** Variance inflation of log I against the competitors (null: no fit). */
  vif: number | null;
  /** Same I for every label mode at every match: set by the design; reported, not judged. */
  label_blind: boolean;
}

/** Labels against the control at the same n, C, protocol and budget: what the information cost in energy. */
export interface SummaryControlContrast {
  labels: string;
  /** A cell key without the labels, or "pooled". */
  match: string;
  runs: { labels: number; control: number };
  /** E_learn(labels) − E_learn(control), joules: the energy the information cost. */
  e_learn_difference_joules: SummaryInterval;
  overhead_difference_joules: SummaryInterval;
  total_difference_joules: SummaryInterval;
  /** E_learn(labels)/E_learn(control) over cells where both are positive; null when none is. */
  e_learn_ratio: SummaryInterval | null;
  /** Cells where I(control) = 0 while I(labels) > 0 (the ratio of I unbounded), per end. */
  i_falls_to_zero_cells: Record<string, number>;
}

export interface SweepSummary {
  schema: "mhil.sweep-summary/2";
  name: string;
  device: string;
  points: { grid: number; analysed: number; not_finished: string[]; unreadable: { name: string; error: string }[] };
  pilot: boolean;
  /** β of log E_learn = α + β·log I on each end of the bracket (and the estimate), with its cluster-bootstrap CI. */
  beta: Record<string, { estimate: number; ci95: [number, number]; method: string; points: number; points_dropped: number; clusters: number; intercept: number; vif: number } | null>;
  /** Every run per end: in the fit, at I = 0, without a value; the binding bounds; the VIF. */
  ends: Record<string, SummaryEnd>;
  /** E_learn, overhead and total over the analysed runs (E_learn is what every fit and contrast uses). */
  energy_joules: Record<"learning" | "overhead" | "total", { mean: number; min: number; max: number }>;
  /** The same analysis on each protocol's runs alone (empty for a single-protocol sweep). */
  by_protocol: ProtocolVerdict[];
  control_contrasts: SummaryControlContrast[];
  verdict: SweepAnalysis["verdict"];
  /** The verdict covers only some grid points (others have no successful run): a merge --partial, or failed points. */
  partial: boolean;
  reasons: string[];
  error_variance_ratio: number;
  bootstrap_resamples: number;
  analysis: SweepAnalysis;
}

const interval = (b: BootstrapInterval): SummaryInterval => ({ estimate: b.estimate, ci95: [b.lower, b.upper] });

function spread(values: readonly number[]): { mean: number; min: number; max: number } {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { mean: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { mean: v.reduce((a, x) => a + x, 0) / v.length, min: Math.min(...v), max: Math.max(...v) };
}

function controlContrasts(contrasts: readonly MatchedContrast[]): SummaryControlContrast[] {
  return contrasts
    .filter((c) => c.factor === "labels" && c.b === CONTROL_LABELS)
    .map((c) => ({
      labels: c.a,
      match: c.match,
      runs: { labels: c.runs.a, control: c.runs.b },
      e_learn_difference_joules: interval(c.energyDifferenceJoules),
      overhead_difference_joules: interval(c.overheadDifferenceJoules),
      total_difference_joules: interval(c.totalDifferenceJoules),
      e_learn_ratio: c.deltaLogE.finite ? { estimate: Math.exp(c.deltaLogE.finite.estimate), ci95: [Math.exp(c.deltaLogE.finite.lower), Math.exp(c.deltaLogE.finite.upper)] } : null,
      i_falls_to_zero_cells: Object.fromEntries(BRACKET_ENDS.map((e) => [e, c.deltaLogI[e].cells.bZero])),
    }));
}

export function summarizeSweep(sweepDir: string, config: SweepConfig): SweepSummary {
  const loaded = loadSweepPoints(sweepDir, config);
  const analysis = analyzeSweep(loaded.points, {
    errorVarianceRatio: config.analysis.errorVarianceRatio,
    bootstrapResamples: config.analysis.bootstrapResamples,
    seed: config.analysis.seed,
  });
  const beta: SweepSummary["beta"] = {};
  const ends: SweepSummary["ends"] = {};
  for (const end of BRACKET_ENDS) {
    const a = analysis.ends[end];
    const c = analysis.counts[end];
    beta[end] = a
      ? { estimate: a.beta.estimate, ci95: [a.beta.lower, a.beta.upper], method: a.method, points: a.pointsUsed, points_dropped: a.pointsDropped, clusters: a.clusters, intercept: a.intercept, vif: a.vif }
      : null;
    ends[end] = {
      runs: c.runs,
      used: c.used,
      zero_i: c.zeroI,
      zero_i_by_labels: c.zeroIByLabels,
      missing_i: c.missingI,
      bounds: c.bounds,
      vif: a ? a.vif : null,
      label_blind: a ? a.labelBlindness.blind : false,
    };
  }
  const reasons = [...analysis.reasons];
  const grid = expandGrid(config).length;
  const partial = loaded.notFinished.length > 0 || loaded.unreadable.length > 0;
  if (partial) reasons.unshift(`partial: ${grid - loaded.points.length} of ${grid} grid points have no successful run (or no readable summary); the verdict covers only the ${loaded.points.length} that do`);
  if (config.pilot && seedList(config).length < MIN_SEEDS_PER_CELL) reasons.push(`pilot sweep: ${seedList(config).length} seeds per cell, fewer than the ${MIN_SEEDS_PER_CELL} the protocol asks for`);
  return {
    schema: "mhil.sweep-summary/2",
    name: config.name,
    device: config.device,
    points: { grid, analysed: loaded.points.length, not_finished: loaded.notFinished, unreadable: loaded.unreadable },
    pilot: config.pilot,
    beta,
    ends,
    energy_joules: {
      learning: spread(loaded.points.map((p) => p.energyJoules)),
      overhead: spread(loaded.points.map((p) => p.overheadJoules)),
      total: spread(loaded.points.map((p) => p.totalJoules)),
    },
    control_contrasts: controlContrasts(analysis.matchedContrasts),
    by_protocol: verdictsByProtocol(loaded.points, { errorVarianceRatio: config.analysis.errorVarianceRatio, bootstrapResamples: config.analysis.bootstrapResamples, seed: config.analysis.seed }),
    verdict: analysis.verdict,
    partial,
    reasons,
    error_variance_ratio: analysis.errorVarianceRatio,
    bootstrap_resamples: config.analysis.bootstrapResamples,
    analysis,
  };
}

export function writeSweepSummary(sweepDir: string, summary: SweepSummary): string {
  const path = join(sweepDir, SWEEP_SUMMARY_FILE);
  // Shards finishing together never leave half a file; Infinity and NaN are written as null.
  writeJsonAtomic(path, summary);
  return path;
}
