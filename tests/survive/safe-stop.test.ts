// Safe stop when something fails inside a pulse batch: on the simulated backend and on the serial firmware
// twin (real driver over a socat pty), every line ends grounded by the backend's own account, and the run's
// stop record says failed with the error's text.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTraining } from "../../src/run/train-run.js";
import { openCrossbar } from "../../src/backends/open.js";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import { serveFirmwareTwin, type ServedFirmwareTwin } from "../../emulators/firmware-twin/serve.js";
import { FailingMidBatchCrossbar, readDocs, smallCrossbarConfig } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "mhil-survive-stop-"));
const served: ServedFirmwareTwin[] = [];
afterAll(async () => {
  for (const s of served) await s.close();
  rmSync(work, { recursive: true, force: true });
});

const DEVICE = "sim:reram?rows=32&cols=32&seed=5";

function onlyRunDir(out: string): string {
  const dirs = readdirSync(out);
  expect(dirs).toHaveLength(1);
  return join(out, dirs[0]!);
}

describe("a failure inside a pulse batch stops the run safely", () => {
  it("simulated backend: the simulator reports every line grounded; the stop record names the error", async () => {
    const sim = simCrossbarFromUri(parseDeviceUri(DEVICE));
    const failing = new FailingMidBatchCrossbar(sim, 25);
    const out = join(work, "sim");
    try {
      const err = await runTraining({ config: smallCrossbarConfig(), deviceUri: DEVICE, outDir: out, crossbar: failing, onProgress: (e) => e.kind === "start" && failing.arm() }).catch((e: Error) => e);
      expect(failing.thrown).not.toBeNull();
      expect(err).toBe(failing.thrown);
      expect(await sim.isSafe()).toBe(true); // the simulator's own state, before anyone closes it
      const docs = readDocs(join(onlyRunDir(out), "records.jsonl"));
      const stops = docs.filter((d) => d.type === "stop");
      expect(stops).toHaveLength(1);
      expect(stops[0]).toMatchObject({ exit_status: "failed", reason: failing.thrown!.message });
      expect(stops[0]!.reason).toMatch(/assertion failed in pulse batch 25/);
    } finally {
      await sim.close();
    }
  });

  it("serial twin over a pty: the twin's own safe flag says grounded; the stop record names the error", async () => {
    const s = await serveFirmwareTwin({ device: DEVICE });
    served.push(s);
    const serial = await openCrossbar(`serial:${s.path}?baud=1000000`);
    const failing = new FailingMidBatchCrossbar(serial, 25);
    const out = join(work, "twin");
    try {
      const err = await runTraining({ config: smallCrossbarConfig(), deviceUri: `serial:${s.path}`, outDir: out, crossbar: failing, onProgress: (e) => e.kind === "start" && failing.arm() }).catch((e: Error) => e);
      expect(failing.thrown).not.toBeNull();
      expect(err).toBe(failing.thrown);
      await s.twin.idle();
      // The firmware's own flag and the simulator behind it: not the driver's belief.
      expect(s.twin.isSafe).toBe(true);
      expect(await s.twin.crossbar.isSafe()).toBe(true);
      expect(s.twin.appliedPulses.length).toBeGreaterThan(0); // the run really pulsed the twin before failing
      const stop = readDocs(join(onlyRunDir(out), "records.jsonl")).filter((d) => d.type === "stop");
      expect(stop).toHaveLength(1);
      expect(stop[0]).toMatchObject({ exit_status: "failed", reason: failing.thrown!.message });
    } finally {
      await serial.close();
    }
  });
});
