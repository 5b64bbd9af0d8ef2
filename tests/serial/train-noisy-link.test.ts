// `mhil train --device serial:…` through a seeded byte-level fault link (emulators/pty/fault-pty.ts: every byte
// between the CLI's serial port and the firmware twin may be corrupted, dropped or duplicated) gives exactly the
// clean link's accuracy and pulse count, the same joules bit for bit (the lines group the products differently once
// the driver sees damage; each vector's joules are on a binary grid, so the sums are exact), and never aborts:
// - 0.1% corrupted + 0.1% dropped + 0.05% duplicated bytes: MNIST 7×7 on a 64×64 array, 2 epochs × 200 samples
//   (the case that used to abort after 30–100 MB);
// - 1% + 1% + 0.5%: the device opens (ID and LIM probes resent within ?openTimeout=) and a small run finishes.
// Wall times against the clean run are printed (a measured figure, not asserted).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import { FirmwareTwin } from "../../emulators/firmware-twin/twin.js";
import { serveFaultPty, type FaultPty } from "../../emulators/pty/fault-pty.js";
import { differingJoules } from "../../bench/same-joules.js";

const BIN = resolve("bin/mhil.js");
const work = mkdtempSync(join(tmpdir(), "mhil-noisy-train-"));
const open: { pty: FaultPty; twin: FirmwareTwin }[] = [];
afterAll(async () => {
  for (const { pty, twin } of open) {
    await pty.close();
    twin.stop();
  }
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  summary: Record<string, any>;
  seconds: number;
  /** The driver's link statistics line (logged when it closes). */
  linkLine: string;
  faults: { corrupted: number; dropped: number; duplicated: number; bytes: number };
}

/** Trains `config` on a fresh twin of `device` behind a fault pty at rate p (corrupt = drop = p, duplicate = p/2). */
async function train(name: string, device: string, config: object, p: number, uriParams = ""): Promise<Run> {
  const twin = await FirmwareTwin.create(simCrossbarFromUri(parseDeviceUri(device)));
  const faults = { corruptProbability: p, dropProbability: p, duplicateProbability: p / 2 };
  const pty = await serveFaultPty((end) => twin.serve(end), { seed: 20261123, faults });
  open.push({ pty, twin });
  const configPath = join(work, `${name}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  const args = [BIN, "train", "--config", configPath, "--device", `serial:${pty.path}${uriParams}`, "--out", join(work, name), "--json"];
  const started = performance.now();
  // Not spawnSync: the fault link runs in this process's event loop.
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  const seconds = (performance.now() - started) / 1000;
  expect(code, stderr).toBe(0);
  const lanes = [pty.link.hostToDevice, pty.link.deviceToHost];
  const sum = (k: "corrupted" | "dropped" | "duplicated" | "bytesIn") => lanes.reduce((a, l) => a + l[k], 0);
  return {
    summary: JSON.parse(stdout),
    seconds,
    linkLine: stderr.split("\n").find((l) => / link: \d+ requests/.test(l)) ?? "",
    faults: { corrupted: sum("corrupted"), dropped: sum("dropped"), duplicated: sum("duplicated"), bytes: sum("bytesIn") },
  };
}

function expectSameRun(noisy: Run, clean: Run): void {
  expect(noisy.summary.status).toBe("success");
  expect(noisy.summary.accuracy).toEqual(clean.summary.accuracy);
  expect(differingJoules(noisy.summary.energy_joules, clean.summary.energy_joules, "energy_joules")).toBeNull(); // bit for bit: bench/same-joules.ts
  expect(noisy.summary.pulses).toBe(clean.summary.pulses);
}

function report(label: string, noisy: Run, clean: Run): void {
  const f = noisy.faults;
  console.log(
    `${label}: ${(f.bytes / 1e6).toFixed(1)} MB crossed the link, ${f.corrupted} bytes corrupted, ${f.dropped} dropped, ${f.duplicated} duplicated; ` +
      `wall ${noisy.seconds.toFixed(1)} s against ${clean.seconds.toFixed(1)} s clean (×${(noisy.seconds / clean.seconds).toFixed(2)})\n  noisy ${noisy.linkLine.trim()}\n  clean ${clean.linkLine.trim()}`,
  );
}

describe("mhil train over a noisy serial link", () => {
  it("0.1% corrupted, 0.1% dropped, 0.05% duplicated bytes: MNIST 7×7, 2 epochs × 200 samples, exactly the clean run's accuracy, and its joules", async () => {
    const device = "sim:reram?rows=64&cols=64&seed=3";
    const config = { dataset: "mnist:7x7", samples: 200, testSamples: 50, evalSteps: 20, layers: [16], learningRates: [0.2, 0.1], batchSize: 10, epochs: 2, seed: 3, weights: "crossbar" };
    const clean = await train("clean-0.1", device, config, 0);
    const noisy = await train("noisy-0.1", device, config, 0.001);
    report("0.1%/0.1%/0.05%", noisy, clean);
    expectSameRun(noisy, clean);
    expect(noisy.faults.corrupted + noisy.faults.dropped + noisy.faults.duplicated).toBeGreaterThan(10_000);
    expect(noisy.linkLine).toMatch(/ [1-9]\d* damaged replies/);
  }, 300_000);

  it("1% corrupted, 1% dropped, 0.5% duplicated bytes: the device opens and a small run finishes, identical", async () => {
    const device = "sim:reram?rows=8&cols=8&seed=3";
    const config = { dataset: "toy:2d", samples: 20, testSamples: 5, evalSteps: 10, T1: 10, T2: 2, layers: [4], batchSize: 5, epochs: 2, seed: 3, weights: "crossbar" };
    const clean = await train("clean-1", device, config, 0);
    const noisy = await train("noisy-1", device, config, 0.01, "?openTimeout=600");
    report("1%/1%/0.5%", noisy, clean);
    expectSameRun(noisy, clean);
    expect(noisy.faults.corrupted + noisy.faults.dropped + noisy.faults.duplicated).toBeGreaterThan(10_000);
  }, 300_000);
});
