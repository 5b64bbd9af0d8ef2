// `mhil calibrate` and `mhil sweep` through the compiled CLI, on the firmware twin served from this process on a
// socat pty (serial:PATH): the device's wear counts grow by exactly the pulses the twin applied, cell by cell;
// `mhil info` shows the most-worn cell from the same counts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Pulse } from "../../src/hal/crossbar.js";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import { FirmwareTwin } from "../../emulators/firmware-twin/twin.js";
import { plugInPty, unplugPty } from "./helpers.js";
import { total } from "./recording-backend.js";

const BIN = resolve("bin/mhil.js");
const work = mkdtempSync(join(tmpdir(), "mhil-survive-stack-cli-"));
const env = { ...process.env, MHIL_STATE_DIR: join(work, "default-state") };
const socats = new Set<ChildProcess>();
const twins = new Set<FirmwareTwin>();
afterAll(async () => {
  for (const t of twins) t.stop();
  for (const p of socats) await unplugPty(p);
  rmSync(work, { recursive: true, force: true });
});
beforeAll(() => {
  if (!existsSync(resolve("dist/src/cli/main.js"))) throw new Error("dist/ is missing: run `npx tsc -p tsconfig.json` (npm test does)");
});

const DEVICE = "sim:reram?rows=16&cols=16&seed=5";
const SERIAL = "sim-reram-16x16-seed5";

async function servedTwin(name: string) {
  const twin = await FirmwareTwin.create(simCrossbarFromUri(parseDeviceUri(DEVICE)));
  twins.add(twin);
  const linkPath = join(work, `tty-${name}`);
  socats.add(await plugInPty(twin, linkPath));
  return { twin, uri: `serial:${linkPath}?baud=1000000` };
}

/** Runs mhil in a child process (the twin answers from this one, so no spawnSync). */
function mhil(args: string[], cwd = work): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((r) => child.once("exit", (code) => r({ code, stdout, stderr })));
}

/** The pulses the twin applied, per cell (row-major), as requested. */
function applied(twin: FirmwareTwin, cols: number): number[] {
  const out = new Array(16 * cols).fill(0);
  for (const { pulse } of twin.appliedPulses as { pulse: Pulse }[]) {
    if (pulse.kind === "cell") out[pulse.row * cols + pulse.col] += pulse.count;
    else pulse.selected.forEach((s, j) => (out[pulse.kind === "row" ? pulse.line * cols + s : s * cols + pulse.line] += pulse.counts[j]!));
  }
  return out;
}

const wear = (stateDir: string) => (JSON.parse(readFileSync(join(stateDir, "wear", `${SERIAL}.json`), "utf8")) as { pulses: number[] }).pulses;

describe("wear counted by every command that pulses the device", () => {
  it("mhil calibrate: the wear counts are exactly the pulses the twin applied; mhil info shows the most-worn cell", async () => {
    const { twin, uri } = await servedTwin("calibrate");
    const state = join(work, "state-calibrate");
    const r = await mhil(["calibrate", "--device", uri, "--procedure", "pulse", "--cells", "4", "--pulses", "40", "--out", join(work, "cal.json"), "--state-dir", state]);
    expect(r.code, r.stderr).toBe(0);
    const pulses = applied(twin, 16);
    expect(total(pulses)).toBeGreaterThan(0);
    expect(wear(state)).toEqual(pulses);

    const info = await mhil(["info", "--device", uri, "--state-dir", state]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(new RegExp(`wear: +most-worn cell ${Math.max(...pulses)} pulses`));
    expect(wear(state)).toEqual(pulses); // info pulses nothing
  });

  it("mhil sweep: a point's wear counts are exactly the pulses the twin applied (in the sweep's worker process)", async () => {
    const { twin, uri } = await servedTwin("sweep");
    const state = join(work, "state-sweep");
    const config = {
      name: "stack",
      device: uri,
      pilot: true,
      base: { dataset: "toy:2d", weights: "crossbar", layers: [], learningRates: 0.2, testSamples: 0, batchSize: 8 },
      grid: { n: [16], classes: [2], labels: ["random"], budgets: [{ epochs: 2 }], seeds: [1] },
    };
    writeFileSync(join(work, "stack.json"), JSON.stringify(config));
    const r = await mhil(["sweep", "--config", "stack.json", "--out", "sweep", "--no-progress", "--state-dir", state]);
    const runs = join(work, "sweep", "runs");
    expect(existsSync(join(runs, "n16_C2_random_ep2_seed1", "summary.json")), r.stderr).toBe(true);
    const pulses = applied(twin, 16);
    expect(total(pulses)).toBeGreaterThan(0);
    expect(wear(state)).toEqual(pulses);
    expect(existsSync(join(work, "default-state"))).toBe(false); // --state-dir reached the worker
  });
});
