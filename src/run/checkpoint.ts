// A run's checkpoint after each completed epoch: the session, the ledger, the RNG, and the completed epochs'
// figures. It is the source a resume starts from (with the energy a killed attempt spent after it: energy.json).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { LedgerSnapshot } from "../energy/ledger.js";
import type { RngState } from "../random/rng.js";
import type { EpochFigures } from "./run-events.js";
import { writeJsonFile } from "./run-dir.js";

export const RUN_SCHEMA_VERSION = 1;

export interface RunCheckpoint {
  schema_version: number;
  /** The start uid of the attempt that wrote it. */
  run_start: string;
  epoch: number;
  session: object;
  ledger: LedgerSnapshot;
  rng: RngState;
  /** Epochs 1..epoch as every sink got them: a resumed run's history (metrics rows, summary, telemetry baseline). */
  epochs: EpochFigures[];
}

export function checkpointName(epoch: number): string {
  return `checkpoints/epoch-${epoch}.json`;
}

/** Writes the checkpoint atomically; returns its name inside the run directory. */
export function writeCheckpoint(runDir: string, cp: RunCheckpoint): string {
  const name = checkpointName(cp.epoch);
  writeJsonFile(join(runDir, name), cp);
  return name;
}

export function readCheckpoint(runDir: string, name: string): RunCheckpoint {
  return JSON.parse(readFileSync(join(runDir, name), "utf8")) as RunCheckpoint;
}
