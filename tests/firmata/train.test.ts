// `mhil train` on the Firmata twin over a real pty: a hidden layer with fitLayers (as `--draws` sets for its default
// network) is sized to the board's 8 devices (a perceptron: 2 inputs × 2 outputs as differential pairs) and one line
// says so; it learns toy:2d and reports its energy. The default digits fit no network on 2×4: refused in one line
// before any pulse.
// Pulling the cable mid-run ends the run with a clean error, the board at 0 V, and a stop record that says why.
// Runs the compiled CLI (dist/): `npx tsc -p tsconfig.json` first (scripts/run-tests.mjs does).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { DEFAULT_BOARD_CONFIG } from "../../protocol/firmata/board-config.js";
import { DEFAULT_TWIN_DEVICE } from "../../emulators/firmata-twin/analog-board.js";
import { serveFirmataTwin, type ServedFirmataTwin } from "../../emulators/firmata-twin/serve.js";

const dir = mkdtempSync(join(tmpdir(), "mhil-firmata-train-"));
// Host-timed pulses are slow (tens of ms each): short hard pulses and small bursts keep the
// store's calibration (RESET/SET bursts until reads settle) to seconds, and noise-free reads end those bursts.
const boardPath = join(dir, "board.json");
writeFileSync(boardPath, JSON.stringify({ ...DEFAULT_BOARD_CONFIG, limits: { ...DEFAULT_BOARD_CONFIG.limits, maxPulseWidthSeconds: 0.025, maxPulseCount: 2 } }));
const configPath = join(dir, "train.json");
writeFileSync(configPath, JSON.stringify({ dataset: "toy:2d", classes: 2, labels: "real", samples: 40, testSamples: 40, epochs: 2, batchSize: 10, learningRates: 0.5, layers: [16], fitLayers: true }));
const twins: ServedFirmataTwin[] = [];

async function twin(): Promise<ServedFirmataTwin> {
  const t = await serveFirmataTwin({ boardConfigPath: boardPath, seed: 1, device: { ...DEFAULT_TWIN_DEVICE, readNoise: 0, adcNoiseLsb: 0 }, log: () => undefined });
  twins.push(t);
  return t;
}

function train(device: string, out: string, config: string[] = ["--config", configPath]) {
  const child = spawn(process.execPath, ["bin/mhil.js", "train", ...config, "--device", device, "--out", out, "--json"], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

const records = (runDir: string) =>
  readFileSync(join(runDir, "records.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { type: string; exit_status?: string; reason?: string });

beforeAll(() => {
  if (!existsSync("dist/src/cli/main.js")) throw new Error("dist/ is missing: run `npx tsc -p tsconfig.json` first");
});
afterAll(async () => {
  for (const t of twins) await t.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a hidden layer with fitLayers: the network is sized to the 8 devices, a perceptron learns toy:2d and reports the energy it spent", async () => {
  const t = await twin();
  const out = join(dir, "runs-ok");
  const run = train(`firmata:${t.path}?board=${boardPath}`, out);
  const r = await run.done;
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr.split("\n").filter((l) => l.startsWith("mhil: "))).toEqual([
    "mhil: network 2-16-2 does not fit on the 2×4 crossbar: training 2-2 (no hidden layer), the widest network that fits (set layers to choose another)",
  ]);
  const s = JSON.parse(r.stdout) as { status: string; accuracy: { train: number; test: number }; energy_joules: { total: number; by_activity: Record<string, number> } };
  expect(s.status).toBe("success");
  expect(s.accuracy.test).toBeGreaterThanOrEqual(0.8);
  expect(s.energy_joules.total).toBeGreaterThan(0);
  expect(s.energy_joules.by_activity.program).toBeGreaterThan(0);
  expect(s.energy_joules.by_activity.freeRead).toBeGreaterThan(0);
  const [runDir] = readdirSync(out);
  expect(records(join(out, runDir!)).at(-1)).toMatchObject({ type: "stop", exit_status: "success" });
  // The run records the network it trained (a resume trains the same).
  expect(JSON.parse(readFileSync(join(out, runDir!, "config.json"), "utf8")).config).toMatchObject({ layers: [], fitLayers: true });
  expect(await t.board.lineVolts().every((v) => v < 1e-3)).toBe(true);
}, 120_000);

test("no config at all: the default digits fit no network on 2×4, refused in one line before any pulse (exit 2)", async () => {
  const t = await twin();
  const writes: number[] = [];
  t.board.watch((e) => {
    if (e.kind === "host" && e.message.type === "analogWrite") writes.push(e.message.value);
  });
  const out = join(dir, "runs-refused");
  const r = await train(`firmata:${t.path}?board=${boardPath}`, out, []).done;
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split("\n")).toEqual([
    `mhil: network 49-10 does not fit on a 2×4 crossbar (--device firmata:${t.path}?board=${boardPath}): its weights need 980 cells as conductance pairs; use a larger device (sim:PRESET?rows=&cols=) or data with fewer inputs or classes`,
  ]);
  // The driver grounded every line when it opened the board (writes of 0) and nothing else: no pulse, no read.
  expect(writes.length).toBeGreaterThan(0);
  expect(writes.every((v) => v === 0)).toBe(true);
  expect(existsSync(out)).toBe(false);
}, 120_000);

test("unplugged mid-run: a clean one-line error, the board at 0 V, and the stop record says why", async () => {
  const t = await twin();
  const out = join(dir, "runs-unplug");
  const run = train(`firmata:${t.path}?board=${boardPath}`, out);
  // Pull the cable once the run is under way (its records have started) and a line is driven.
  const started = () => existsSync(out) && readdirSync(out).length > 0 && existsSync(join(out, readdirSync(out)[0]!, "records.jsonl"));
  while (!started() || Math.max(...t.board.lineVolts()) < 0.5) await new Promise((res) => setTimeout(res, 5));
  await t.unplug();
  const r = await run.done;
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(/unplugged: port (closed|error).*safe state/);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  for (const v of t.board.lineVolts()) expect(v).toBe(0);
  const stop = records(join(out, readdirSync(out)[0]!)).at(-1)!;
  expect(stop.type).toBe("stop");
  expect(stop.exit_status).not.toBe("success");
  expect(stop.reason).toMatch(/unplugged/);
}, 120_000);
