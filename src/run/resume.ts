// Resuming a killed or aborted run from its last checkpoint: what the run directory says happened so far. The
// checkpoint gives the state and the completed epochs; the killed attempt's energy.json, the ledger as it last
// saved it, gives what that attempt spent after the checkpoint. No sink is cut back: each one starts afresh from
// the checkpoint (metrics.csv), appends (records.jsonl), or is keyed so a redone epoch overwrites (telemetry).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EnergyLedger, type LedgerSnapshot } from "../energy/ledger.js";
import type { EpochResult } from "../train/session.js";
import { checkpointName, readCheckpoint, type RunCheckpoint } from "./checkpoint.js";
import { UserError } from "../hal/user-error.js";

export type { RunCheckpoint } from "./checkpoint.js";

/** A run directory that cannot be resumed as asked; the message says which file and why (CLI exit code 2). */
export class ResumeError extends UserError {}

export interface ResumePoint {
  runDir: string;
  /** The run's config.json (config and device_uri as recorded). */
  config: Record<string, unknown>;
  deviceUri: string;
  /** The run's id (its first start's uid) and creation time (µs): kept by every attempt. */
  runId: string;
  timeOriginMicros: number;
  checkpointName: string;
  checkpoint: RunCheckpoint;
  /** The completed epochs up to the checkpoint. */
  epochs: EpochResult[];
  /** The start uid of the attempt that wrote the checkpoint. */
  previousStart: string;
  /** Device joules the attempt this resume replaces spent after the checkpoint (its energy.json − the checkpoint's ledger). */
  interruptedJoules: number;
  /** Device joules earlier resumes found spent after their checkpoints by the attempts they replaced. */
  interruptedJoulesBefore: number;
  /** Device joules earlier resumes spent putting their checkpoints back on the device. */
  restoreJoulesBefore: number;
}

type Doc = Record<string, unknown>;

/**
 * Reads what a resume needs. Refuses a directory that is not a run, a run that already succeeded,
 * or one with no checkpoint, naming the directory.
 */
export function readResumePoint(runDir: string): ResumePoint {
  const configFile = join(runDir, "config.json");
  const recordsFile = join(runDir, "records.jsonl");
  if (!existsSync(configFile) || !existsSync(recordsFile)) throw new ResumeError(`${runDir}: not a run directory (no config.json or records.jsonl)`);
  const cfg = JSON.parse(readFileSync(configFile, "utf8")) as { config: Record<string, unknown>; device_uri: string; run_id?: string; created_iso?: string };
  const docs = readDocs(recordsFile);
  const lastStop = [...docs].reverse().find((d) => d.type === "stop");
  if (lastStop?.exit_status === "success") throw new ResumeError(`${runDir}: the run already completed (stop: success); nothing to resume`);
  const name = committedCheckpoint(runDir, docs);
  const checkpoint = readCheckpoint(runDir, name);
  if (!Array.isArray(checkpoint.epochs) || checkpoint.epochs.length !== checkpoint.epoch) {
    throw new ResumeError(`${join(runDir, name)}: holds no figures of its ${checkpoint.epoch} epoch(s) (written by an older mhil); it cannot be resumed`);
  }
  const spent = attemptEnergy(runDir);
  const atCheckpoint = new EnergyLedger(checkpoint.ledger).deviceTotalJoules();
  const firstStart = docs.find((d) => d.type === "start");
  return {
    runDir,
    config: cfg.config,
    deviceUri: cfg.device_uri,
    runId: cfg.run_id ?? String(firstStart?.uid ?? checkpoint.run_start),
    timeOriginMicros: Date.parse(cfg.created_iso ?? String(firstStart?.time_iso)) * 1000,
    checkpointName: name,
    checkpoint,
    epochs: checkpoint.epochs.map((f) => f.result),
    previousStart: checkpoint.run_start,
    interruptedJoules: spent ? Math.max(0, new EnergyLedger(spent.snapshot).deviceTotalJoules() - atCheckpoint) : 0,
    interruptedJoulesBefore: spent?.interrupted_joules ?? 0,
    restoreJoulesBefore: spent?.restore_joules ?? 0,
  };
}

function readDocs(file: string): Doc[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l, i) => {
      try {
        return JSON.parse(l) as Doc;
      } catch {
        throw new ResumeError(`${file} line ${i + 1}: not JSON`);
      }
    });
}

/** The last checkpoint whose epoch has its record event (a kill between the two leaves it uncommitted: the one before). */
function committedCheckpoint(runDir: string, docs: Doc[]): string {
  const dir = join(runDir, "checkpoints");
  const numbers = existsSync(dir)
    ? readdirSync(dir)
        .map((f) => /^epoch-(\d+)\.json$/.exec(f))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => Number(m[1]))
    : [];
  if (numbers.length === 0) throw new ResumeError(`${runDir}: no checkpoint to resume from (no epoch completed)`);
  const recorded = new Set(docs.filter((d) => d.type === "event").map((d) => (d.data as Doc).epoch));
  const complete = numbers.filter((n) => recorded.has(n));
  return checkpointName(complete.length > 0 ? Math.max(...complete) : Math.max(...numbers));
}

/** The replaced attempt's energy.json (src/run/sinks/energy-sink.ts), or null when it wrote none. */
function attemptEnergy(runDir: string): { snapshot: LedgerSnapshot; interrupted_joules?: number; restore_joules?: number } | null {
  const file = join(runDir, "energy.json");
  if (!existsSync(file)) return null;
  try {
    const e = JSON.parse(readFileSync(file, "utf8")) as { snapshot?: LedgerSnapshot; interrupted_joules?: number; restore_joules?: number };
    return e.snapshot ? { ...e, snapshot: e.snapshot } : null;
  } catch {
    return null; // written atomically, so only a foreign file; nothing known about the attempt's spending
  }
}
