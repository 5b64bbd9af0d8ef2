// `mhil train --device serial:PATH` (the compiled CLI) against the firmware twin served from this process on a
// socat pty: SIGTERM stops at a safe point with the twin's own lines grounded; a pulled and replugged cable
// (same board) pauses and resumes the run, and the production driver's messages land as device record events.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import { FirmwareTwin } from "../../emulators/firmware-twin/twin.js";
import { plugInPty, readDocs, unplugPty } from "./helpers.js";

const BIN = resolve("bin/mhil.js");
const work = mkdtempSync(join(tmpdir(), "mhil-survive-cli-serial-"));
const env = { ...process.env, MHIL_STATE_DIR: join(work, "state") };
const socats = new Set<ChildProcess>();
const twins = new Set<FirmwareTwin>();
const children = new Set<ChildProcess>();
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const t of twins) t.stop();
  for (const p of socats) await unplugPty(p);
  rmSync(work, { recursive: true, force: true });
});
beforeAll(() => {
  if (!existsSync(resolve("dist/src/cli/main.js"))) throw new Error("dist/ is missing: run `npx tsc -p tsconfig.json` (npm test does)");
});

const DEVICE = "sim:reram?rows=32&cols=32&seed=5";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function servedTwin(name: string) {
  const twin = await FirmwareTwin.create(simCrossbarFromUri(parseDeviceUri(DEVICE)));
  twins.add(twin);
  const linkPath = join(work, `tty-${name}`);
  const socat = await plugInPty(twin, linkPath);
  socats.add(socat);
  return { twin, linkPath, socat };
}

function train(linkPath: string, out: string) {
  const args = ["train", "--weights", "crossbar", "--device", `serial:${linkPath}?baud=1000000&openTimeout=600`, "--dataset", "toy:2d", "--samples", "100", "--test-samples", "20", "--epochs", "6", "--seed", "4", "--json", "--no-progress", "--out", out];
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let stderr = "";
  let stdout = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  const done = new Promise<{ code: number | null; stderr: string; stdout: string }>((r) => child.once("exit", (code) => r({ code, stderr, stdout })));
  return { child, done };
}

/** Resolves once the run under `out` has recorded `n` completed epochs. */
async function epochsDone(out: string, n: number, child: ChildProcess): Promise<string> {
  for (;;) {
    if (child.exitCode !== null) throw new Error("the run ended before the point the test waits for");
    const dirs = existsSync(out) ? readdirSync(out) : [];
    if (dirs.length === 1) {
      const dir = join(out, dirs[0]!);
      if (existsSync(join(dir, "records.jsonl")) && readDocs(join(dir, "records.jsonl")).filter((d) => d.type === "event" && d.data.epoch !== undefined).length >= n) return dir;
    }
    await sleep(10);
  }
}

describe("mhil train on serial: over a pty", () => {
  it("SIGTERM: exit 130, stop record aborted (SIGTERM), the twin's own flag says every line grounded", async () => {
    const { twin, linkPath } = await servedTwin("term");
    const out = join(work, "runs-term");
    const run = train(linkPath, out);
    const dir = await epochsDone(out, 1, run.child);
    run.child.kill("SIGTERM");
    const r = await run.done;
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toMatch(/SIGTERM: stopping at the next safe point/);
    await twin.idle();
    expect(twin.isSafe).toBe(true);
    expect(await twin.crossbar.isSafe()).toBe(true);
    expect(readDocs(join(dir, "records.jsonl")).at(-1)).toMatchObject({ type: "stop", exit_status: "aborted", reason: "SIGTERM" });
  });

  it("cable pulled after epoch 1 and the same board replugged: the run pauses, resumes, finishes; link events recorded", async () => {
    const { twin, linkPath, socat } = await servedTwin("pull");
    const out = join(work, "runs-pull");
    const run = train(linkPath, out);
    const dir = await epochsDone(out, 1, run.child);
    await unplugPty(socat);
    twin.stop();
    await sleep(300);
    socats.add(await plugInPty(twin, linkPath));
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "success", epochs: 6 });
    expect(r.stderr).toMatch(/link lost .*reconnecting/);
    const docs = readDocs(join(dir, "records.jsonl"));
    const kinds = docs.filter((d) => d.type === "event" && d.data.kind !== undefined).map((d) => d.data.kind);
    expect(kinds).toEqual(["link_lost", "link_restored"]);
    expect(docs.at(-1)).toMatchObject({ type: "stop", exit_status: "success" });
  });
});
