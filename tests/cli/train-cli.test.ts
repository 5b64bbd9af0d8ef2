// `mhil train` through the real compiled CLI (node bin/mhil.js; npm test builds dist/ first): bad input is
// refused naming file, line and field, with a non-zero exit and no run directory without a stop record.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const BIN = resolve("bin/mhil.js");
const work = mkdtempSync(join(tmpdir(), "mhil-train-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => {
  if (!existsSync(resolve("dist/src/cli/main.js"))) throw new Error("dist/ is missing: run `npx tsc -p tsconfig.json` (npm test does)");
});

let outCount = 0;
const freshOut = () => join(work, `runs-${++outCount}`);
const mhil = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 120_000 });
const readDocs = (file: string) => readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));

/** Every run directory under `out` has exactly one stop record, linked to its start. */
function expectEveryRunStopped(out: string): string[] {
  if (!existsSync(out)) return [];
  const dirs = readdirSync(out);
  for (const d of dirs) {
    const docs = readDocs(join(out, d, "records.jsonl"));
    const stops = docs.filter((x) => x.type === "stop");
    expect(stops, `${d} has one stop record`).toHaveLength(1);
    expect(stops[0].run_start).toBe(docs[0].uid);
  }
  return dirs;
}

// A small fast experiment (ideal weights: no device, seconds).
const SMALL = ["--weights", "ideal", "--dataset", "mnist:7x7", "--samples", "100", "--test-samples", "50", "--epochs", "2"];

