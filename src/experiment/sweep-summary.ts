// The sweep's summary.json: β on each end of the bracket (estimate and 95% CI), the verdict and its reasons,
// and the evidence behind them, computed from every finished run directory under SWEEP/runs.
import { existsSync, readdirSync } from "node:fs";
import { writeJsonAtomic } from "../files/atomic-write.js";
import { join } from "node:path";
import { analyzeEnd, analyzeSweep, type SweepAnalysis } from "./analysis.js";
import { BRACKET_ENDS, type ExperimentPoint } from "./point.js";
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

export interface SweepSummary {
  schema: "mhil.sweep-summary/1";
  name: string;
  device: string;
  points: { grid: number; analysed: number; not_finished: string[]; unreadable: { name: string; error: string }[] };
  pilot: boolean;
  /** β of log E = α + β·log I on each end of the bracket (and the estimate), with its cluster-bootstrap CI. */
  beta: Record<string, { estimate: number; ci95: [number, number]; method: string; points: number; points_dropped: number; clusters: number; intercept: number } | null>;
  /**
   * The same fit on the training energy alone (device total minus reset/initialisation). Beside the verdict,
   * not in it: DESIGN.md compares one full cycle, but a reset that dominates the total hides training's share.
   */
  beta_training_only: Record<string, { estimate: number; ci95: [number, number]; points: number } | null>;
  verdict: SweepAnalysis["verdict"];
  reasons: string[];
  error_variance_ratio: number;
  bootstrap_resamples: number;
  analysis: SweepAnalysis;
}

export function summarizeSweep(sweepDir: string, config: SweepConfig): SweepSummary {
  const loaded = loadSweepPoints(sweepDir, config);
  const analysis = analyzeSweep(loaded.points, {
    errorVarianceRatio: config.analysis.errorVarianceRatio,
    bootstrapResamples: config.analysis.bootstrapResamples,
    seed: config.analysis.seed,
  });
  const beta: SweepSummary["beta"] = {};
  for (const end of BRACKET_ENDS) {
    const a = analysis.ends[end];
    beta[end] = a
      ? { estimate: a.beta.estimate, ci95: [a.beta.lower, a.beta.upper], method: a.method, points: a.pointsUsed, points_dropped: a.pointsDropped, clusters: a.clusters, intercept: a.intercept }
      : null;
  }
  const trainingOnly = loaded.points.map((p) => ({ ...p, energyJoules: p.energyJoules - (p.energyByComponentJoules["activity:reset"] ?? 0) }));
  const betaTraining: SweepSummary["beta_training_only"] = {};
  for (const end of BRACKET_ENDS) {
    const a = analyzeEnd(trainingOnly, end, config.analysis.errorVarianceRatio, { resamples: config.analysis.bootstrapResamples, level: 0.95, seed: config.analysis.seed });
    betaTraining[end] = a ? { estimate: a.beta.estimate, ci95: [a.beta.lower, a.beta.upper], points: a.pointsUsed } : null;
  }
  const reasons = [...analysis.reasons];
  const grid = expandGrid(config).length;
  if (loaded.notFinished.length > 0) reasons.push(`${loaded.notFinished.length} of ${grid} grid points have no successful run yet; the analysis uses the ${loaded.points.length} that do`);
  if (config.pilot && seedList(config).length < MIN_SEEDS_PER_CELL) reasons.push(`pilot sweep: ${seedList(config).length} seeds per cell, fewer than the ${MIN_SEEDS_PER_CELL} the protocol asks for`);
  return {
    schema: "mhil.sweep-summary/1",
    name: config.name,
    device: config.device,
    points: { grid, analysed: loaded.points.length, not_finished: loaded.notFinished, unreadable: loaded.unreadable },
    pilot: config.pilot,
    beta,
    beta_training_only: betaTraining,
    verdict: analysis.verdict,
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
