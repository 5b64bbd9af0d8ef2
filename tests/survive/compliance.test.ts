// A compliance trip mid-run stops the run safely: the simulator starts cutting pulses at compliance (its
// compliance limit lowered mid-run, as a cell that shorted would), the run writes a compliance_trip device
// event, grounds every line (the simulator's own state) and its stop record names the trip.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTraining } from "../../src/run/train-run.js";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import type { DeviceParams } from "../../sim/devices/params.js";
import { readDocs, smallCrossbarConfig } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "mhil-survive-trip-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const DEVICE = "sim:reram?rows=32&cols=32&seed=5";

describe("compliance trip mid-run", () => {
  it("stops safely: compliance_trip event, every line grounded, stop record failed naming the trip", async () => {
    const sim = simCrossbarFromUri(parseDeviceUri(DEVICE));
    const out = join(work, "trip");
    try {
      const err = await runTraining({
        config: smallCrossbarConfig({ epochs: 3 }),
        deviceUri: DEVICE,
        outDir: out,
        crossbar: sim,
        stopOnTrip: true,
        onProgress: (e) => {
          // From epoch 2 on, every programming pulse draws more than the (lowered) compliance current.
          if (e.kind === "batch" && e.epoch === 2 && e.batch === 1) (sim as { device: DeviceParams }).device = { ...sim.device, complianceAmperes: 1e-12 };
        },
      }).catch((e: Error) => e);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).name).toBe("ComplianceTripError");
      expect(await sim.isSafe()).toBe(true);
      const docs = readDocs(join(out, readdirSync(out)[0]!, "records.jsonl"));
      const device = docs.filter((d) => d.type === "event" && d.data.kind !== undefined).map((d) => d.data);
      expect(device.map((d) => d.kind)).toEqual(["compliance_trip"]);
      expect(device[0]!.message).toMatch(/^compliance tripped on \d+ pulse\(s\) of a batch \(limit 0\.001 A on .*serial sim-reram-32x32-seed5\): stopping safely/);
      const stop = docs.at(-1)!;
      expect(stop).toMatchObject({ type: "stop", exit_status: "failed", reason: device[0]!.message });
      expect(stop.num_events.primary).toBe(1); // epoch 1 completed; epoch 2 was stopped at its first batch
    } finally {
      await sim.close();
    }
  });
});
