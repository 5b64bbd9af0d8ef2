// Resuming a killed or aborted run from its last checkpoint: what the run directory says happened so far.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { LedgerSnapshot } from "../energy/ledger.js";
import { ACTIVITIES } from "../energy/ledger.js";
import type { RngState } from "../random/rng.js";
import type { EpochResult } from "../train/session.js";
import { UserError } from "../cli/errors.js";

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
}

/**
 * Reads what a resume needs. Refuses a directory that is not a run, a run that already succeeded,
 * or one with no checkpoint, naming the directory.
 */
export function readResumePoint(runDir: string): ResumePoint {
  const configFile = join(runDir, "config.json");
  const recordsFile = join(runDir, "records.jsonl");
  if (!existsSync(configFile) || !existsSync(recordsFile)) throw new UserError(`${runDir}: not a run directory (no config.json or records.jsonl)`);
  const cfg = JSON.parse(readFileSync(configFile, "utf8")) as { config: Record<string, unknown>; device_uri: string };
  const docs = readFileSync(recordsFile, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new UserError(`${recordsFile} line ${i + 1}: not JSON`);
      }
    });
  const lastStop = [...docs].reverse().find((d) => d.type === "stop");
  if (lastStop?.exit_status === "success") throw new UserError(`${runDir}: the run already completed (stop: success); nothing to resume`);
  const dir = join(runDir, "checkpoints");
  const numbers = existsSync(dir)
    ? readdirSync(dir)
        .map((f) => /^epoch-(\d+)\.json$/.exec(f))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => Number(m[1]))
    : [];
  if (numbers.length === 0) throw new UserError(`${runDir}: no checkpoint to resume from (no epoch completed)`);
  const last = Math.max(...numbers);
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
  if (epochs.length !== last) throw new UserError(`${recordsFile}: events for ${epochs.length} epochs but the checkpoint is after epoch ${last}`);
  return { runDir, config: cfg.config, deviceUri: cfg.device_uri, checkpointName, checkpoint, epochs, previousStart: checkpoint.run_start };
}

/** a + b, activity by activity: the checkpoint's ledger plus what re-opening and restoring spent. */
export function addLedgerSnapshots(a: LedgerSnapshot, b: LedgerSnapshot): LedgerSnapshot {
  const out = structuredClone(a);
  for (const act of ACTIVITIES) {
    const x = out.byActivity[act];
    const y = b.byActivity[act];
    x.energy.cell += y.energy.cell;
    x.energy.halfSelected += y.energy.halfSelected;
    x.energy.peripheral += y.energy.peripheral;
    x.durationSeconds += y.durationSeconds;
    x.calls += y.calls;
  }
  const add = (p: number | null, q: number | null) => (p === null && q === null ? null : (p ?? 0) + (q ?? 0));
  out.boardPowerJoules = add(a.boardPowerJoules, b.boardPowerJoules);
  out.hostCpuJoules = add(a.hostCpuJoules, b.hostCpuJoules);
  return out;
}
