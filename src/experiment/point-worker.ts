// A sweep worker process: runs the points the parent sends, one at a time, each as an ordinary run directory.
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PointJob, WorkerReply, WorkerRequest } from "./point-job.js";
import { SWEEP_POINT_FILE } from "./run-dir.js";
import { runPoint } from "./run-point.js";
import { makeFolders } from "../files/make-folders.js";

// No worker outlives its sweep: SIGTERM or SIGINT (the parent forwarding a stop, or Ctrl-C reaching the
// whole process group) and a parent that is gone (the IPC channel closes, e.g. the parent was SIGKILLed or
// scancelled) all stop the current point at its next safe point (stop record "aborted", device grounded),
// and the worker exits.
const stop = new AbortController();
let busy = false;
const stopAndExit = (reason: string) => {
  if (!stop.signal.aborted) stop.abort(new Error(reason));
  if (!busy) process.exit(0);
};
process.on("SIGTERM", () => stopAndExit("SIGTERM (the sweep is stopping)"));
process.on("SIGINT", () => stopAndExit("SIGINT (the sweep is stopping)"));
process.on("disconnect", () => stopAndExit("the sweep's main process is gone"));

process.on("message", (m: WorkerRequest) => {
  if (m.type !== "run" || stop.signal.aborted) return;
  void handle(m.job);
});

async function handle(job: PointJob): Promise<void> {
  let reply: WorkerReply;
  busy = true;
  try {
    setAsideUnfinished(job);
    await runPoint(job, undefined, stop.signal);
    writeFileSync(join(job.runsDir, job.point.name, SWEEP_POINT_FILE), JSON.stringify(job.point, null, 2) + "\n");
    reply = { type: "done", name: job.point.name, ok: true };
  } catch (e) {
    process.stderr.write(`${job.point.name}: ${(e as Error).stack ?? String(e)}\n`);
    reply = { type: "done", name: job.point.name, ok: false, error: (e as Error).message ?? String(e) };
  }
  busy = false;
  if (stop.signal.aborted) {
    if (process.connected) process.send?.(reply);
    process.exit(0);
  }
  process.send?.(reply);
}

/** A run dir left by a failed or killed attempt is moved to SWEEP/unfinished/<name>.<k>, kept as evidence. */
function setAsideUnfinished(job: PointJob): void {
  const dir = join(job.runsDir, job.point.name);
  if (!existsSync(dir)) return;
  const aside = join(job.runsDir, "..", "unfinished");
  makeFolders(aside);
  let k = 1;
  while (existsSync(join(aside, `${job.point.name}.${k}`))) k++;
  renameSync(dir, join(aside, `${job.point.name}.${k}`));
}
