// Resuming a killed or aborted run from its last checkpoint: what the run directory says happened so far.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LedgerSnapshot } from "../energy/ledger.js";
import { ACTIVITIES } from "../energy/ledger.js";
import type { RngState } from "../random/rng.js";
import type { EpochResult } from "../train/session.js";
import { parseLine } from "../telemetry/lineProtocol.js";
import { recordJournalCut } from "../telemetry/retractions.js";

/** A run directory that cannot be resumed as asked; the message says which file and why (CLI exit code 2). */
export class ResumeError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "ResumeError";
  }
}

export interface RunCheckpoint {
  schema_version: number;
  run_start: string;
  epoch: number;
  session: object;
  ledger: LedgerSnapshot;
  rng: RngState;
}

export interface ResumePoint {
  runDir: string;
  /** The run's config.json (config and device_uri as recorded). */
  config: Record<string, unknown>;
  deviceUri: string;
  checkpointName: string;
  checkpoint: RunCheckpoint;
  /** The completed epochs up to the checkpoint, from the run's event records. */
  epochs: EpochResult[];
  /** The start uid of the run that wrote the checkpoint. */
  previousStart: string;
  /** Device joules earlier resumes found spent after their checkpoints by the attempts they replaced. */
  interruptedJoulesBefore: number;
  /** Device joules earlier resumes spent putting their checkpoints back on the device. */
  restoreJoulesBefore: number;
}

/**
 * Reads what a resume needs. Refuses a directory that is not a run, a run that already succeeded,
 * or one with no checkpoint, naming the directory.
 */
export function readResumePoint(runDir: string): ResumePoint {
  const configFile = join(runDir, "config.json");
  const recordsFile = join(runDir, "records.jsonl");
  if (!existsSync(configFile) || !existsSync(recordsFile)) throw new ResumeError(`${runDir}: not a run directory (no config.json or records.jsonl)`);
  const cfg = JSON.parse(readFileSync(configFile, "utf8")) as { config: Record<string, unknown>; device_uri: string };
  const docs = readFileSync(recordsFile, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new ResumeError(`${recordsFile} line ${i + 1}: not JSON`);
      }
    });
  const lastStop = [...docs].reverse().find((d) => d.type === "stop");
  if (lastStop?.exit_status === "success") throw new ResumeError(`${runDir}: the run already completed (stop: success); nothing to resume`);
  const dir = join(runDir, "checkpoints");
  const numbers = existsSync(dir)
    ? readdirSync(dir)
        .map((f) => /^epoch-(\d+)\.json$/.exec(f))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => Number(m[1]))
    : [];
  if (numbers.length === 0) throw new ResumeError(`${runDir}: no checkpoint to resume from (no epoch completed)`);
  // A kill between writing a checkpoint and its event leaves a checkpoint without an event: use the one before.
  const recorded = new Set(docs.filter((d) => d.type === "event").map((d) => (d.data as Record<string, unknown>).epoch));
  const complete = numbers.filter((n) => recorded.has(n));
  const last = complete.length > 0 ? Math.max(...complete) : Math.max(...numbers);
  const checkpointName = `checkpoints/epoch-${last}.json`;
  const checkpoint = JSON.parse(readFileSync(join(runDir, checkpointName), "utf8")) as RunCheckpoint;
  // The latest event for each epoch up to the checkpoint (a resumed run may have repeated some).
  const byEpoch = new Map<number, EpochResult>();
  for (const d of docs) {
    if (d.type !== "event") continue;
    const data = d.data as Record<string, number>;
    if (typeof data.epoch !== "number" || data.epoch > last) continue; // other streams (device events) have no epoch
    byEpoch.set(data.epoch, {
      epoch: data.epoch,
      trainLoss: data.train_loss,
      trainAccuracy: data.train_accuracy,
      updates: data.updates,
      pulses: data.pulses,
      weightPathL1: data.weight_path_l1,
      prequentialBits: data.prequential_bits,
      samples: data.samples,
      stopped: false,
    });
  }
  const epochs = [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
  if (epochs.length !== last) throw new ResumeError(`${recordsFile}: events for ${epochs.length} epochs but the checkpoint is after epoch ${last}`);
  // Each earlier resume's start record says what its replaced attempt spent and what restoring cost.
  let interruptedJoulesBefore = 0;
  let restoreJoulesBefore = 0;
  for (const d of docs) {
    const from = d.type === "start" ? (d.resumed_from as { interrupted_joules?: unknown; restore_joules?: unknown } | undefined) : undefined;
    if (typeof from?.interrupted_joules === "number" && Number.isFinite(from.interrupted_joules)) interruptedJoulesBefore += from.interrupted_joules;
    if (typeof from?.restore_joules === "number" && Number.isFinite(from.restore_joules)) restoreJoulesBefore += from.restore_joules;
  }
  return { runDir, config: cfg.config, deviceUri: cfg.device_uri, checkpointName, checkpoint, epochs, previousStart: checkpoint.run_start, interruptedJoulesBefore, restoreJoulesBefore };
}


