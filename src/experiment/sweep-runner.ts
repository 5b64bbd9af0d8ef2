// Runs a sweep: every grid point (or one shard of them) as an ordinary run directory under SWEEP/runs,
// skipping points that already finished, in K worker processes; then the analysis and the report.
import { SweepDirError } from "./sweep-dir-error.js";
import { fork, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { expandGrid, pointTrainConfig, shardPoints, type SweepConfig, type SweepPoint } from "./sweep-config.js";
import { runSucceeded } from "./run-dir.js";
import { pointRecallConfig } from "./recall-points.js";
import type { PointJob, WorkerReply } from "./point-job.js";
import { makeFolders } from "../files/make-folders.js";
import { packageRoot } from "../run/provenance.js";

export const SWEEP_CONFIG_FILE = "sweep.json";
export const RUNS_DIR = "runs";

export interface SweepProgress {
  total: number;
  done: number;
  failed: number;
  last?: string;
}

export interface SweepRunOptions {
  config: SweepConfig;
  /** Where the config came from, for error messages. */
  configSource: string;
  sweepDir: string;
  jobs: number;
  shard?: { index: number; count: number };
  onStart?: (p: SweepProgress & { skipped: number }) => void;
  onProgress?: (p: SweepProgress) => void;
  /** Stops the sweep: no new point starts, the workers stop theirs at a safe point and exit. */
  signal?: AbortSignal;
  /** Every point journals its telemetry tagged with this host and the shard; with influxUrl it ships too. */
  telemetry?: { influxUrl?: string; credentialsFile?: string };
}

export interface SweepRunResult {
  /** Points of this shard (or all). */
  planned: number;
  skipped: number;
  ran: number;
  failed: { name: string; error: string }[];
  /** Every grid point of the sweep (all shards) has a successful run dir. */
  complete: boolean;
  /** The signal stopped it; `remaining` points of this shard have no successful run (run again to resume). */
  stopped: boolean;
  remaining: number;
}

/** Refuses to mix two different sweeps in one directory, so resume never joins unrelated runs. */
export function claimSweepDir(sweepDir: string, config: SweepConfig): void {
  makeFolders(join(sweepDir, RUNS_DIR));
  const path = join(sweepDir, SWEEP_CONFIG_FILE);
  const text = JSON.stringify(config, null, 2) + "\n";
  if (existsSync(path)) {
    const old = readFileSync(path, "utf8");
    if (JSON.stringify(JSON.parse(old)) !== JSON.stringify(config)) {
      throw new SweepDirError(`${path}: this directory holds a different sweep (its sweep.json differs from the config given); use another --out directory`);
    }
    return;
  }
  writeFileSync(path, text);
}

export function readSweepDirConfig(sweepDir: string): SweepConfig {
  const path = join(sweepDir, SWEEP_CONFIG_FILE);
  if (!existsSync(path)) throw new SweepDirError(`${path}: missing; ${sweepDir} is not a sweep directory`);
  return JSON.parse(readFileSync(path, "utf8")) as SweepConfig;
}

export async function runSweep(o: SweepRunOptions): Promise<SweepRunResult> {
  const all = expandGrid(o.config);
  // Every point's TrainConfig is validated before anything runs: a bad base key fails the whole sweep at once.
  const configs = new Map(all.map((p) => [p.name, o.config.kind === "recall" ? { recall: pointRecallConfig(o.config, p, o.configSource) } : { config: pointTrainConfig(o.config, p, o.configSource) }]));
  claimSweepDir(o.sweepDir, o.config);
  const runsDir = join(o.sweepDir, RUNS_DIR);
  const mine = o.shard ? shardPoints(all, o.shard.index, o.shard.count) : all;
  const todo = mine.filter((p) => !runSucceeded(join(runsDir, p.name)));
  const progress: SweepProgress = { total: todo.length, done: 0, failed: 0 };
  o.onStart?.({ ...progress, skipped: mine.length - todo.length });
  const failed: { name: string; error: string }[] = [];
  const telemetry = { host: hostname(), shard: o.shard ? `${o.shard.index}/${o.shard.count}` : "0/1", ...o.telemetry };
  const jobs = todo.map<PointJob>((p) => ({ point: pointRecord(p), budget: p.budget, ...configs.get(p.name)!, deviceUri: o.config.device, runsDir, telemetry }));
  // Shards that share --out keep their own worker logs.
  const logPrefix = o.shard ? `shard-${o.shard.index}-of-${o.shard.count}-worker` : "worker";
  await runInWorkers(jobs, Math.max(1, Math.min(o.jobs, jobs.length)), join(o.sweepDir, "logs"), logPrefix, o.signal, (name, error) => {
    progress.done++;
    progress.last = name;
    if (error !== null) {
      progress.failed++;
      failed.push({ name, error });
    }
    o.onProgress?.({ ...progress });
  });
  return {
    planned: mine.length,
    skipped: mine.length - todo.length,
    ran: todo.length,
    failed,
    complete: all.every((p) => runSucceeded(join(runsDir, p.name))),
    stopped: o.signal?.aborted === true,
    remaining: mine.filter((p) => !runSucceeded(join(runsDir, p.name))).length,
  };
}

function pointRecord(p: SweepPoint) {
  return { name: p.name, n: p.n, classes: p.classes, labels: p.labels, protocol: p.protocol, budgetLabel: p.budgetLabel, seed: p.seed };
}

// From the package root: this module may run bundled into dist/mhil-cli.js (scripts/bundle-cli.mjs).
const WORKER_SCRIPT = join(packageRoot(), "dist", "src", "experiment", "point-worker.js");

/**
 * K long-lived worker processes take jobs from one queue. A worker that dies takes only its current point
 * with it (reported as failed) and is replaced.
 */
async function runInWorkers(jobs: PointJob[], k: number, logDir: string, logPrefix: string, signal: AbortSignal | undefined, onDone: (name: string, error: string | null) => void): Promise<void> {
  if (jobs.length === 0 || signal?.aborted) return;
  makeFolders(logDir);
  const queue = [...jobs];
  let workerSerial = 0;
  const live = new Set<ChildProcess>();
  // A stop empties the queue and asks every worker to stop its point; the promise resolves when all exited.
  const onAbort = () => {
    queue.length = 0;
    for (const child of live) child.kill("SIGTERM");
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  await new Promise<void>((resolve) => {
    let running = 0;
    const startWorker = () => {
      const id = workerSerial++;
      const logName = `${logPrefix}-${id}.log`;
      const log = createWriteStream(join(logDir, logName));
      const child: ChildProcess = fork(WORKER_SCRIPT, [], { silent: true, execArgv: [] });
      live.add(child);
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
      running++;
      let current: PointJob | null = null;
      const next = () => {
        current = queue.shift() ?? null;
        if (current) child.send({ type: "run", job: current });
        else child.disconnect();
      };
      child.on("message", (m: WorkerReply) => {
        if (m.type !== "done") return;
        onDone(m.name, m.ok ? null : m.error);
        next();
      });
      child.on("exit", (code, how) => {
        running--;
        live.delete(child);
        if (current) {
          onDone(current.point.name, `worker process exited (${how ?? `code ${code}`}) while running it; see ${join(logDir, logName)}`);
          current = null;
          if (queue.length > 0) startWorker();
        }
        if (running === 0 && queue.length === 0) {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }
      });
      next();
    };
    for (let i = 0; i < k; i++) startWorker();
  });
}
