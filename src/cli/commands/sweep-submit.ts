// `mhil sweep submit --slurm`: writes SWEEP/slurm/array.sbatch (one task per shard) and merge.sbatch, and submits
// both with sbatch (the merge after every task succeeded); `--resubmit` submits only the shards with unfinished
// points; `--dry-run` prints the scripts and the sbatch commands and changes nothing.
import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import type { Command } from "commander";
import { UserError } from "../../hal/user-error.js";
import { checkTrainSettings, expandGrid, pointTrainConfig, readSweepConfig } from "../../experiment/sweep-config.js";
import { claimSweepDir, readSweepDirConfig, SWEEP_CONFIG_FILE } from "../../experiment/sweep-runner.js";
import { runTelemetryFactory } from "../../telemetry/runAdapter.js";
import { checkSlurmPath, type SlurmResources } from "../../experiment/slurm-scripts.js";
import { checkCpusFit, planSubmission, readSubmitRecord, refuseIfLive, sbatchCommands, submitPlan } from "../../experiment/slurm-submit.js";
import { packageRoot } from "../../run/provenance.js";

interface SubmitFlags {
  slurm?: boolean;
  shards?: string;
  cpusPerTask?: string;
  partition?: string;
  time?: string;
  account?: string;
  resubmit?: boolean;
  dryRun?: boolean;
}

/** bin/mhil.js of this installation: what every task runs with node, directly. */
// From the package root: this module may run bundled into dist/mhil-cli.js (scripts/bundle-cli.mjs).
const MHIL_BIN = resolve(packageRoot(), "bin", "mhil.js");

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`sweep submit: ${flag}: "${text}" is not a positive integer`);
  return n;
}

export function registerSubmit(sweep: Command): void {
  sweep
    .command("submit")
    .description("write and submit a Slurm array job (one task per shard) and the merge job after it; --resubmit: only the shards with unfinished points")
    // --config and --out are the parent `sweep` command's options (commander gives them to it).
    .option("--slurm", "submit to Slurm with sbatch (the only scheduler so far)")
    .option("--shards <k>", "array tasks, each running shard i of K (required on the first submission)")
    .option("--cpus-per-task <n>", "CPUs per task (default 1); the task runs that many point workers")
    .option("--partition <name>", "sbatch --partition")
    .option("--time <limit>", "sbatch --time, per task (e.g. 02:00:00)")
    .option("--account <name>", "sbatch --account")
    .option("--resubmit", "submit only the shards with unfinished points (same shard count as before)")
    .option("--dry-run", "print the scripts and the sbatch commands; write and submit nothing")
    .action((flags: SubmitFlags, cmd: Command) => {
      const parent = cmd.parent!.opts<{ config?: string; out?: string; influx?: string; influxCredentials?: string }>();
      if (!flags.slurm) throw new UserError("sweep submit: say --slurm (Slurm is the only scheduler supported)");
      const sweepDir = resolve(parent.out ?? (parent.config ? join("sweeps", readSweepConfig(parent.config).name) : "."));
      const record = flags.resubmit ? readSubmitRecord(sweepDir) : null;
      if (flags.resubmit && !record) throw new UserError(`sweep submit --resubmit: ${join(sweepDir, "slurm", "submit.json")} is missing; submit without --resubmit first (--out names the sweep directory)`);
      const configPath = resolve(parent.config ?? record?.configPath ?? "");
      if (!parent.config && !record) throw new UserError("sweep submit: --config FILE is required");
      const config = readSweepConfig(configPath);
      checkTrainSettings(config, configPath);
      // Every point's settings are checked here, not in the first task to start.
      for (const p of expandGrid(config)) pointTrainConfig(config, p, configPath);
      if (existsSync(join(sweepDir, SWEEP_CONFIG_FILE)) && JSON.stringify(readSweepDirConfig(sweepDir)) !== JSON.stringify(config)) {
        throw new UserError(`sweep submit: ${join(sweepDir, SWEEP_CONFIG_FILE)}: this directory holds a different sweep than ${configPath}; use another --out directory`);
      }
      const shards = positiveInt(flags.shards, "--shards") ?? record?.shards;
      if (shards === undefined) throw new UserError("sweep submit: --shards K is required (array tasks, each running shard i of K)");
      const points = expandGrid(config).length;
      if (shards > points) throw new UserError(`sweep submit: --shards ${shards}: the grid has ${points} point(s); ask for at most ${points} shards`);
      if (record && shards !== record.shards) throw new UserError(`sweep submit --resubmit: --shards ${shards}: this sweep was submitted in ${record.shards} shards; a resubmit keeps them (omit --shards)`);
      const resources: SlurmResources = {
        ...record?.resources,
        cpusPerTask: positiveInt(flags.cpusPerTask, "--cpus-per-task") ?? record?.resources.cpusPerTask ?? 1,
        ...(flags.partition !== undefined ? { partition: flags.partition } : {}),
        ...(flags.time !== undefined ? { time: flags.time } : {}),
        ...(flags.account !== undefined ? { account: flags.account } : {}),
      };
      checkSlurmPath(sweepDir, "--out");
      if (!isAbsolute(process.execPath)) throw new UserError(`sweep submit: node's path ${process.execPath} is not absolute`);
      checkCpusFit(resources);
      // --influx (the parent's option): every task ships its points, tagged with its host and shard.
      const telemetry = parent.influx !== undefined || parent.influxCredentials !== undefined
        ? { ...(parent.influx !== undefined ? { influxUrl: parent.influx } : {}), ...(parent.influxCredentials !== undefined ? { credentialsFile: resolve(parent.influxCredentials) } : {}) }
        : record?.telemetry;
      if (telemetry) runTelemetryFactory(telemetry); // a bad URL or credentials file is refused before anything is submitted
      const plan = planSubmission({ sweepName: config.name, configPath, sweepDir, nodePath: process.execPath, mhilPath: MHIL_BIN, shards, resources, ...(telemetry ? { telemetry } : {}) }, config, flags.resubmit === true);
      const cmds = sbatchCommands(plan);
      if (flags.dryRun) {
        process.stdout.write(`# ${join(sweepDir, "slurm", "array.sbatch")}\n${plan.array}\n# ${join(sweepDir, "slurm", "merge.sbatch")}\n${plan.merge}\n`);
        process.stdout.write(`# would run:\n${cmds.array ? `sbatch ${cmds.array.join(" ")}\n` : ""}sbatch ${cmds.merge.join(" ")}\n`);
        if (plan.resubmit) process.stderr.write(`sweep submit --dry-run: ${plan.shards.length ? `shard(s) ${plan.shards.join(", ")} of ${shards} have unfinished points` : "every point has finished; only the merge job would be submitted"}\n`);
        return;
      }
      // No shard is submitted while an earlier task of this sweep is queued or running: they would race.
      refuseIfLive(record ?? readSubmitRecord(sweepDir));
      claimSweepDir(sweepDir, config);
      const jobs = submitPlan(plan, record ?? readSubmitRecord(sweepDir));
      const what = jobs.arrayJob ? `array job ${jobs.arrayJob} (shard(s) ${plan.resubmit ? plan.shards.join(", ") : `0-${shards - 1}`} of ${shards})` : "no array job (every point has finished)";
      process.stderr.write(`sweep submit: ${what}, merge job ${jobs.mergeJob}${jobs.arrayJob ? ` after it (afterok)` : ""}; scripts in ${join(sweepDir, "slurm")}, Slurm logs in ${join(sweepDir, "logs")}\n`);
      process.stdout.write(`${jobs.arrayJob ?? ""}\n${jobs.mergeJob}\n`);
    });
}
