// Submits a sweep to Slurm: the array job (one task per shard) and the merge job that depends on it, with
// sbatch; on resubmit only the shards that still have unfinished points. Every submission is recorded in
// SWEEP/slurm/submit.json, and no shard is submitted while an earlier task of this sweep is still queued or
// running (two tasks of one shard would write the same run directories at once).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../files/atomic-write.js";
import { makeFolders } from "../files/make-folders.js";
import { UserError } from "../hal/user-error.js";
import { runSucceeded } from "./run-dir.js";
import { expandGrid, shardPoints, type SweepConfig } from "./sweep-config.js";
import { RUNS_DIR } from "./sweep-runner.js";
import { arrayScript, mergeScript, SLURM_LOG_DIR, type SlurmResources, type SlurmSweepScripts } from "./slurm-scripts.js";

export const SLURM_DIR = "slurm";
export const ARRAY_SCRIPT = "array.sbatch";
export const MERGE_SCRIPT = "merge.sbatch";
const RECORD = "submit.json";

/** SWEEP/slurm/submit.json: what was submitted, so a resubmit keeps the shard count and the settings. */
export interface SubmitRecord {
  version: 1;
  configPath: string;
  shards: number;
  resources: SlurmResources;
  telemetry?: SlurmSweepScripts["telemetry"];
  submissions: { at: string; arrayJob: string | null; mergeJob: string; shards: number[] }[];
}

/** A refusal or failure of Slurm's own commands, with what they said. Exit 1: nothing of ours to fix. */
export class SlurmCommandError extends UserError {
  constructor(message: string) {
    super(message, 1);
  }
}

export function readSubmitRecord(sweepDir: string): SubmitRecord | null {
  const path = join(sweepDir, SLURM_DIR, RECORD);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as SubmitRecord) : null;
}

/** Shards (of `shards`) with at least one point that has no successful run directory. */
export function unfinishedShards(config: SweepConfig, sweepDir: string, shards: number): number[] {
  const all = expandGrid(config);
  const out: number[] = [];
  for (let i = 0; i < shards; i++) {
    if (shardPoints(all, i, shards).some((p) => !runSucceeded(join(sweepDir, RUNS_DIR, p.name)))) out.push(i);
  }
  return out;
}

export interface SubmitPlan {
  scripts: SlurmSweepScripts;
  /** Shards the array job runs: all of them, or on resubmit the unfinished ones (maybe none). */
  shards: number[];
  resubmit: boolean;
  array: string;
  merge: string;
}

export function planSubmission(scripts: SlurmSweepScripts, config: SweepConfig, resubmit: boolean): SubmitPlan {
  const shards = resubmit ? unfinishedShards(config, scripts.sweepDir, scripts.shards) : [...Array(scripts.shards).keys()];
  return { scripts, shards, resubmit, array: arrayScript(scripts), merge: mergeScript(scripts) };
}

/** The sbatch argument lists the plan runs (the array job's id is known only once it is submitted: ARRAY_JOB). */
export function sbatchCommands(plan: SubmitPlan): { array: string[] | null; merge: string[] } {
  const dir = join(plan.scripts.sweepDir, SLURM_DIR);
  const array = plan.shards.length > 0 ? ["--parsable", ...(plan.resubmit ? [`--array=${plan.shards.join(",")}`] : []), join(dir, ARRAY_SCRIPT)] : null;
  // afterok: only when every task exited 0; a failed or cancelled task cancels the merge instead of leaving it pending.
  const merge = ["--parsable", ...(array ? ["--dependency=afterok:ARRAY_JOB", "--kill-on-invalid-dep=yes"] : []), join(dir, MERGE_SCRIPT)];
  return { array, merge };
}

