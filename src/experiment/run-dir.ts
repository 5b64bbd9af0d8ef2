// Reading a finished run directory back: whether it finished, and its summary as an analysis point.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BASE_PROTOCOL, boundName, cellKey, type ExperimentPoint } from "./point.js";

/** The point a sweep wrote beside the run's own files, so a merged run dir still knows its grid cell. */
export const SWEEP_POINT_FILE = "sweep-point.json";

export interface SweepPointRecord {
  name: string;
  n: number;
  classes: number;
  labels: string;
  budgetLabel: string;
  /** Absent in records written before sweeps had protocols: BASE_PROTOCOL. */
  protocol?: string;
  seed: number;
}

/** The stop record of records.jsonl, or null when the run has none (still running, or killed). */
export function readStopRecord(runDir: string): { status: string; reason?: string } | null {
  const path = join(runDir, "records.jsonl");
  if (!existsSync(path)) return null;
  let stop: { status: string; reason?: string } | null = null;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.trim()) continue;
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // a torn last line of a killed run
    }
    const kind = r.type ?? r.kind ?? r.record;
    if (kind !== "stop") continue;
    const status = r.exit_status ?? r.status ?? r.exitStatus;
    stop = { status: String(status), ...(typeof r.reason === "string" ? { reason: r.reason } : {}) };
  }
  return stop;
}

export function runSucceeded(runDir: string): boolean {
  return readStopRecord(runDir)?.status === "success";
}

type Json = Record<string, unknown>;
const num = (v: unknown): number => (typeof v === "number" ? v : Number.NaN);
const obj = (v: unknown): Json => (v && typeof v === "object" ? (v as Json) : {});

/** Reads RUN_DIR/summary.json. Throws naming the file when it is missing or not JSON. */
export function readRunSummary(runDir: string): Json {
  const path = join(runDir, "summary.json");
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Json;
  } catch (e) {
    throw new Error(`${path}: cannot read the run summary (${(e as Error).message})`);
  }
}

/** Activities outside E_learn, for a summary written before it had `learning` and `overhead`. */
const OVERHEAD_ACTIVITIES = ["reset", "initialise", "characterise"];

/**
 * E_learn, overhead and total of a run summary. An older summary without `learning` counts everything but
 * its overhead activities (only `reset` existed then) as learning.
 */
export function energySplit(energy: Json): { learning: number; overhead: number; total: number } {
  const total = num(energy.total);
  if (typeof energy.learning === "number") {
    const overhead = typeof energy.overhead === "number" ? energy.overhead : total - energy.learning;
    return { learning: energy.learning, overhead, total };
  }
  const byActivity = obj(energy.by_activity);
  const overhead = OVERHEAD_ACTIVITIES.reduce((s, a) => s + (typeof byActivity[a] === "number" ? (byActivity[a] as number) : 0), 0);
  return { learning: total - overhead, overhead, total };
}

/** Bits on one end, its bound's name and confidence: `bound`/`confidence` when the summary has them. */
function bracketEnd(end: Json, fallback: string): { bits: number; method: string; bound: string; confidence: number | null } {
  const method = String(end.method ?? fallback);
  return {
    bits: num(end.bits),
    method,
    bound: typeof end.bound === "string" ? end.bound : boundName(method),
    confidence: typeof end.confidence === "number" ? end.confidence : null,
  };
}

/** The analysis point of a run: from its summary.json and, when present, the sweep's point record. */
export function experimentPointFromRun(runDir: string, id: string): ExperimentPoint {
  const s = readRunSummary(runDir);
  const pointPath = join(runDir, SWEEP_POINT_FILE);
  const sp: Partial<SweepPointRecord> = existsSync(pointPath) ? (JSON.parse(readFileSync(pointPath, "utf8")) as SweepPointRecord) : {};
  const energy = obj(s.energy_joules);
  const bl = obj(s.bits_learned);
  const lower = bracketEnd(obj(bl.lower), "lower bound");
  const upper = bracketEnd(obj(bl.upper), "upper bound");
  let estimate = typeof bl.estimate === "number" ? bl.estimate : num(obj(bl.estimate).bits);
  // A bracket closed to one value (the control's [0, 0]) fixes the estimate even when the run gives none.
  if (!Number.isFinite(estimate) && lower.bits === upper.bits) estimate = lower.bits;
  const components: Record<string, number> = {};
  for (const [k, v] of Object.entries(obj(energy.by_activity))) if (typeof v === "number") components[`activity:${k}`] = v;
  for (const [k, v] of Object.entries(obj(energy.by_physical_component))) if (typeof v === "number") components[`physical:${k}`] = v;
  for (const [k, v] of Object.entries(obj(energy.by_component))) if (typeof v === "number") components[`hardware:${k}`] = v;
  const n = sp.n ?? num(s.n);
  const classes = sp.classes ?? num(s.classes);
  const labelMode = sp.labels ?? String(s.label_mode ?? "unknown");
  const protocol = sp.protocol ?? BASE_PROTOCOL;
  const budget = sp.budgetLabel ?? `epochs=${num(s.epochs)}`;
  const acc = obj(s.accuracy);
  const split = energySplit(energy);
  return {
    id,
    cell: cellKey({ n, classes, labelMode, protocol, budget }),
    seed: sp.seed ?? num(s.seed),
    n,
    classes,
    labelMode,
    protocol,
    budget,
    energyJoules: split.learning,
    overheadJoules: split.overhead,
    totalJoules: split.total,
    energyByComponentJoules: components,
    bits: { lower: lower.bits, estimate, upper: upper.bits },
    bitsMethod: { lower: lower.method, upper: upper.method },
    bitsBound: { lower: lower.bound, upper: upper.bound },
    bitsConfidence: { lower: lower.confidence, upper: upper.confidence },
    updates: num(s.updates),
    weightPathL1: num(s.weight_path_l1),
    devices: num(s.devices),
    temperatureKelvin: typeof s.temperature_kelvin === "number" ? s.temperature_kelvin : 300,
    ...(typeof s.device_uri === "string" ? { deviceUri: s.device_uri } : {}),
    accuracy: { train: num(acc.train), test: typeof acc.test === "number" ? acc.test : null },
  };
}
