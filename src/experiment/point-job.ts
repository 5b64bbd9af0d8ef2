// What the sweep sends a worker process for one point, and what comes back.
import type { TrainConfig } from "../train/config.js";
import type { Budget } from "./sweep-config.js";
import type { SweepPointRecord } from "./run-dir.js";

export interface PointJob {
  point: SweepPointRecord;
  budget: Budget;
  config: TrainConfig;
  deviceUri: string;
  /** The sweep's runs/ folder; the run directory is runsDir/point.name. */
  runsDir: string;
}

export type WorkerRequest = { type: "run"; job: PointJob };
export type WorkerReply = { type: "done"; name: string; ok: true } | { type: "done"; name: string; ok: false; error: string };
