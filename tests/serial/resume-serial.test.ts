// Resuming a crossbar-weights run on a device that keeps its own state: `mhil train --device serial:<pty>` against
// the firmware twin is killed (SIGKILL) mid-epoch, some devices of weight pairs are pulsed away from their values
// through the protocol, and `mhil train --resume` reads the array, compares it with the checkpoint and
// re-programs only the devices that differ (write-verify, single-cell pulses), never a RESET of the array; the
// records and the CLI say how many devices drifted and were re-programmed.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { decodeFloat64 } from "../../src/hal/base64-arrays.js";
import { forEachPair, placeBlocks } from "../../src/train/placement.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import { FirmwareTwin } from "../../emulators/firmware-twin/twin.js";
import { serveFaultPty, type FaultPty } from "../../emulators/pty/fault-pty.js";
import { openSerialCrossbar } from "../../drivers/serial-crossbar/open.js";

const BIN = resolve("bin/mhil.js");
const DEVICE = "sim:reram?rows=64&cols=64&seed=5";
const work = mkdtempSync(join(tmpdir(), "mhil-serial-resume-"));
const env = { ...process.env, MHIL_STATE_DIR: join(work, "state") };
let pty: FaultPty | null = null;
let twin: FirmwareTwin | null = null;
afterAll(async () => {
  await pty?.close();
  twin?.stop();
  rmSync(work, { recursive: true, force: true });
});

const readDocs = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l)) : []);

/** Runs the CLI to its end; `until` may SIGKILL it once it returns true (checked on each chunk the twin receives). */
async function mhil(args: string[], until?: () => boolean): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  if (until) onReceived = () => { if (child.exitCode === null && until()) child.kill("SIGKILL"); };
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) => child.once("exit", (c, s) => r([c, s])));
  onReceived = () => {};
  return { code, signal, stdout, stderr };
}

/** Every line the twin received from the host, in order. */
const received: string[] = [];
let partial = "";
let onReceived = () => {};

