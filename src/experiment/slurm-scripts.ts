// The two batch scripts `mhil sweep submit --slurm` writes: an array job with one task per shard, and the merge
// job that runs once every task has succeeded. Pure text; src/experiment/slurm-submit.ts submits them.
//
// Three choices in them answer failures seen on a real Slurm (issue 21):
// - the shard count is a constant of the script, not $SLURM_ARRAY_TASK_COUNT, so resubmitting some tasks
//   (`sbatch --array=1,3`) runs the same shards of the same grid;
// - the task execs node on mhil's own script: no npm/npx wrapper, whose process name has a space, which
//   Slurm's proctrack/linuxproc cannot parse, so scancel and --time never reached the tree under it;
// - every path is absolute, resolved when the script is written (logs/ created then: Slurm opens --output
//   before the script runs, and a missing directory fails every task with nothing written; $SCRATCH is not
//   read at run time, so an unset one cannot send output to /sweeps/...).
import { UserError } from "../hal/user-error.js";

/** Options passed through to sbatch, as the user gave them (Slurm checks their syntax). */
export interface SlurmResources {
  partition?: string;
  /** Wall-time limit in any form sbatch takes, e.g. 02:00:00. */
  time?: string;
  account?: string;
  /** CPUs per array task; the task runs that many point workers (`mhil sweep --jobs`). */
  cpusPerTask: number;
}

export interface SlurmSweepScripts {
  /** The sweep's name (sweep.json), for the job names. */
  sweepName: string;
  /** Absolute paths. */
  configPath: string;
  sweepDir: string;
  /** The node binary and bin/mhil.js that run every task. */
  nodePath: string;
  mhilPath: string;
  shards: number;
  resources: SlurmResources;
  /** `mhil sweep --influx` for every task (the tasks tag their points with host and shard). */
  telemetry?: { influxUrl?: string; credentialsFile?: string };
}

/** Where the tasks' and the merge job's stdout/stderr go (Slurm's own logs; the workers log beside them). */
export const SLURM_LOG_DIR = "logs";

/** A path Slurm and bash can take as written, or a refusal naming the option. */
export function checkSlurmPath(path: string, what: string): void {
  // #SBATCH lines split on white space, and % starts one of Slurm's file name patterns.
  if (/[\s%]/.test(path)) throw new UserError(`sweep submit: ${what} ${JSON.stringify(path)}: a path with white space or '%' cannot be a Slurm --output path; choose another`);
}

/** A job name Slurm shows as one word. */
export function jobName(sweepName: string, kind: "sweep" | "merge"): string {
  return `mhil-${kind}-${sweepName.replace(/[^A-Za-z0-9._-]/g, "-")}`;
}

/** Single-quoted for bash. */
function sh(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function resourceLines(r: SlurmResources): string[] {
  return [
    `#SBATCH --cpus-per-task=${r.cpusPerTask}`,
    ...(r.partition ? [`#SBATCH --partition=${r.partition}`] : []),
    ...(r.time ? [`#SBATCH --time=${r.time}`] : []),
    ...(r.account ? [`#SBATCH --account=${r.account}`] : []),
  ];
}

function influxArgs(s: SlurmSweepScripts): string {
  const t = s.telemetry;
  return `${t?.influxUrl ? ` --influx ${sh(t.influxUrl)}` : ""}${t?.credentialsFile ? ` --influx-credentials ${sh(t.credentialsFile)}` : ""}`;
}

/** The array job: task i runs shard i of the fixed count. */
export function arrayScript(s: SlurmSweepScripts): string {
  const log = `${s.sweepDir}/${SLURM_LOG_DIR}/slurm-shard-%a-of-${s.shards}-job-%A.out`;
  return [
    "#!/bin/bash",
    `# mhil sweep "${s.sweepName}": array task i runs shard i of ${s.shards}. Written by \`mhil sweep submit --slurm\`;`,
    "# resubmit unfinished shards with `mhil sweep submit --slurm --resubmit` (finished points are skipped).",
    `#SBATCH --job-name=${jobName(s.sweepName, "sweep")}`,
    `#SBATCH --array=0-${s.shards - 1}`,
    ...resourceLines(s.resources),
    `#SBATCH --output=${log}`,
    "set -eu",
    "# Fixed here, not $SLURM_ARRAY_TASK_COUNT: a resubmitted subset of tasks runs the same shards.",
    `SHARDS=${s.shards}`,
    "# node runs mhil itself (no npm/npx wrapper): scancel and the time limit signal every process of the task,",
    "# and the sweep stops its point workers at a safe point before it exits.",
    `exec ${sh(s.nodePath)} ${sh(s.mhilPath)} sweep --config ${sh(s.configPath)} --out ${sh(s.sweepDir)} \\`,
    `  --shard "\${SLURM_ARRAY_TASK_ID}/\${SHARDS}" --jobs ${s.resources.cpusPerTask} --no-progress${influxArgs(s)}`,
    "",
  ].join("\n");
}

/**
 * The merge job: summary.json and report.html over every shard. Submitted with
 * `--dependency=afterok:<array job> --kill-on-invalid-dep=yes`: it runs only when every task exited 0, and a
 * failed or cancelled task cancels it; `mhil sweep merge` itself refuses a grid with points missing.
 */
export function mergeScript(s: SlurmSweepScripts): string {
  const log = `${s.sweepDir}/${SLURM_LOG_DIR}/slurm-merge-job-%j.out`;
  return [
    "#!/bin/bash",
    `# mhil sweep "${s.sweepName}": merge (summary.json, report.html) once every array task has succeeded.`,
    "# Submitted with --dependency=afterok:<array job id> --kill-on-invalid-dep=yes by `mhil sweep submit --slurm`.",
    `#SBATCH --job-name=${jobName(s.sweepName, "merge")}`,
    ...resourceLines({ ...s.resources, cpusPerTask: 1 }),
    `#SBATCH --output=${log}`,
    "set -eu",
    `exec ${sh(s.nodePath)} ${sh(s.mhilPath)} sweep merge ${sh(s.sweepDir)}`,
    "",
  ].join("\n");
}