function slurm(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.error) throw new SlurmCommandError(`sweep submit: cannot run ${cmd} (${r.error.message}); run this on a machine with Slurm's client commands (a login node)`);
  if (r.status !== 0) throw new SlurmCommandError(`sweep submit: ${cmd} ${args.join(" ")} failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

/** The most CPUs one node of the partition (or of the cluster) has, or null when sinfo cannot say. */
export function largestNodeCpus(partition?: string): number | null {
  const r = spawnSync("sinfo", ["--Node", "--noheader", "--format=%c", ...(partition ? [`--partition=${partition}`] : [])], { encoding: "utf8" });
  if (r.error || r.status !== 0) return null;
  const cpus = r.stdout.split("\n").map((l) => Number.parseInt(l, 10)).filter((n) => Number.isFinite(n));
  return cpus.length > 0 ? Math.max(...cpus) : null;
}

/** A task asking for more CPUs than any node has pends forever without an error: refuse it here. */
export function checkCpusFit(resources: SlurmResources): void {
  const most = largestNodeCpus(resources.partition);
  if (most !== null && resources.cpusPerTask > most) {
    throw new UserError(`sweep submit: --cpus-per-task ${resources.cpusPerTask}: the largest node${resources.partition ? ` of partition ${resources.partition}` : ""} has ${most} CPUs, so the tasks would pend forever; ask for at most ${most}`);
  }
}

/** Tasks of earlier submissions of this sweep that are still queued or running, as "JOB_TASK" ids. */
export function liveTasks(record: SubmitRecord | null): string[] {
  const jobs = (record?.submissions ?? []).flatMap((s) => [s.arrayJob, s.mergeJob]).filter((j): j is string => j !== null);
  if (jobs.length === 0) return [];
  // All of this user's jobs, filtered here: squeue refuses a --jobs list naming a job it has forgotten.
  const out = slurm("squeue", ["--noheader", "--array", "--me", "--format=%F|%K|%i|%T"]);
  const live: string[] = [];
  for (const line of out.split("\n")) {
    const [arrayJob, , id, state] = line.trim().split("|");
    if (arrayJob && jobs.includes(arrayJob) && state && !/^(COMPLETED|CANCELLED|FAILED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE)$/.test(state)) live.push(id!);
  }
  return live;
}

export function refuseIfLive(record: SubmitRecord | null): void {
  const live = liveTasks(record);
  if (live.length > 0) {
    throw new UserError(`sweep submit: earlier jobs of this sweep are still queued or running (${live.join(", ")}); a shard submitted again now would run twice at once. Wait for them, or scancel them, then submit again`);
  }
}

/** Writes the scripts, creates logs/, submits, and records the submission. Returns the job ids. */
export function submitPlan(plan: SubmitPlan, record: SubmitRecord | null): { arrayJob: string | null; mergeJob: string } {
  const s = plan.scripts;
  const dir = join(s.sweepDir, SLURM_DIR);
  makeFolders(dir);
  makeFolders(join(s.sweepDir, SLURM_LOG_DIR));
  writeFileSync(join(dir, ARRAY_SCRIPT), plan.array, { mode: 0o755 });
  writeFileSync(join(dir, MERGE_SCRIPT), plan.merge, { mode: 0o755 });
  const cmds = sbatchCommands(plan);
  const jobId = (out: string) => /^(\d+)/.exec(out.trim())?.[1] ?? null;
  let arrayJob: string | null = null;
  if (cmds.array) {
    arrayJob = jobId(slurm("sbatch", cmds.array));
    if (!arrayJob) throw new SlurmCommandError("sweep submit: sbatch printed no job id for the array job");
  }
  const mergeJob = jobId(slurm("sbatch", cmds.merge.map((a) => a.replace("ARRAY_JOB", arrayJob ?? ""))));
  if (!mergeJob) throw new SlurmCommandError(`sweep submit: sbatch printed no job id for the merge job${arrayJob ? ` (the array job ${arrayJob} is submitted)` : ""}`);
  const next: SubmitRecord = {
    version: 1,
    configPath: s.configPath,
    shards: s.shards,
    resources: s.resources,
    ...(s.telemetry ? { telemetry: s.telemetry } : {}),
    submissions: [...(record?.submissions ?? []), { at: new Date().toISOString(), arrayJob, mergeJob, shards: plan.shards }],
  };
  writeJsonAtomic(join(dir, RECORD), next);
  return { arrayJob, mergeJob };
}