describe("resume on a device that keeps its state (serial, firmware twin)", () => {
  it("SIGKILL mid-epoch, devices disturbed through the protocol, --resume: only the devices that differ from the checkpoint are re-programmed, no array reset", async () => {
    expect(existsSync(resolve("dist/src/cli/main.js")), "run `npx tsc -p tsconfig.json` first").toBe(true);
    const sim = simCrossbarFromUri(parseDeviceUri(DEVICE));
    twin = await FirmwareTwin.create(sim);
    pty = await serveFaultPty((end) => {
      end.on("data", (c: Buffer) => {
        const lines = (partial + c.toString("latin1")).split("\n");
        partial = lines.pop()!;
        for (const l of lines) if (l !== "") received.push(l);
        onReceived();
      });
      twin!.serve(end);
    });
    const config = join(work, "config.json");
    writeFileSync(config, JSON.stringify({ dataset: "mnist:7x7", samples: 60, testSamples: 20, evalSteps: 10, layers: [16], batchSize: 10, epochs: 3, seed: 5, weights: "crossbar" }));
    const out = join(work, "runs");

    // Killed once epoch 1 is checkpointed and the device has taken pulses of epoch 2 after it.
    let runDir = "";
    let linesAtCheckpoint = -1;
    const killed = await mhil(["train", "--config", config, "--device", `serial:${pty.path}`, "--out", out, "--json", "--no-progress"], () => {
      if (runDir === "" && existsSync(out) && readdirSync(out).length === 1) runDir = join(out, readdirSync(out)[0]!);
      if (linesAtCheckpoint < 0) {
        if (runDir !== "" && readDocs(join(runDir, "records.jsonl")).some((d) => d.type === "event")) linesAtCheckpoint = received.length;
        return false;
      }
      return received.slice(linesAtCheckpoint).filter((l) => / PROW /.test(l)).length >= 20;
    });
    expect(killed.signal, killed.stderr).toBe("SIGKILL");
    const done = readDocs(join(runDir, "records.jsonl")).filter((d) => d.type === "event").length;
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThan(3);
    const cp = JSON.parse(readFileSync(join(runDir, "checkpoints", `epoch-${done}.json`), "utf8")).session.store;
    const cells = 64 * 64;
    // The checkpoint's reading of the array (a device that cannot save its state is read at each checkpoint).
    const target = decodeFloat64(cp.reading, cells, "reading");
    const gLow = decodeFloat64(cp.gLow, cells, "gLow");
    const gHigh = decodeFloat64(cp.gHigh, cells, "gHigh");
    const dead = new Set<number>(cp.dead);
    const pairDevices: number[] = [];
    forEachPair(placeBlocks(cp.sizes, 64, 64), 64, (plus) => {
      if (!dead.has(plus) && !dead.has(plus + 1)) pairDevices.push(plus, plus + 1);
    });

    // Six devices in the lower half of their range, SET hard through the protocol (a new session on the same pty).
    const truth0 = sim.trueConductances();
    const disturbed = pairDevices.filter((c) => truth0[c]! < (gLow[c]! + gHigh[c]!) / 2).slice(0, 6);
    expect(disturbed).toHaveLength(6);
    const serial = await openSerialCrossbar(parseDeviceUri(`serial:${pty.path}`));
    const limits = (await serial.identify()).limits;
    await serial.program(disturbed.map((c) => ({ kind: "cell" as const, row: Math.floor(c / 64), col: c % 64, volts: limits.maxProgramVoltsPositive, widthSeconds: limits.maxPulseWidthSeconds, count: 20 })));
    await serial.close();
    const before = sim.trueConductances();
    const steps = decodeFloat64(cp.step, cells, "step");
    for (const c of disturbed) expect(before[c]! - truth0[c]!, `device ${c} moved`).toBeGreaterThan(5 * steps[c]!);

    const fromLine = received.length;
    const resumed = await mhil(["train", "--resume", runDir, "--json", "--no-progress"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).status).toBe("success");

    // The restore: what the resumed attempt sent before its first product.
    const attempt = received.slice(fromLine);
    const firstProduct = attempt.findIndex((l) => / MV[FT] /.test(l));
    expect(firstProduct).toBeGreaterThan(0);
    const restore = attempt.slice(0, firstProduct);
    expect(restore.filter((l) => / (PROW|PCOL|RST) /.test(l)), "no row or column pulses (an array RESET), no RST").toEqual([]);
    const pulsed = new Set(restore.filter((l) => / PCELL /.test(l)).map((l) => { const f = l.split(" "); return Number(f[2]) * 64 + Number(f[3]); }));

    const report = readDocs(join(runDir, "records.jsonl")).filter((d) => d.type === "start")[1].resumed_from.restore;
    expect(report.method).toBe("read-compare-reprogram");
    expect(report.array_resets).toBe(0);
    expect(report.devices_compared).toBe(pairDevices.length);
    expect(report.reprogrammed).toBe(pulsed.size);
    expect(report.drifted).toBeGreaterThanOrEqual(report.reprogrammed);
    expect(resumed.stderr).toContain(`mhil: resume: read the array and compared ${pairDevices.length} devices with the checkpoint: ${report.drifted} drifted`);
    // Only devices of weight pairs; every disturbed one; none that was certainly within its tolerance of the
    // checkpoint's reading (6 σ of a reading inside it), and every one certainly outside it. A device's tolerance grows
    // with its conductance as the read noise does (the reported relative part); the margin takes the preset's 1%
    // relative read noise twice over.
    const tolOf = (c: number) => Math.max(report.tolerance_siemens, 3 * Math.SQRT2 * Math.hypot(cp.readSigma, report.relative_read_sigma * target[c]!));
    const sigmaOf = (c: number) => Math.hypot(cp.readSigma, 0.02 * before[c]!);
    const pairs = new Set(pairDevices);
    for (const c of pulsed) expect(pairs.has(c), `device ${c} is a weight's`).toBe(true);
    for (const c of disturbed) expect(pulsed.has(c), `disturbed device ${c} re-programmed`).toBe(true);
    expect(report.relative_read_sigma).toBeGreaterThan(0.005);
    expect(report.relative_read_sigma).toBeLessThan(0.02);
    for (const c of pairDevices) {
      const off = Math.abs(before[c]! - target[c]!);
      if (off + 6 * sigmaOf(c) < tolOf(c)) expect(pulsed.has(c), `device ${c} was ${off} S off (tolerance ${tolOf(c)} S)`).toBe(false);
      if (off - 6 * sigmaOf(c) > tolOf(c)) expect(pulsed.has(c), `device ${c} was ${off} S off (tolerance ${tolOf(c)} S)`).toBe(true);
    }
    expect(pulsed.size).toBeLessThan(pairDevices.length / 4);
    console.log(`resume over serial: ${report.devices_compared} devices compared, ${report.drifted} drifted beyond ${report.tolerance_siemens.toExponential(2)}–${report.tolerance_max_siemens.toExponential(2)} S (relative read σ ${report.relative_read_sigma.toFixed(4)}), ${report.reprogrammed} re-programmed with ${report.pulses} pulses (${report.unconverged} unconverged); killed after ${done} epoch(s)`);
  }, 300_000);
});