describe("mhil train: bad input", () => {
  it("a malformed config file: names the file, line and column; exit 2; no run directory", () => {
    const f = join(work, "malformed.json");
    writeFileSync(f, '{\n  "epochs": 2,\n  "samples": 100,,\n}\n');
    const out = freshOut();
    const r = mhil(["train", "--config", f, "--out", out, "--json"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(f);
    expect(r.stderr).toMatch(/malformed JSON at line 3, column 18/);
    // --json answers on stdout too: the refusal, with no run directory.
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "refused", exit_code: 2, error: expect.stringMatching(/malformed JSON at line 3, column 18/), run_dir: null });
    expect(existsSync(out)).toBe(false);
  });

  it("a config with a bad value or an unknown key: names the file and the key", () => {
    const f = join(work, "badkey.json");
    writeFileSync(f, JSON.stringify({ epochs: "five" }));
    const r = mhil(["train", "--config", f, "--out", freshOut()]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: epochs: `));
    const g = join(work, "unknown.json");
    writeFileSync(g, JSON.stringify({ crossbar: { pulseWidht: 1e-8 } }));
    const r2 = mhil(["train", "--config", g, "--out", freshOut()]);
    expect(r2.status).not.toBe(0);
    expect(r2.stderr).toMatch(/unknown\.json: crossbar\.pulseWidht: unknown key/);
  });

  it("a missing dataset file: names the file; exit ≠ 0; no run directory", () => {
    const out = freshOut();
    const missing = join(work, "no-such-data.csv");
    const r = mhil(["train", ...SMALL, "--dataset", `csv:${missing}`, "--out", out]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(missing);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it("a CSV with a bad row: names the file, the line and the field; exit ≠ 0; no run directory", () => {
    const f = join(work, "bad-row.csv");
    const rows = ["x1,x2,label"];
    for (let i = 0; i < 40; i++) rows.push(`${(i % 7) / 7},${(i % 5) / 5},${i % 2}`);
    rows[17] = "0.5,oops,1"; // line 18 of the file
    writeFileSync(f, rows.join("\n") + "\n");
    const out = freshOut();
    const r = mhil(["train", "--weights", "ideal", "--dataset", `csv:${f}`, "--samples", "20", "--test-samples", "10", "--classes", "2", "--out", out]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${f} line 18, column 2`);
    expect(r.stderr).toContain('"oops" is not a number');
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it("a network too large for the device: one line naming both sizes, exit 2, no stack, no run directory", () => {
    const out = freshOut();
    // Layers the user names are kept (the default network would be sized to the array: tests/firmata/train.test.ts).
    const r = mhil(["train", "--device", "sim:reram?rows=8&cols=12", "--weights", "crossbar", "--dataset", "toy:2d", "--layers", "16", "--samples", "40", "--out", out]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/network 2-16-2 does not fit on a 8×12 crossbar/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });

  it("a bad flag value names the flag", () => {
    const r = mhil(["train", "--epochs", "two", "--out", freshOut()]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--epochs two: must be an integer/);
  });
});

describe("mhil train: a run", () => {
  it("crossbar weights on the default sim: learn toy:2d (x₀ + x₁ > 1) without persistent particles, which stay on for ideal weights", () => {
    const out = freshOut();
    const r = mhil(["train", "--dataset", "toy:2d", "--samples", "400", "--test-samples", "200", "--epochs", "5", "--out", out, "--json", "--no-progress"]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).accuracy.test).toBeGreaterThan(0.95); // with persistent particles: 0.915 here, chance on 2,000 samples
    const [dir] = expectEveryRunStopped(out);
    const config = JSON.parse(readFileSync(join(out, dir!, "config.json"), "utf8")).config;
    expect(config).toMatchObject({ weights: "crossbar", persistentParticles: false });
    const ideal = mhil(["train", "--weights", "ideal", "--dataset", "toy:2d", "--samples", "40", "--test-samples", "20", "--epochs", "1", "--out", out, "--json", "--no-progress"]);
    expect(JSON.parse(readFileSync(join(JSON.parse(ideal.stdout).run_dir, "config.json"), "utf8")).config.persistentParticles).toBe(true);
  });

  it("--json prints exactly one JSON object with the summary keys and writes a complete run directory", () => {
    const out = freshOut();
    const r = mhil(["train", ...SMALL, "--labels", "random", "--classes", "4", "--out", out, "--json", "--temperature", "77"]);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const s = JSON.parse(lines[0]!);
    for (const k of ["run_dir", "accuracy", "energy_joules", "bits_learned", "joules_per_bit", "landauer_multiple", "temperature_kelvin"]) expect(s).toHaveProperty(k);
    expect(s.temperature_kelvin).toBe(77);
    expect(s.label_mode).toBe("random");
    // The quick job's network: 7×7 inputs straight to the 4 classes' outputs.
    expect(s.network).toBe("49-4");
    expect(s.bits_learned.upper.bits).toBeCloseTo(100 * 2, 9);
    expect(s.bits_learned.lower.bits).toBeLessThanOrEqual(s.bits_learned.upper.bits);
    const [dir] = expectEveryRunStopped(out);
    expect(dir).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    const runDir = join(out, dir!);
    expect(s.run_dir).toBe(runDir);
    for (const f of ["config.json", "records.jsonl", "metrics.csv", "energy.json", "summary.json", "checkpoints/epoch-1.json", "checkpoints/epoch-2.json"]) {
      expect(existsSync(join(runDir, f)), f).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"))).toEqual(s);
    const docs = readDocs(join(runDir, "records.jsonl"));
    expect(docs.map((d) => d.type)).toEqual(["start", "descriptor", "event", "event", "stop"]);
    expect(docs.at(-1)).toMatchObject({ exit_status: "success", num_events: { primary: 2 } });
    expect(readFileSync(join(runDir, "metrics.csv"), "utf8").trim().split("\n")).toHaveLength(3);
    const config = JSON.parse(readFileSync(join(runDir, "config.json"), "utf8"));
    expect(config.config).toMatchObject({ epochs: 2, samples: 100, labels: "random", classes: 4, weights: "ideal" });
    expect(config.git_commit).toMatch(/^[0-9a-f]{40}$/);
    // The run's own config.json re-runs it: same seed, same data, same answer.
    const out2 = freshOut();
    const again = mhil(["train", "--config", join(runDir, "config.json"), "--out", out2, "--json"]);
    expect(again.status, again.stderr).toBe(0);
    const s2 = JSON.parse(again.stdout);
    expect(s2.accuracy).toEqual(s.accuracy);
    expect(s2.bits_learned.lower).toEqual(s.bits_learned.lower);
  });

  it("SIGINT stops at the next safe point: exit 130, stop record aborted, checkpoints of the completed epochs", async () => {
    const out = freshOut();
    const child = spawn(process.execPath, [BIN, "train", "--weights", "ideal", "--dataset", "mnist:14x14", "--samples", "2000", "--test-samples", "100", "--epochs", "50", "--out", out], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (d) => (stdout += d));
    const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
    try {
      await new Promise<void>((res, rej) => {
        child.stderr.on("data", (d) => {
          stderr += d;
          if (/epoch 1\/50/.test(stderr)) res();
        });
        child.on("exit", () => rej(new Error(`exited before the first epoch: ${stderr}`)));
      });
      child.kill("SIGINT");
      const code = await exited;
      expect(code, stderr).toBe(130);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    expect(stderr).toMatch(/SIGINT: stopping at the next safe point/);
    expect(stderr).toMatch(/run aborted \(SIGINT \(Ctrl\+C\)\)/);
    expect(stdout).toBe("");
    const [dir] = expectEveryRunStopped(out);
    const docs = readDocs(join(out, dir!, "records.jsonl"));
    const stop = docs.at(-1);
    expect(stop).toMatchObject({ type: "stop", exit_status: "aborted", reason: "SIGINT (Ctrl+C)" });
    const events = stop.num_events.primary as number;
    expect(events).toBeGreaterThanOrEqual(1);
    expect(events).toBeLessThan(50);
    expect(readdirSync(join(out, dir!, "checkpoints")).sort()).toEqual(Array.from({ length: events }, (_, i) => `epoch-${i + 1}.json`).sort());
  });
});
