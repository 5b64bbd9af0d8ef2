// Joins the run directories of several sweep directories (shards run on different machines) into one.
import { SweepDirError } from "./sweep-dir-error.js";
import { cpSync, existsSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { runSucceeded } from "./run-dir.js";
import { claimSweepDir, readSweepDirConfig, RUNS_DIR } from "./sweep-runner.js";
import type { SweepConfig } from "./sweep-config.js";

export interface MergeResult {
  config: SweepConfig;
  copied: number;
  alreadyPresent: number;
  /** Run dirs left out because they never finished successfully. */
  unfinished: number;
}

/** Copies every successful run dir of `sources` into `target` (which may be one of them). Sources must hold the same sweep. */
export function mergeSweepDirs(sources: readonly string[], target: string): MergeResult {
  if (sources.length === 0) throw new SweepDirError("sweep merge: name at least one sweep directory");
  const configs = sources.map((d) => ({ dir: d, config: readSweepDirConfig(d) }));
  const first = configs[0]!;
  for (const c of configs.slice(1)) {
    if (JSON.stringify(c.config) !== JSON.stringify(first.config)) {
      throw new SweepDirError(`sweep merge: ${c.dir}/sweep.json differs from ${first.dir}/sweep.json; only shards of one sweep can be merged`);
    }
  }
  claimSweepDir(target, first.config);
  let copied = 0;
  let alreadyPresent = 0;
  let unfinished = 0;
  for (const { dir } of configs) {
    if (resolve(dir) === resolve(target)) continue;
    const runs = join(dir, RUNS_DIR);
    if (!existsSync(runs)) continue;
    for (const name of readdirSync(runs).sort()) {
      const from = join(runs, name);
      const to = join(target, RUNS_DIR, name);
      if (!runSucceeded(from)) {
        unfinished++;
        continue;
      }
      if (runSucceeded(to)) {
        alreadyPresent++;
        continue;
      }
      rmSync(to, { recursive: true, force: true }); // an unfinished copy of the same point is replaced
      cpSync(from, to, { recursive: true });
      copied++;
    }
  }
  return { config: first.config, copied, alreadyPresent, unfinished };
}
