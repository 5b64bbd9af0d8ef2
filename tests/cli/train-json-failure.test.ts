// `mhil train --json` answers on stdout however the run ends (issue 18): one JSON object with the status, the
// exit code, the error line's message and the run directory (null when none was made), beside the one line on
// stderr. Through the compiled CLI; the device that disappears is the firmware twin on a socat pty, unplugged.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import { FirmwareTwin } from "../../emulators/firmware-twin/twin.js";
import { plugInPty, readDocs, unplugPty } from "../survive/helpers.js";

const BIN = resolve("bin/mhil.js");
const work = mkdtempSync(join(tmpdir(), "mhil-train-json-"));
const env = { ...process.env, MHIL_STATE_DIR: join(work, "state") };
const children = new Set<ChildProcess>();
const socats = new Set<ChildProcess>();
const twins = new Set<FirmwareTwin>();
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const t of twins) t.stop();
  for (const p of socats) await unplugPty(p);
  rmSync(work, { recursive: true, force: true });
});
beforeAll(() => {
  if (!existsSync(resolve("dist/src/cli/main.js"))) throw new Error("dist/ is missing: run `npx tsc -p tsconfig.json` (npm test does)");
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TOY = ["--weights", "crossbar", "--dataset", "toy:2d", "--samples", "100", "--test-samples", "20", "--seed", "4", "--json", "--no-progress"];

function train(args: string[]) {
  const child = spawn(process.execPath, [BIN, "train", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let stderr = "";
  let stdout = "";
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
  child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
  const done = new Promise<{ code: number | null; stderr: string; stdout: string }>((r) => child.once("exit", (code) => r({ code, stderr, stdout })));
  return { child, done };
}

/** Resolves with the run directory once the run under `out` has recorded `n` completed epochs. */
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

/** stdout is exactly one JSON object; stderr ends with the one error line carrying the same message. */
function answer(r: { stdout: string; stderr: string }): Record<string, unknown> {
  const lines = r.stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  const json = JSON.parse(lines[0]!) as Record<string, unknown>;
  expect(r.stderr.trimEnd().split("\n").at(-1)).toBe(`mhil: ${String(json.error)}`);
  return json;
}

describe("mhil train --json: every ending answers on stdout", () => {
  it("a refused input: status refused, exit 2, the message, no run directory", () => {
    const out = join(work, "refused");
    const r = spawnSync(process.execPath, [BIN, "train", ...TOY, "--epochs", "abc", "--out", out], { env, encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(answer(r)).toEqual({ status: "refused", exit_code: 2, error: "--epochs abc: must be an integer", run_dir: null });
    expect(r.stderr).toBe("mhil: --epochs abc: must be an integer\n");
    expect(existsSync(out)).toBe(false);
  });

  it("an aborted run (SIGTERM): status aborted, exit 130, the run directory with its aborted stop record", async () => {
    const out = join(work, "aborted");
    const run = train([...TOY, "--device", "sim:reram?rows=32&cols=32&seed=5", "--epochs", "200", "--out", out]);
    const dir = await epochsDone(out, 1, run.child);
    run.child.kill("SIGTERM");
    const r = await run.done;
    expect(r.code, r.stderr).toBe(130);
    const json = answer(r);
    expect(json).toMatchObject({ status: "aborted", exit_code: 130, run_dir: dir });
    expect(json.error).toMatch(new RegExp(`^run aborted \\(SIGTERM\\) after \\d+ complete epoch\\(s\\); run directory ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(stop record: aborted\\)$`));
    expect(readDocs(join(dir, "records.jsonl")).at(-1)).toMatchObject({ type: "stop", exit_status: "aborted", reason: "SIGTERM" });
  });

  it("a device that disappears mid-run (cable pulled, not replugged): status failed, exit 1, the run directory with its failed stop record", async () => {
    const twin = await FirmwareTwin.create(simCrossbarFromUri(parseDeviceUri("sim:reram?rows=32&cols=32&seed=5")));
    twins.add(twin);
    const linkPath = join(work, "tty-gone");
    const socat = await plugInPty(twin, linkPath);
    socats.add(socat);
    const out = join(work, "gone");
    const run = train([...TOY, "--device", `serial:${linkPath}?baud=1000000&reconnect=1`, "--epochs", "50", "--out", out]);
    const dir = await epochsDone(out, 1, run.child);
    await unplugPty(socat);
    twin.stop();
    const r = await run.done;
    expect(r.code, r.stderr).toBe(1);
    const json = answer(r);
    expect(json).toMatchObject({ status: "failed", exit_code: 1, run_dir: dir });
    expect(json.error).toMatch(/serial/i);
    expect(readDocs(join(dir, "records.jsonl")).at(-1)).toMatchObject({ type: "stop", exit_status: "failed", reason: json.error });
  });
});
