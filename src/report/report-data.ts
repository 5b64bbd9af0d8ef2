// What a report shows, read from a sweep directory or a single run directory.
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { verdictsByProtocol } from "../experiment/per-protocol.js";
import type { ExperimentPoint } from "../experiment/point.js";
import { experimentPointFromRun, readRunSummary } from "../experiment/run-dir.js";
import { SweepDirError } from "../experiment/sweep-dir-error.js";
import { loadSweepPoints, summarizeSweep, SWEEP_SUMMARY_FILE, type SweepSummary } from "../experiment/sweep-summary.js";
import { readSweepDirConfig, RUNS_DIR, SWEEP_CONFIG_FILE } from "../experiment/sweep-runner.js";
import { readAccuracy, type AccuracyRow } from "./accuracy-rows.js";
import { sampleConductances, type ConductanceSample } from "./checkpoint-conductances.js";

const SUMMARY_SCHEMA: SweepSummary["schema"] = "mhil.sweep-summary/2";

export interface ReportData {
  kind: "sweep" | "run";
  dir: string;
  title: string;
  points: ExperimentPoint[];
  /** The sweep analysis (sweeps only). summary.json read back: ±Infinity and NaN are null in it. */
  summary: SweepSummary | null;
  /** The run's own summary.json (single runs only). */
  runSummary: Record<string, unknown> | null;
  accuracy: AccuracyRow[];
  /** Runs whose metrics.csv was missing or had no accuracy column. */
  accuracyMissing: string[];
  /** Conductances from the runs' last checkpoints, grouped by conductanceGroup. */
  conductances: ConductanceSample;
  /** What the conductances are grouped by: "protocol" when the sweep has several, else "labels". */
  conductanceGroup: "protocol" | "labels";
}

export function isSweepDir(dir: string): boolean {
  return existsSync(join(dir, SWEEP_CONFIG_FILE));
}

export function loadReportData(dir: string): ReportData {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SweepDirError(`report: ${dir} is not a directory`);
  if (isSweepDir(dir)) return loadSweep(dir);
  if (existsSync(join(dir, "summary.json"))) return loadRun(dir);
  throw new SweepDirError(`report: ${dir} holds neither sweep.json (a sweep) nor summary.json (a finished run)`);
}

/** The distinct protocols of the points, in first-seen order. */
export function protocolsOf(points: readonly ExperimentPoint[]): string[] {
  return [...new Set(points.map((p) => p.protocol))];
}

/** summary.json when it is of the schema the page reads; an older one (or none) is computed afresh from the runs. */
function readSummary(path: string): SweepSummary | null {
  if (!existsSync(path)) return null;
  const s = JSON.parse(readFileSync(path, "utf8")) as Partial<SweepSummary>;
  return s.schema === SUMMARY_SCHEMA ? (s as SweepSummary) : null;
}

function loadSweep(dir: string): ReportData {
  const config = readSweepDirConfig(dir);
  const { points } = loadSweepPoints(dir, config);
  const summary = readSummary(join(dir, SWEEP_SUMMARY_FILE)) ?? summarizeSweep(dir, config);
  // A summary written before it had the per-protocol analysis: the same analysis, run here.
  summary.by_protocol ??= verdictsByProtocol(points, config.analysis);
  const runDir = (p: ExperimentPoint) => join(dir, RUNS_DIR, p.id);
  const accuracy: AccuracyRow[] = [];
  const accuracyMissing: string[] = [];
  for (const p of points) {
    const rows = readAccuracy(runDir(p), p);
    if (rows.length === 0) accuracyMissing.push(p.id);
    accuracy.push(...rows);
  }
  const group = protocolsOf(points).length > 1 ? "protocol" : "labels";
  return {
    kind: "sweep",
    dir,
    title: `Sweep ${config.name}`,
    points,
    summary,
    runSummary: null,
    accuracy,
    accuracyMissing,
    conductances: sampleConductances(points.map((p) => ({ dir: runDir(p), group: group === "protocol" ? p.protocol : p.labelMode }))),
    conductanceGroup: group,
  };
}

function loadRun(dir: string): ReportData {
  const point = experimentPointFromRun(dir, basename(dir));
  const accuracy = readAccuracy(dir, point);
  return {
    kind: "run",
    dir,
    title: `Run ${point.id}`,
    points: [point],
    summary: null,
    runSummary: readRunSummary(dir),
    accuracy,
    accuracyMissing: accuracy.length === 0 ? [point.id] : [],
    conductances: sampleConductances([{ dir, group: point.labelMode }]),
    conductanceGroup: "labels",
  };
}
