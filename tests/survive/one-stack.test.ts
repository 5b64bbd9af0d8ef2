// One device stack for every command that touches a device: train, calibrate and a sweep point each open a
// recording backend through it, and every pulse that reached the backend was counted in the wear store (cell
// by cell, exactly) and passed the safety guard (a trip the backend reports stops each of them); a read over
// the compliance limit through readArray is refused, at the backend's default read voltage too.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDeviceStack } from "../../src/backends/device-stack.js";
import { CurrentOverLimitError } from "../../src/backends/safety-guard.js";
import { runTraining } from "../../src/run/train-run.js";
import { calibrateDevice, DEFAULT_PLAN } from "../../calibration/run.js";
import { runPoint } from "../../src/experiment/run-point.js";
import { claimSweepDir } from "../../src/experiment/sweep-runner.js";
import { expandGrid, parseSweepConfig, pointTrainConfig } from "../../src/experiment/sweep-config.js";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { LimitError } from "../../src/hal/limits.js";
import { WearStore } from "../../src/wear/store.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import { SimulatedCrossbar } from "../../sim/crossbar/simulated-crossbar.js";
import { IDEAL_PERIPHERALS } from "../../sim/crossbar/peripherals.js";
import { PRESETS } from "../../sim/devices/presets.js";
import { RecordingBackend, total } from "./recording-backend.js";
import { readDocs, smallCrossbarConfig } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "mhil-one-stack-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const DEVICE = "sim:reram?rows=32&cols=32&seed=5";
let dirs = 0;
const fresh = (name: string) => join(work, `${name}-${++dirs}`);
const backend = () => new RecordingBackend(simCrossbarFromUri(parseDeviceUri(DEVICE)));
const storedPulses = (store: WearStore) => (JSON.parse(readFileSync(store.fileFor("sim-reram-32x32-seed5"), "utf8")) as { pulses: number[] }).pulses;

/** The three commands, each on `rec` with wear counted in `store` and the stop-on-trip policy as given. */
const commands: Record<string, (rec: RecordingBackend, store: WearStore, stopOnTrip: boolean) => Promise<unknown>> = {
  train: (rec, store, stopOnTrip) => runTraining({ config: smallCrossbarConfig({ epochs: 2 }), deviceUri: DEVICE, outDir: fresh("train"), crossbar: rec, wear: { store }, stopOnTrip }),
  calibrate: (rec, store, stopOnTrip) => calibrateDevice(rec, { wear: { store }, stopOnTrip }, { ...DEFAULT_PLAN, procedure: "pulse", cells: 4, pulsesPerSweep: 60 }),
  "sweep point": async (rec, store, stopOnTrip) => {
    const sweepDir = fresh("sweep");
    const sweep = parseSweepConfig({ name: "one", device: DEVICE, pilot: true, base: { dataset: "toy:2d", weights: "crossbar", layers: [], learningRates: 0.2, testSamples: 0, batchSize: 8 }, grid: { n: [16], classes: [2], labels: ["random"], budgets: [{ epochs: 2 }], seeds: [1] } });
    claimSweepDir(sweepDir, sweep);
    const point = expandGrid(sweep)[0]!;
    const job = { point: { ...point }, budget: point.budget, config: pointTrainConfig(sweep, point), deviceUri: DEVICE, runsDir: join(sweepDir, "runs") };
    await runPoint(job, { crossbar: rec, wear: store, stopOnTrip });
    return join(job.runsDir, point.name);
  },
};

describe("every command opens the device through the one stack", () => {
  for (const [name, run] of Object.entries(commands)) {
    it(`${name}: the wear counts grow by exactly the pulses that reached the backend, cell by cell`, async () => {
      const store = new WearStore(fresh("wear"));
      const rec = backend();
      await run(rec, store, false);
      expect(total(rec.pulses)).toBeGreaterThan(0);
      expect(storedPulses(store)).toEqual(rec.pulses);
      // A second run on the same serial adds to the first's counts.
      const again = backend();
      await run(again, store, false);
      expect(storedPulses(store)).toEqual(rec.pulses.map((p, i) => p + again.pulses[i]!));
    });

    it(`${name}: a compliance trip the backend reports stops it (stop-on-trip), with the tripped batch counted`, async () => {
      const store = new WearStore(fresh("wear"));
      const rec = backend();
      rec.tripFromCall(3);
      const err = await run(rec, store, true).then(() => null, (e: Error) => e);
      expect(err?.name).toBe("ComplianceTripError");
      expect(rec.programCalls).toBe(3); // nothing was pulsed after the trip
      expect(storedPulses(store)).toEqual(rec.pulses);
    });
  }

  it("a sweep point on crossbar weights runs without persistent particles, as mhil train does, unless the sweep sets them", async () => {
    const runDir = (await commands["sweep point"]!(backend(), new WearStore(fresh("wear")), false)) as string;
    expect(JSON.parse(readFileSync(join(runDir, "config.json"), "utf8")).config.persistentParticles).toBe(false);
    expect(readDocs(join(runDir, "records.jsonl")).at(-1)).toMatchObject({ exit_status: "success" });
  });
});

describe("the safety guard on the read paths", () => {
  /** 8×4 cells at gMax = 100 µS on an ideal device, reporting the default read voltage given. */
  const allHigh = (defaultReadVolts?: number) =>
    new RecordingBackend(new SimulatedCrossbar({ rows: 8, cols: 4, seed: 1, device: { ...PRESETS.ideal!.device, initialConductance: "gMax", maxReadVolts: 0.5, complianceAmperes: 30e-6 }, peripherals: { ...IDEAL_PERIPHERALS } }), defaultReadVolts === undefined ? {} : { defaultReadVolts });

  it("a read over the compliance limit through readArray is refused, at the backend's default read voltage", async () => {
    // 100 µS at the reported default 0.4 V draws 40 µA, over the 30 µA limit.
    const stack = await openDeviceStack(allHigh(0.4), { stopOnTrip: true });
    await expect(stack.crossbar.readArray()).rejects.toThrow(CurrentOverLimitError);
    await expect(stack.crossbar.readArray()).rejects.toThrow(/measured current 4\.000e-5 A in reading the array is over the 0\.00003 A limit/);
    await expect(stack.crossbar.readCell(0, 0)).rejects.toThrow(CurrentOverLimitError);
    // At 0.2 V the same cells draw 20 µA: below the limit, passed.
    await expect(stack.crossbar.readArray(0.2)).resolves.toBeDefined();
    await stack.close();
  });

  it("a backend that does not report its default read voltage is checked at the largest it may use", async () => {
    const stack = await openDeviceStack(allHigh(), { stopOnTrip: true });
    await expect(stack.crossbar.readArray()).rejects.toThrow(/measured current 5\.000e-5 A in reading the array/);
    const low = await openDeviceStack(allHigh(0.25), { stopOnTrip: true });
    await expect(low.crossbar.readArray()).resolves.toBeDefined(); // 25 µA at the reported 0.25 V
    await stack.close();
    await low.close();
  });

  it("a read voltage above the device's limit is refused before it reaches the backend, whatever the policy", async () => {
    const rec = allHigh(0.2);
    const stack = await openDeviceStack(rec);
    await expect(stack.crossbar.readArray(0.6)).rejects.toThrow(LimitError);
    expect(rec.readArrayCalls).toBe(0);
    await stack.close();
  });
});
