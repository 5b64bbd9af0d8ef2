// `mhil sweep submit --slurm` without a cluster: --dry-run prints the two scripts (shard count fixed, node runs
// bin/mhil.js directly, absolute paths, per-shard log names, the options passed through) and the sbatch commands,
// and writes nothing; bad requests are refused with exit 2 naming the option. The real submission, cancel and
// resubmit are in sweep-slurm.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const MHIL = join(process.cwd(), "bin", "mhil.js");
const SWEEP = {
  name: "dry",
  device: "sim:ideal?rows=16&cols=16",
  base: { dataset: "toy:2d", weights: "ideal", layers: [], testSamples: 0, learningRates: 0.2, batchSize: 8 },
  grid: { n: [8, 16], classes: [2], labels: ["random"], budgets: [{ epochs: 1 }], seeds: 2 },
  pilot: true,
};

let dir: string;
function mhil(...args: string[]) {
  // No SLURM_CONF: sinfo, if installed, reaches no cluster, so the CPU check has nothing to say.
  const env = { ...process.env };
  delete env.SLURM_CONF;
  const r = spawnSync(process.execPath, [MHIL, ...args], { cwd: dir, env, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mhil-sweep-submit-"));
  writeFileSync(join(dir, "dry.json"), JSON.stringify(SWEEP));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mhil sweep submit --slurm (no cluster)", () => {
  it("--dry-run prints the array and merge scripts and the sbatch commands, and writes nothing", () => {
    const out = join(dir, "out");
    const r = mhil("sweep", "submit", "--slurm", "--config", "dry.json", "--out", out, "--shards", "3", "--cpus-per-task", "2", "--partition", "short", "--time", "01:30:00", "--account", "lab", "--dry-run");
    expect(r.code, r.stderr).toBe(0);
    const array = r.stdout.slice(r.stdout.indexOf("# " + join(out, "slurm", "array.sbatch")), r.stdout.indexOf("# " + join(out, "slurm", "merge.sbatch")));
    for (const line of [
      "#SBATCH --job-name=mhil-sweep-dry",
      "#SBATCH --array=0-2",
      "#SBATCH --cpus-per-task=2",
      "#SBATCH --partition=short",
      "#SBATCH --time=01:30:00",
      "#SBATCH --account=lab",
      `#SBATCH --output=${out}/logs/slurm-shard-%a-of-3-job-%A.out`,
      "SHARDS=3",
      `exec '${process.execPath}' '${MHIL}' sweep --config '${join(dir, "dry.json")}' --out '${out}' \\`,
      `  --shard "\${SLURM_ARRAY_TASK_ID}/\${SHARDS}" --jobs 2 --no-progress`,
    ]) {
      expect(array.split("\n"), line).toContain(line);
    }
    expect(array).not.toContain("SLURM_ARRAY_TASK_COUNT}");
    expect(r.stdout).toContain(`#SBATCH --output=${out}/logs/slurm-merge-job-%j.out`);
    expect(r.stdout).toContain(`exec '${process.execPath}' '${MHIL}' sweep merge '${out}'`);
    expect(r.stdout).toContain(`sbatch --parsable ${out}/slurm/array.sbatch\n`);
    expect(r.stdout).toContain(`sbatch --parsable --dependency=afterok:ARRAY_JOB --kill-on-invalid-dep=yes ${out}/slurm/merge.sbatch\n`);
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  it("refuses what cannot be submitted, naming the option (exit 2, nothing written)", () => {
    const cases: [string[], RegExp][] = [
      [["--config", "dry.json", "--shards", "2"], /say --slurm/],
      [["--slurm", "--config", "dry.json"], /--shards K is required/],
      [["--slurm", "--config", "dry.json", "--shards", "5"], /--shards 5: the grid has 4 point\(s\)/],
      [["--slurm", "--config", "dry.json", "--shards", "0"], /--shards: "0" is not a positive integer/],
      [["--slurm", "--config", "dry.json", "--shards", "2", "--out", "with space"], /--out ".*with space": a path with white space/],
      [["--slurm", "--resubmit", "--out", "never"], /never\/slurm\/submit\.json is missing; submit without --resubmit first/],
    ];
    for (const [args, message] of cases) {
      const r = mhil("sweep", "submit", ...args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(join(dir, "sweeps"))).toBe(false);
    expect(existsSync(join(dir, "with space"))).toBe(false);
  }, 300_000); // six CLI starts on a loaded machine
});
