// What a report shows, read from a sweep directory or a single run directory.
import { SweepDirError } from "../experiment/sweep-dir-error.js";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { ExperimentPoint } from "../experiment/point.js";
import { experimentPointFromRun, readRunSummary } from "../experiment/run-dir.js";
import { loadSweepPoints, summarizeSweep, SWEEP_SUMMARY_FILE, type SweepSummary } from "../experiment/sweep-summary.js";
import { readSweepDirConfig, RUNS_DIR, SWEEP_CONFIG_FILE } from "../experiment/sweep-runner.js";

export interface AccuracyRow {
  run: string;
  labelMode: string;
  epoch: number;
  series: string;
  accuracy: number;
}

export interface ConductanceSnapshot {
  run: string;
  file: string;
  siemens: number[];
}

export interface ReportData {
  kind: "sweep" | "run";
  dir: string;
  title: string;
  points: ExperimentPoint[];
  /** The sweep analysis (sweeps only). */
  summary: SweepSummary | null;
  /** The run's own summary.json (single runs only). */
  runSummary: Record<string, unknown> | null;
  accuracy: AccuracyRow[];
  /** Runs whose metrics.csv was missing or had no accuracy column. */
  accuracyMissing: string[];
  conductances: ConductanceSnapshot[];
  /** Files looked for when no conductance snapshot was found, to say so in the report. */
  conductanceNote: string;
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

function loadSweep(dir: string): ReportData {
  const config = readSweepDirConfig(dir);
  const summaryPath = join(dir, SWEEP_SUMMARY_FILE);
  const summary = existsSync(summaryPath) ? (JSON.parse(readFileSync(summaryPath, "utf8")) as SweepSummary) : summarizeSweep(dir, config);
  const { points } = loadSweepPoints(dir, config);
  const accuracy: AccuracyRow[] = [];
  const accuracyMissing: string[] = [];
  const conductances: ConductanceSnapshot[] = [];
  for (const p of points) {
    const runDir = join(dir, RUNS_DIR, p.id);
    const rows = readAccuracy(runDir, p.id, p.labelMode);
    if (rows.length === 0) accuracyMissing.push(p.id);
    accuracy.push(...rows);
    conductances.push(...readConductances(runDir, p.id));
  }
  return {
    kind: "sweep",
    dir,
    title: `Sweep ${config.name}`,
    points,
    summary,
    runSummary: null,
    accuracy,
    accuracyMissing,
    conductances,
    conductanceNote: conductanceNote(conductances),
  };
}

function loadRun(dir: string): ReportData {
  const id = basename(dir);
  const point = experimentPointFromRun(dir, id);
  const accuracy = readAccuracy(dir, id, point.labelMode);
  const conductances = readConductances(dir, id);
  return {
    kind: "run",
    dir,
    title: `Run ${id}`,
    points: [point],
    summary: null,
    runSummary: readRunSummary(dir),
    accuracy,
    accuracyMissing: accuracy.length === 0 ? [id] : [],
    conductances,
    conductanceNote: conductanceNote(conductances),
  };
}

/** Accuracy columns of metrics.csv (any header containing "acc"), one row per epoch. */
export function readAccuracy(runDir: string, run: string, labelMode: string): AccuracyRow[] {
  const path = join(runDir, "metrics.csv");
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "");
  if (lines.length < 2) return [];
  const header = lines[0]!.split(",").map((h) => h.trim());
  const epochCol = header.findIndex((h) => /^epoch$/i.test(h));
  const accCols = header.map((h, i) => ({ h, i })).filter(({ h }) => /acc/i.test(h));
  const rows: AccuracyRow[] = [];
  lines.slice(1).forEach((line, k) => {
    const cells = line.split(",");
    const epoch = epochCol >= 0 ? Number(cells[epochCol]) : k + 1;
    for (const { h, i } of accCols) {
      const v = Number(cells[i]);
      if (cells[i] !== undefined && cells[i]!.trim() !== "" && Number.isFinite(v)) rows.push({ run, labelMode, epoch, series: h, accuracy: v });
    }
  });
  return rows;
}

const CONDUCTANCE_FILE = /conductance.*\.(json|csv)$/i;

/**
 * Conductance snapshots a run saved (any conductance*.json / *.csv: every number in them, siemens); failing
 * those, the conductance arrays inside the run's last checkpoint (keys naming conductances or siemens).
 */
export function readConductances(runDir: string, run: string): ConductanceSnapshot[] {
  if (!existsSync(runDir)) return [];
  const out = readConductanceFiles(runDir, run);
  if (out.length > 0) return out;
  const cpDir = join(runDir, "checkpoints");
  if (!existsSync(cpDir)) return [];
  const last = readdirSync(cpDir)
    .map((f) => ({ f, epoch: Number(/(\d+)\.json$/.exec(f)?.[1] ?? Number.NaN) }))
    .filter((x) => Number.isFinite(x.epoch))
    .sort((a, b) => b.epoch - a.epoch)[0];
  if (!last) return [];
  try {
    const siemens = conductancesInside(JSON.parse(readFileSync(join(cpDir, last.f), "utf8")) as unknown);
    return siemens.length > 0 ? [{ run, file: `checkpoints/${last.f}`, siemens }] : [];
  } catch {
    return [];
  }
}

const CONDUCTANCE_KEY = /conductance|siemens|^g(plus|minus)$/i;

/** Every number under a key that names conductances, anywhere in a JSON value. */
function conductancesInside(v: unknown): number[] {
  if (Array.isArray(v)) return v.flatMap(conductancesInside);
  if (v && typeof v === "object") {
    return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => (CONDUCTANCE_KEY.test(k) ? flattenNumbers(x) : conductancesInside(x)));
  }
  return [];
}

function readConductanceFiles(runDir: string, run: string): ConductanceSnapshot[] {
  const out: ConductanceSnapshot[] = [];
  for (const file of readdirSync(runDir).filter((f) => CONDUCTANCE_FILE.test(f)).sort()) {
    const text = readFileSync(join(runDir, file), "utf8");
    let values: number[] = [];
    if (file.endsWith(".json")) {
      try {
        values = flattenNumbers(JSON.parse(text) as unknown);
      } catch {
        continue;
      }
    } else {
      values = text.split(/[\s,]+/).map(Number).filter((v) => Number.isFinite(v));
    }
    if (values.length > 0) out.push({ run, file, siemens: values });
  }
  return out;
}

function flattenNumbers(v: unknown): number[] {
  if (typeof v === "number") return Number.isFinite(v) ? [v] : [];
  if (Array.isArray(v)) return v.flatMap(flattenNumbers);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    // Prefer the conductance arrays when the file says which they are.
    for (const key of ["siemens", "conductances", "conductancesSiemens", "conductances_siemens", "g"]) if (key in o) return flattenNumbers(o[key]);
    return Object.entries(o)
      .filter(([k]) => !/rows|cols|time|epoch|seed|version/i.test(k))
      .flatMap(([, x]) => flattenNumbers(x));
  }
  return [];
}

function conductanceNote(found: ConductanceSnapshot[]): string {
  if (found.length > 0) return `from ${found.length} snapshot file(s): ${[...new Set(found.map((c) => c.file))].join(", ")}`;
  return "no conductance snapshot in the run directories (looked for conductance*.json / conductance*.csv and conductance arrays in the last checkpoint); runs on ideal weights have none, and a crossbar run keeps its conductances only in binary checkpoint fields";
}
