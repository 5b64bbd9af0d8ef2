// Suspenders on the serial link: the pty is pulled mid-run (socat killed) and a twin comes back at the same
// path (socat link=). With the same device (same serial) the run pauses, resumes and finishes; with another
// serial it refuses. Each shows up as a "device" record event; the refusal also in the stop record.
import { afterAll, describe, expect, it } from "vitest";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTraining } from "../../src/run/train-run.js";
import { DeviceEvents } from "../../src/backends/device-events.js";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import { FirmwareTwin } from "../../emulators/firmware-twin/twin.js";
import { SerialCrossbar } from "../../drivers/serial-crossbar/serial-crossbar.js";
import { openSerialPort } from "../../drivers/serial-crossbar/port.js";
import { plugInPty, readDocs, smallCrossbarConfig, unplugPty } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "mhil-survive-link-"));
const socats = new Set<ChildProcess>();
const twins = new Set<FirmwareTwin>();
afterAll(async () => {
  for (const t of twins) t.stop();
  for (const p of socats) await killSocat(p);
  rmSync(work, { recursive: true, force: true });
});

const DEVICE = "sim:reram?rows=32&cols=32&seed=5";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function plugIn(twin: FirmwareTwin, linkPath: string): Promise<ChildProcess> {
  const socat = await plugInPty(twin, linkPath);
  socats.add(socat);
  twins.add(twin);
  return socat;
}

async function killSocat(p: ChildProcess): Promise<void> {
  socats.delete(p);
  await unplugPty(p);
}

/** The production driver over the pty path, its progress messages fed to the run's device events. */
function openDriver(linkPath: string, events: DeviceEvents): Promise<SerialCrossbar> {
  return SerialCrossbar.open({ label: `serial:${linkPath}`, reconnectSeconds: 600, log: events.log, connect: () => openSerialPort(linkPath, 1_000_000) });
}

/** Trains over the link; at epoch 1, batch 2 the cable is pulled and `replug` decides what comes back. */
async function runWithPull(name: string, replug: (linkPath: string, twin: FirmwareTwin) => Promise<void>) {
  const sim = simCrossbarFromUri(parseDeviceUri(DEVICE));
  const twin = await FirmwareTwin.create(sim);
  const linkPath = join(work, `tty-${name}`);
  const socat = await plugIn(twin, linkPath);
  const events = new DeviceEvents();
  const crossbar = await openDriver(linkPath, events);
  const out = join(work, name);
  let pulled: Promise<void> | null = null;
  try {
    const result = await runTraining({
      config: smallCrossbarConfig({ epochs: 3 }),
      deviceUri: `serial:${linkPath}`,
      outDir: out,
      crossbar,
      deviceEvents: events,
      onProgress: (e) => {
        if (e.kind === "batch" && e.epoch === 1 && e.batch === 2 && !pulled) {
          pulled = (async () => {
            await killSocat(socat); // the cable is pulled: the pty disappears under the driver
            twin.stop();
            await sleep(300);
            await replug(linkPath, twin);
          })();
        }
      },
    }).then(
      (summary) => ({ summary, error: null as Error | null }),
      (error: Error) => ({ summary: null, error }),
    );
    await pulled;
    const docs = readDocs(join(out, readdirSync(out)[0]!, "records.jsonl"));
    return { ...result, docs, crossbar, twin, pulled: pulled !== null };
  } finally {
    await crossbar.close().catch(() => undefined);
  }
}

describe("link lost mid-run", () => {
  it("the same device comes back: the run pauses, resumes and finishes; link_lost and link_restored are recorded", async () => {
    const r = await runWithPull("same", async (linkPath, twin) => {
      // The same board (same serial, still powered): its twin is served again on a new pty at the same path.
      await plugIn(twin, linkPath);
    });
    expect(r.pulled).toBe(true);
    expect(r.error).toBeNull();
    expect(r.summary?.status).toBe("success");
    expect(r.summary?.epochs).toBe(3);
    expect(r.crossbar.linkCounters.reconnects).toBeGreaterThanOrEqual(1);
    const device = r.docs.filter((d) => d.type === "event" && d.data.kind !== undefined).map((d) => d.data);
    expect(device.map((d) => d.kind)).toEqual(["link_lost", "link_restored"]);
    expect(device[0]!.message).toMatch(/link lost/);
    expect(device[1]!.message).toMatch(/same device \(serial sim-reram-32x32-seed5\); resumed at epoch 1, batch 3/);
    expect(r.docs.at(-1)).toMatchObject({ type: "stop", exit_status: "success" });
  });

  it("another device answers at the same path: the run refuses it, records device_refused and stops failed naming both serials", async () => {
    const r = await runWithPull("other", async (linkPath) => {
      const other = await FirmwareTwin.create(simCrossbarFromUri(parseDeviceUri(DEVICE)), { serial: "board-B-0042" });
      await plugIn(other, linkPath);
    });
    expect(r.pulled).toBe(true);
    expect(r.summary).toBeNull();
    expect(r.error?.name).toBe("DeviceMismatchError");
    expect(r.error?.message).toMatch(/different device \(serial sim-reram-32x32-seed5 → board-B-0042/);
    const device = r.docs.filter((d) => d.type === "event" && d.data.kind !== undefined).map((d) => d.data.kind);
    expect(device).toEqual(["link_lost", "device_refused"]);
    const stop = r.docs.at(-1)!;
    expect(stop).toMatchObject({ type: "stop", exit_status: "failed" });
    expect(stop.reason).toMatch(/different device .*board-B-0042.*refusing to go on/);
  });
});
