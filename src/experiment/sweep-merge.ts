// Joins the run directories of several sweep directories (shards run on different machines) into one.
// A merge is the step that states a verdict, so it refuses a sweep with grid points missing unless asked
// for a partial one.
import { SweepDirError } from "./sweep-dir-error.js";
import { cpSync, existsSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../hal/user-error.js";
import { runSucceeded } from "./run-dir.js";
import { claimSweepDir, readSweepDirConfig, RUNS_DIR } from "./sweep-runner.js";
import { expandGrid, type SweepConfig } from "./sweep-config.js";

export interface MergeResult {
  config: SweepConfig;
  copied: number;
  alreadyPresent: number;
  /** Run dirs left out because they never finished successfully. */
  unfinished: number;
  /** Grid points with no successful run in any source nor the target (empty unless `partial`). */
  missing: string[];
}

/** Grid points missing from a merge: the sweep has no verdict to state until they have run (or --partial). */
export class IncompleteSweepError extends UserError {
  constructor(readonly missing: readonly string[], grid: number, dirs: readonly string[]) {
    super(
      `sweep merge: ${missing.length} of ${grid} grid point(s) have no successful run in ${dirs.join(", ")}: ${missing.join(", ")}; ` +
        `run the shards that hold them (\`mhil sweep submit --slurm --resubmit\`, or the same \`mhil sweep --shard\` again), or merge with --partial for a verdict marked partial; nothing was changed`,
    );
  }
}

/** The grid points of `config` that have no successful run directory in any of `dirs`. */
export function missingPoints(config: SweepConfig, dirs: readonly string[]): string[] {
  return expandGrid(config)
    .map((p) => p.name)
    .filter((name) => !dirs.some((d) => runSucceeded(join(d, RUNS_DIR, name))));
}

/**
 * Copies every successful run dir of `sources` into `target` (which may be one of them). Sources must hold the
 * same sweep. Unless `partial`, refuses (IncompleteSweepError, nothing copied) when a grid point has no
 * successful run anywhere.
 */
export function mergeSweepDirs(sources: readonly string[], target: string, opts: { partial?: boolean } = {}): MergeResult {
  if (sources.length === 0) throw new SweepDirError("sweep merge: name at least one sweep directory");
  const configs = sources.map((d) => ({ dir: d, config: readSweepDirConfig(d) }));
  const first = configs[0]!;
  for (const c of configs.slice(1)) {
    if (JSON.stringify(c.config) !== JSON.stringify(first.config)) {
      throw new SweepDirError(`sweep merge: ${c.dir}/sweep.json differs from ${first.dir}/sweep.json; only shards of one sweep can be merged`);
    }
  }
  const everywhere = [...new Set([...sources, target].map((d) => resolve(d)))];
  const missing = missingPoints(first.config, everywhere);
  if (missing.length > 0 && !opts.partial) throw new IncompleteSweepError(missing, expandGrid(first.config).length, sources);
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
  return { config: first.config, copied, alreadyPresent, unfinished, missing };
}
