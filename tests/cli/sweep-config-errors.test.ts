// Sweep-config errors (issue 19): every refusal names the file, the field, and the expected type or the valid
// keys, and exits 2 (an unknown key in base as in grid). Through the compiled CLI, and parseSweepConfig.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseSweepConfig } from "../../src/experiment/sweep-config.js";

const BIN = resolve("bin/mhil.js");
const work = mkdtempSync(join(tmpdir(), "mhil-sweep-config-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const env = { ...process.env, MHIL_STATE_DIR: join(work, "state") };
const mhil = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: "utf8", timeout: 120_000, env: { ...env, ...extraEnv } });
const outcome = (r: { status: number | null; stderr: string }) => ({ status: r.status, stderr: r.stderr });
const runDirs = (out: string) => (existsSync(join(work, out)) ? readdirSync(join(work, out)) : []);

describe("sweep config errors name the field and what is expected, exit 2", () => {
  const example = JSON.parse(readFileSync(resolve("examples/sweep-small.json"), "utf8")) as Record<string, any>;
  const sweepWith = (name: string, change: (c: Record<string, any>) => void) => {
    const c = structuredClone(example);
    change(c);
    writeFileSync(join(work, name), JSON.stringify(c));
    return mhil(["sweep", "--config", name, "--out", "sweep-out", "--no-progress"]);
  };

  it("sweep configs: an unknown key in grid and in base alike (valid keys listed), a union's alternatives, exit 2", () => {
    expect(outcome(sweepWith("grid-key.json", (c) => (c.grid.sedes = 3)))).toEqual({ status: 2, stderr: 'mhil: grid-key.json: grid: unrecognized key "sedes" (valid keys: n, classes, labels, protocols, budgets, seeds)\n' });
    const base = sweepWith("base-key.json", (c) => (c.base.sedes = 3));
    expect(base.status).toBe(2);
    expect(base.stderr).toMatch(/^mhil: base-key\.json: base: unrecognized key "sedes" \(valid keys: dataset, downsample, samples, .*, temperatureKelvin, seed\)\n$/);
    expect(outcome(sweepWith("seeds.json", (c) => (c.grid.seeds = "x")))).toEqual({
      status: 2,
      stderr: 'mhil: seeds.json: grid.seeds: expected a count of seeds (a positive integer) or a list of seeds (non-negative integers), got "x"\n',
    });
    expect(outcome(sweepWith("rate.json", (c) => (c.base.learningRates = "fast")))).toEqual({ status: 2, stderr: 'mhil: rate.json: base.learningRates: expected number or array, got "fast"\n' });
    expect(runDirs("sweep-out")).toEqual([]);
  });

  it("sweep configs: every field named with the expected type or the valid keys", () => {
    const base = JSON.parse(JSON.stringify(example)) as Record<string, any>;
    const refusal = (change: (c: Record<string, any>) => void) => {
      const c = structuredClone(base);
      change(c);
      try {
        parseSweepConfig(c, "s.json");
      } catch (e) {
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(refusal((c) => (c.grid.n = { logspace: { from: 1 } }))).toBe("s.json: grid.n.logspace.to: missing (expected number)");
    expect(refusal((c) => (c.grid.n = { logspace: { from: 1, to: 9, count: 2, by: 3 } }))).toBe('s.json: grid.n.logspace: unrecognized key "by" (valid keys: from, to, count)');
    expect(refusal((c) => (c.grid.budgets = [{ epoch: 3 }]))).toBe('s.json: grid.budgets[0]: expected one of {"epochs": K}, {"updates": U} or {"criterion": {"trainAccuracy": a, "maxEpochs": K}}, got {"epoch":3}');
    expect(refusal((c) => (c.grid.classes = ["two"]))).toBe('s.json: grid.classes[0]: expected number, got "two"');
    expect(refusal((c) => (c.pilot = "yes"))).toBe('s.json: pilot: expected boolean, got "yes"');
    expect(refusal((c) => (c.analysis = { bootstrapResamples: 5 }))).toBe("s.json: analysis.bootstrapResamples: Too small: expected number to be >=100, got 5");
    expect(refusal((c) => (c.colour = 1))).toBe('s.json: (top level): unrecognized key "colour" (valid keys: name, kind, device, base, grid, pilot, analysis)');
  });
});

