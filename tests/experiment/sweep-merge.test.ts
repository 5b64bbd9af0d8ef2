// `mhil sweep merge` states a verdict only over the whole grid: with a shard missing it exits 2, names every
// missing point and changes nothing; `--partial` writes the summary and report with the verdict marked partial;
// once every shard is there the merge is whole again (partial false).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expandGrid, shardPoints, type SweepConfig } from "../../src/experiment/sweep-config.js";
import { readSweepDirConfig } from "../../src/experiment/sweep-runner.js";

const MHIL = join(process.cwd(), "bin", "mhil.js");
const SMALL = {
  name: "mergeable",
  device: "sim:reram?rows=16&cols=16&seed=1",
  base: { dataset: "toy:2d", weights: "crossbar", layers: [], testSamples: 0, learningRates: 0.2, batchSize: 8, T1: 8, T2: 3 },
  grid: { n: [8, 32], classes: [2], labels: ["random", "teacher"], budgets: [{ epochs: 1 }], seeds: 2 },
  pilot: true,
  analysis: { bootstrapResamples: 100 },
};

let dir: string;
function mhil(...args: string[]) {
  const r = spawnSync(process.execPath, [MHIL, ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mhil-sweep-merge-"));
  writeFileSync(join(dir, "small.json"), JSON.stringify(SMALL));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mhil sweep merge and missing points", () => {
  it("refuses a sweep with a shard missing (exit 2, every missing point named, nothing written); --partial marks the verdict partial; all shards give a whole verdict", () => {
    const r0 = mhil("sweep", "--config", "small.json", "--out", "s0", "--shard", "0/2", "--no-progress");
    expect(r0.code, r0.stderr).toBe(0);
    const config: SweepConfig = readSweepDirConfig(join(dir, "s0"));
    const grid = expandGrid(config);
    const shard1 = shardPoints(grid, 1, 2).map((p) => p.name);
    expect(shard1.length).toBeGreaterThan(0);

    const refused = mhil("sweep", "merge", "s0", "--into", "m");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`sweep merge: ${shard1.length} of ${grid.length} grid point(s) have no successful run in s0: ${shard1.join(", ")};`);
    // Exactly the missing ones: no point of shard 0 is named.
    for (const p of shardPoints(grid, 0, 2)) expect(refused.stderr).not.toContain(p.name);
    expect(existsSync(join(dir, "m"))).toBe(false);
    expect(existsSync(join(dir, "s0", "summary.json"))).toBe(false);

    const partial = mhil("sweep", "merge", "s0", "--into", "p", "--partial");
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stderr).toContain(`verdict (partial: ${grid.length - shard1.length} of ${grid.length} grid points):`);
    const ps = JSON.parse(readFileSync(join(dir, "p", "summary.json"), "utf8"));
    expect(ps.partial).toBe(true);
    expect(ps.points.not_finished).toEqual(shard1);
    expect(ps.reasons[0]).toBe(`partial: ${shard1.length} of ${grid.length} grid points have no successful run (or no readable summary); the verdict covers only the ${grid.length - shard1.length} that do`);
    expect(readFileSync(join(dir, "p", "report.html"), "utf8")).toContain(`id="verdict-partial">partial: ${grid.length - shard1.length} of ${grid.length} grid points<`);

    const r1 = mhil("sweep", "--config", "small.json", "--out", "s1", "--shard", "1/2", "--no-progress");
    expect(r1.code, r1.stderr).toBe(0);
    const whole = mhil("sweep", "merge", "s0", "s1", "--into", "w");
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stderr).toMatch(/^verdict: /m);
    const ws = JSON.parse(readFileSync(join(dir, "w", "summary.json"), "utf8"));
    expect(ws.partial).toBe(false);
    expect(ws.points).toMatchObject({ grid: grid.length, analysed: grid.length, not_finished: [] });
    expect(readdirSync(join(dir, "w", "runs")).sort()).toEqual(grid.map((p) => p.name).sort());
    expect(readFileSync(join(dir, "w", "report.html"), "utf8")).not.toContain("verdict-partial");
  });
});