/**
 * Cuts the run's telemetry journal (telemetry.lp, see src/telemetry/journal.ts) back to the checkpoint:
 * points of later epochs (a killed epoch's batches) go, so the resumed run re-journals them once, not twice.
 * They are kept in telemetry.cut.lp and deleted from InfluxDB by the next shipper (src/telemetry/retractions.ts).
 */
export function cutJournalAfterEpoch(runDir: string, epoch: number): JournalCut {
  const file = join(runDir, "telemetry.lp");
  if (!existsSync(file)) return { removed: 0, lastDeviceJoules: null };
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const torn = !text.endsWith("\n"); // the last piece of a killed write is not a whole line
  const whole = lines.slice(0, -1); // after the last newline: "" or a torn piece
  const epochOf = (line: string) => {
    const m = /[ ,]epoch=(\d+)i?(?:[ ,]|$)/.exec(line);
    return m ? Number(m[1]) : null;
  };
  const cut = whole.findIndex((l) => !l.startsWith("#") && (epochOf(l) ?? 0) > epoch);
  const keep = cut < 0 ? whole : whole.slice(0, cut);
  const removed = whole.length - keep.length + (torn ? 1 : 0);
  const cutLines = whole.slice(keep.length);
  if (removed > 0) {
    const kept = keep.map((l) => l + "\n").join("");
    writeFileSync(file, kept);
    // The cut points may already be in InfluxDB: kept aside, and queued for deletion there too.
    recordJournalCut(runDir, cutLines, Buffer.byteLength(kept));
  }
  let lastDeviceJoules: number | null = null;
  cutLines.forEach((line, i) => {
    if (!line.startsWith("train_batch,")) return;
    const j = parseLine(line, keep.length + i + 1).fields.device_joules_so_far;
    if (typeof j === "number" && (lastDeviceJoules === null || j > lastDeviceJoules)) lastDeviceJoules = j;
  });
  return { removed, lastDeviceJoules };
}

/** What cutJournalAfterEpoch removed. */
export interface JournalCut {
  /** Lines removed (a torn last piece counts as one). */
  removed: number;
  /**
   * The run's device total at the last batch the cut held (train_batch's device_joules_so_far), or null
   * when it held none: how far the attempt killed after the checkpoint got.
   */
  lastDeviceJoules: number | null;
}

/** Drops metrics.csv rows of epochs after the checkpoint (written before a kill cut their epoch's record short). */
export function cutMetricsAfterEpoch(file: string, epoch: number): void {
  if (!existsSync(file)) return;
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => l !== "");
  const keep = lines.filter((l, i) => i === 0 || !(Number(l.split(",")[0]) > epoch));
  if (keep.length !== lines.length) writeFileSync(file, keep.map((l) => l + "\n").join(""));
}
