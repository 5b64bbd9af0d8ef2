// What the sweep sends a worker process for one point, and what comes back.
import type { TrainConfig } from "../train/config.js";
import type { MemoryConfig } from "../train/memory/memory-config.js";
import type { Budget } from "./sweep-config.js";
import type { SweepPointRecord } from "./run-dir.js";

export interface PointJob {
  point: SweepPointRecord;
  budget: Budget;
  /** A training point's config; a recall point (sweep kind "recall") has `recall` instead. */
  config?: TrainConfig;
  recall?: MemoryConfig;
  deviceUri: string;
  /** The sweep's runs/ folder; the run directory is runsDir/point.name. */
  runsDir: string;
  /** The point's telemetry: journaled in its run directory with these tags, shipped when influxUrl is set. */
  telemetry?: PointTelemetry;
}

export interface PointTelemetry {
  /** Tags: the node the sweep runs on and the shard "i/K" ("0/1" when unsharded). */
  host: string;
  shard: string;
  influxUrl?: string;
  credentialsFile?: string;
}

export type WorkerRequest = { type: "run"; job: PointJob };
export type WorkerReply = { type: "done"; name: string; ok: true } | { type: "done"; name: string; ok: false; error: string };
