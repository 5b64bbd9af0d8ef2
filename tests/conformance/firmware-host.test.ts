// The shared Crossbar conformance suite on the crossbar-controller FIRMWARE itself: its host build
// (the same C++ logic as the ATmega2560 image, on a simulated 16×16 crossbar) on a real pty, driven
// by the real serial driver (drivers/serial-crossbar) through serialport 13.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSerialCrossbar } from "../../drivers/serial-crossbar/open.js";
import type { Crossbar } from "../../src/hal/crossbar.js";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { LineClient, make, startFirmwareHost, type FirmwareHost } from "../firmware/host-process.js";
import { crossbarConformance } from "./conformance.js";

const hosts: FirmwareHost[] = [];

beforeAll(() => {
  make(["host"]);
}, 180_000);

afterAll(async () => {
  for (const h of hosts) await h.stop();
});

// Each open gets its own firmware process: a pty, like a USB port, carries one host at a time.
async function open(): Promise<Crossbar> {
  return (await openWithHost()).crossbar;
}

async function openWithHost(): Promise<{ crossbar: Crossbar; host: FirmwareHost }> {
  const host = await startFirmwareHost(["--seed", String(hosts.length + 1), "--serial", `FWHOST-${hosts.length + 1}`]);
  hosts.push(host);
  return { crossbar: await openSerialCrossbar(parseDeviceUri(`serial:${host.path}`)), host };
}

crossbarConformance("serial: firmware host build (16×16, PROTOCOL.md over a pty)", open, {
  // Reads and products are quantized to 10 nA ADC codes and 150 µV DAC codes.
  mvmRelativeTolerance: 0.02,
  readRelativeTolerance: 0.02,
});

describe("firmware host build after the serial driver closes", () => {
  it("every line is grounded (ST safe=1) and the pulses were applied once", async () => {
    const { crossbar, host } = await openWithHost();
    const id = await crossbar.identify();
    const report = await crossbar.program([{ kind: "cell", row: 1, col: 1, volts: id.limits.maxProgramVoltsPositive, widthSeconds: 1e-4, count: 5 }]);
    expect(report.value.pulsesApplied).toBe(5);
    await crossbar.close();
    const client = await LineClient.open(host.path);
    try {
      expect(await client.ask("0000 ST")).toMatch(/^0000 OK ST 0 0 0 0 safe=1 /);
      expect((await client.ask("0000 EN")).split(" ")[11]).toBe("5");
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe("mhil train over the firmware host build", () => {
  it("EqProp on the firmware's own device model learns toy:2d through the CLI, the serial driver and PROTOCOL.md", async () => {
    const host = await startFirmwareHost(["--seed", "11", "--serial", "FWHOST-TRAIN"]);
    hosts.push(host);
    const work = mkdtempSync(join(tmpdir(), "mhil-fw-train-"));
    try {
      const config = join(work, "toy.json");
      writeFileSync(config, JSON.stringify({ dataset: "toy:2d", layers: [6], samples: 400, testSamples: 200, epochs: 5, batchSize: 10 }));
      const args = [resolve("bin/mhil.js"), "train", "--config", config, "--device", `serial:${host.path}`, "--json", "--no-progress", "--out", join(work, "runs"), "--state-dir", join(work, "state")];
      const { stdout } = await promisify(execFile)("node", args, { maxBuffer: 1 << 24 });
      const s = JSON.parse(stdout);
      expect(s.weights).toBe("crossbar");
      expect(s.accuracy.test).toBeGreaterThan(0.95); // x₀ + x₁ > 1, learned on the device
      expect(s.pulses).toBeGreaterThan(0);
      expect(s.energy_joules.by_activity.program).toBeGreaterThan(0);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});
