// A sweep of kind "recall" end to end through the compiled CLI: every point an associative-memory run on the
// simulated crossbar, read back by the same E-vs-I analysis (n = patterns, protocol = storage rule), the
// report's pulse-energy figure, and a recall sweep config refused where the grid sets a key.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { experimentPointFromRun } from "../../src/experiment/run-dir.js";

const MHIL = join(process.cwd(), "bin", "mhil.js");
const TINY = {
  name: "tiny-recall",
  kind: "recall",
  device: "sim:reram?rows=32&cols=64&seed=1",
  base: { weights: "crossbar", units: 32, corrupt: 0.1 },
  grid: {
    n: [2, 8],
    classes: [2],
    labels: ["random"],
    protocols: [
      { name: "hebbian", base: { rule: "hebbian" } },
      { name: "learned", base: { rule: "learned" } },
      { name: "hebbian-lean", base: { rule: "hebbian", pulse: "minimum-energy" } },
    ],
    budgets: [{ epochs: 30 }],
    seeds: 2,
  },
  pilot: true,
  analysis: { bootstrapResamples: 200 },
};

let dir: string;
function mhil(...args: string[]) {
  const r = spawnSync(process.execPath, [MHIL, ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mhil-recall-sweep-"));
  writeFileSync(join(dir, "tiny.json"), JSON.stringify(TINY));
  writeFileSync(join(dir, "bad.json"), JSON.stringify({ ...TINY, base: { ...TINY.base, patterns: 4 } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("mhil sweep, kind recall", () => {
  it("runs each point as a recall run and feeds the E-vs-I analysis and report", () => {
    const r = mhil("sweep", "--config", "tiny.json", "--out", "s", "--jobs", "2", "--no-progress");
    expect(r.code, r.stderr).toBe(0);
    const runs = readdirSync(join(dir, "s", "runs")).sort();
    expect(runs).toHaveLength(12);
    for (const run of runs) {
      const runDir = join(dir, "s", "runs", run);
      const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
      expect(summary.kind).toBe("recall");
      expect(summary.units).toBe(32);
      // What the analysis reads is the run's own: P as n, its rule as protocol, E_learn, the bits bracket.
      const p = experimentPointFromRun(runDir, run);
      expect(p.n).toBe(summary.patterns);
      expect(p.protocol).toBe(summary.pulse.choice === "minimum-energy" ? "hebbian-lean" : summary.rule);
      expect(p.energyJoules).toBe(summary.energy_joules.learning);
      expect(p.energyJoules).toBeGreaterThan(0);
      expect(p.bits).toEqual({ lower: summary.bits_stored.lower, estimate: summary.bits_stored.estimate, upper: summary.bits_stored.upper });
      // A point that recalls pins I within a factor 2.
      if (summary.overlap >= 0.97) expect(p.bits.upper / p.bits.lower).toBeLessThan(2);
    }
    const s = JSON.parse(readFileSync(join(dir, "s", "summary.json"), "utf8"));
    expect(s.points).toMatchObject({ grid: 12, analysed: 12 });
    expect(Number.isFinite(s.beta.estimate.estimate)).toBe(true);
    // The report draws the pulse-energy trade-off the minimum-energy runs measured, with its minimum.
    const html = readFileSync(join(dir, "s", "report.html"), "utf8");
    const figure = /<figure id="plot-pulse-energy">([\s\S]*?)<\/figure>/.exec(html);
    expect(figure).not.toBeNull();
    expect(figure![1]).toContain("<svg");
    expect(figure![1]).toMatch(/least joules per siemens \(sim:reram: 1\.60 V/);
    // Resume: nothing left to run.
    const again = mhil("sweep", "--config", "tiny.json", "--out", "s", "--no-progress");
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("0 point(s) to run, 12 already finished (skipped)");
  });

  it("refuses a recall sweep whose base sets what the grid sets (exit 2, one line naming the key)", () => {
    const r = mhil("sweep", "--config", "bad.json", "--out", "bad", "--no-progress");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: base\.patterns: set by the grid/);
    expect(existsSync(join(dir, "bad"))).toBe(false);
  });
});
