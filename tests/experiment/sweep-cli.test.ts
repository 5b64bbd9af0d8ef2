// `mhil sweep` end to end through the compiled CLI (npm test builds dist/ first): a tiny pilot sweep,
// resume, a killed point, shards and merge, a refused config, and a sweep with the control and protocols.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const MHIL = join(process.cwd(), "bin", "mhil.js");
const TINY = {
  name: "tiny",
  device: "sim:reram?rows=16&cols=16&seed=1",
  base: { dataset: "toy:2d", weights: "crossbar", layers: [], testSamples: 0, learningRates: 0.2, batchSize: 8, T1: 8, T2: 3 },
  grid: { n: [8, 32], classes: [2], labels: ["random", "teacher"], budgets: [{ epochs: 2 }], seeds: 3 },
  pilot: true,
  analysis: { bootstrapResamples: 200 },
};
const GRID = 2 * 2 * 3;

let dir: string;
function mhil(...args: string[]) {
  const r = spawnSync(process.execPath, [MHIL, ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mhil-sweep-"));
  writeFileSync(join(dir, "tiny.json"), JSON.stringify(TINY));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mhil sweep", () => {
  it("runs every point as a run directory in 2 workers and writes summary.json (β per end, verdict, reasons) and report.html", () => {
    const r = mhil("sweep", "--config", "tiny.json", "--out", "a", "--jobs", "2", "--no-progress");
    expect(r.stderr).toContain(`${GRID} point(s) to run`);
    expect(r.code, r.stderr).toBe(0);
    const runs = readdirSync(join(dir, "a", "runs"));
    expect(runs).toHaveLength(GRID);
    for (const run of runs) expect(readFileSync(join(dir, "a", "runs", run, "records.jsonl"), "utf8")).toMatch(/"exit_status":"success"/);
    const s = JSON.parse(readFileSync(join(dir, "a", "summary.json"), "utf8"));
    expect(Object.keys(s.beta).sort()).toEqual(["estimate", "lower", "upper"]);
    expect(["supports", "refutes", "inconclusive"]).toContain(s.verdict);
    expect(s.reasons.length).toBeGreaterThan(0);
    expect(s.reasons.join("\n")).toMatch(/pilot sweep: 3 seeds per cell/);
    expect(s.points).toMatchObject({ grid: GRID, analysed: GRID });
    // On the simulated crossbar every run spends energy and n·log2 C > 0: the upper end always has a fit.
    expect(Number.isFinite(s.beta.upper.estimate)).toBe(true);
    expect(s.beta.upper.ci95[0]).toBeLessThanOrEqual(s.beta.upper.estimate);
    expect(s.beta.upper.ci95[1]).toBeGreaterThanOrEqual(s.beta.upper.estimate);
    expect(existsSync(join(dir, "a", "report.html"))).toBe(true);
  });

  it("resumes: finished points are skipped; a point without a success stop record is run again (the old dir kept aside)", () => {
    const victim = join(dir, "a", "runs", "n8_C2_teacher_ep2_seed2", "records.jsonl");
    const lines = readFileSync(victim, "utf8").trim().split("\n");
    writeFileSync(victim, lines.filter((l) => !l.includes('"type":"stop"')).join("\n") + "\n"); // as if killed
    const r = mhil("sweep", "--config", "tiny.json", "--out", "a", "--no-progress");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`1 point(s) to run, ${GRID - 1} already finished (skipped)`);
    expect(readFileSync(victim, "utf8")).toMatch(/"exit_status":"success"/);
    expect(readdirSync(join(dir, "a", "unfinished"))).toEqual(["n8_C2_teacher_ep2_seed2.1"]);
    expect(mhil("sweep", "--config", "tiny.json", "--out", "a", "--no-progress").stderr).toContain(`0 point(s) to run, ${GRID} already finished`);
  });

  it("shards split the grid; merge joins them into one sweep with the same points", () => {
    const r0 = mhil("sweep", "--config", "tiny.json", "--out", "s0", "--shard", "0/2", "--no-progress");
    const r1 = mhil("sweep", "--config", "tiny.json", "--out", "s1", "--shard", "1/2", "--no-progress");
    expect(r0.code, r0.stderr).toBe(0);
    expect(r1.code, r1.stderr).toBe(0);
    expect(r0.stderr).toMatch(/shard 0\/2 done/);
    expect(existsSync(join(dir, "s0", "summary.json"))).toBe(false);
    const n0 = readdirSync(join(dir, "s0", "runs")).length;
    const n1 = readdirSync(join(dir, "s1", "runs")).length;
    expect(n0 + n1).toBe(GRID);
    const m = mhil("sweep", "merge", "s0", "s1", "--into", "m");
    expect(m.code, m.stderr).toBe(0);
    expect(m.stderr).toContain(`${GRID} run(s) copied`);
    expect(readdirSync(join(dir, "m", "runs")).sort()).toEqual(readdirSync(join(dir, "a", "runs")).sort());
    const s = JSON.parse(readFileSync(join(dir, "m", "summary.json"), "utf8"));
    expect(s.points.analysed).toBe(GRID);
    // Same runs, same seeds: the merged sweep's energies equal the single-machine sweep's.
    const a = JSON.parse(readFileSync(join(dir, "a", "summary.json"), "utf8"));
    expect(s.beta.upper.estimate).toBe(a.beta.upper.estimate);
  });

  it("refuses a bad config naming the field, and a different sweep in the same directory", () => {
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ ...TINY, grid: { ...TINY.grid, labels: ["noise"] } }));
    const bad = mhil("sweep", "--config", "bad.json", "--out", "b");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.json: grid\.labels\[0\]/);
    expect(existsSync(join(dir, "b"))).toBe(false);
    writeFileSync(join(dir, "other.json"), JSON.stringify({ ...TINY, grid: { ...TINY.grid, classes: [3] } }));
    const other = mhil("sweep", "--config", "other.json", "--out", "a");
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/holds a different sweep/);
  });

  it("a sweep with the control and two protocols: per-end runs at I = 0, E_learn against the control, no NaN in any reason", () => {
    const config = {
      ...TINY,
      name: "control",
      grid: { ...TINY.grid, labels: ["random", "control"], protocols: [{ name: "pulse1", base: { crossbar: { maxPulsesPerUpdate: 1 } } }, { name: "pulse4", base: {} }], seeds: 2 },
    };
    writeFileSync(join(dir, "control.json"), JSON.stringify(config));
    const r = mhil("sweep", "--config", "control.json", "--out", "c", "--jobs", "2", "--no-progress");
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(dir, "c", "runs")).sort()[0]).toBe("n32_C2_control_pulse1_ep2_seed1");
    const s = JSON.parse(readFileSync(join(dir, "c", "summary.json"), "utf8"));
    // The control's bracket is [0, 0]: its 8 runs are at I = 0 on every end, counted, not fitted.
    for (const end of ["lower", "estimate", "upper"]) expect(s.ends[end].zero_i_by_labels.control).toBe(8);
    expect(s.ends.upper.bounds).toMatchObject({ control: 8 });
    expect(s.energy_joules.overhead.mean).toBeGreaterThan(0);
    const pooled = s.control_contrasts.find((c: { labels: string; match: string }) => c.labels === "random" && c.match === "pooled");
    expect(pooled.runs).toEqual({ labels: 8, control: 8 });
    expect(Number.isFinite(pooled.e_learn_difference_joules.estimate)).toBe(true);
    expect(["supports", "refutes", "inconclusive"]).toContain(s.verdict);
    expect(s.reasons.join("\n")).not.toMatch(/NaN|undefined/);
  });
});
