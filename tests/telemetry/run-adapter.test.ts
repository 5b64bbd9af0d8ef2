// The run adapter: the run's cumulative joules become per-batch and per-epoch joules at keyed times (the run's
// origin + epoch slot + batch); a resumed run continues from the baseline the run gives it (its checkpoint),
// and a redone batch lands on the same key.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { runTelemetryFactory } from "../../src/telemetry/runAdapter.js";
import { parseLine, IntegerField } from "../../src/telemetry/lineProtocol.js";
import { batchTime, epochTime } from "../../src/telemetry/keys.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function points(runDir: string, measurement: string): Array<Record<string, unknown>> {
  return readFileSync(join(runDir, "telemetry.lp"), "utf8")
    .trim()
    .split("\n")
    .filter((l) => l.startsWith(measurement + ","))
    .map((l) => {
      const p = parseLine(l);
      return { ...Object.fromEntries(Object.entries(p.fields).map(([k, v]) => [k, v instanceof IntegerField ? v.value : v])), time: Number(p.timestamp), run: p.tags.run };
    });
}

const device = { backend: "sim", model: "reram", serial: "s1" };
const ORIGIN = 1_800_000_000_000_000;
const epochPoint = (epoch: number, deviceJoules: number, program: number) => ({
  epoch, trainLoss: 0.5, trainAccuracy: 0.5, updates: 2, pulses: 10, weightPathL1: 1, prequentialBits: 3,
  deviceJoules, joulesByActivity: { freeRead: deviceJoules - program, program }, hostCpuJoules: null, wallSeconds: epoch,
});

it("turns cumulative run joules into per-batch and per-epoch joules at keyed times, and resumes from the baseline given", async () => {
  const runDir = mkdtempSync(join(tmpdir(), "mhil-adapter-"));
  dirs.push(runDir);
  const factory = runTelemetryFactory({});
  const fresh = { timeOriginMicros: ORIGIN, baseline: { epoch: 0, deviceJoules: 0, joulesByActivity: {}, pulses: 0 } };
  const a = await factory(runDir, "r1", device, fresh);
  a.trainBatch({ epoch: 1, batch: 1, batches: 2, loss: 1, accuracy: 0, deviceJoules: 2, pulses: 4 });
  a.trainBatch({ epoch: 1, batch: 2, batches: 2, loss: 1, accuracy: 0, deviceJoules: 5, pulses: 6 });
  a.trainEpoch(epochPoint(1, 5, 3));
  a.deviceHealth({ safe: true, deviceSeconds: 0.5, pulses: 10 });
  a.trainBatch({ epoch: 2, batch: 1, batches: 2, loss: 1, accuracy: 0, deviceJoules: 8, pulses: 1 }); // then killed
  await a.close();

  // Resumed from the epoch-1 checkpoint: the run gives its figures there; epoch 2 is redone from batch 1.
  const b = await factory(runDir, "r1", device, { timeOriginMicros: ORIGIN, baseline: { epoch: 1, deviceJoules: 5, joulesByActivity: { freeRead: 2, program: 3 }, pulses: 10 } });
  b.trainBatch({ epoch: 2, batch: 1, batches: 2, loss: 1, accuracy: 0, deviceJoules: 9, pulses: 2 });
  b.trainEpoch(epochPoint(2, 12, 7));
  b.bits({ lowerBits: 1, lowerMethod: "fano", estimateBits: null, upperBits: 4, upperMethod: "n log2 C", joulesPerBitLowerEnd: 3, joulesPerBitUpperEnd: 12 });
  await b.close();

  const batches = points(runDir, "train_batch");
  expect(batches.map((p) => p.total_joules)).toEqual([2, 3, 3, 4]);
  expect(batches.map((p) => p.time)).toEqual([batchTime(ORIGIN, 1, 1), batchTime(ORIGIN, 1, 2), batchTime(ORIGIN, 2, 1), batchTime(ORIGIN, 2, 1)]);
  expect(batchTime(ORIGIN, 2, 1)).toBe(ORIGIN + 2_000_001);
  // The run's pulses so far, across the resume.
  expect(batches.map((p) => [p.pulses, p.pulses_total])).toEqual([[4, 4], [6, 10], [1, 11], [2, 12]]);
  const epochs = points(runDir, "train_epoch");
  expect(epochs.map((p) => [p.total_joules, p.free_read_joules, p.program_joules, p.time])).toEqual([[5, 2, 3, epochTime(ORIGIN, 1)], [7, 3, 4, epochTime(ORIGIN, 2)]]);
  expect(points(runDir, "device_health")).toEqual([{ epoch: 1, pulse_count: 10, safe: true, device_seconds: 0.5, time: epochTime(ORIGIN, 1), run: "r1" }]);
  expect(points(runDir, "bits")).toEqual([{ epoch: 2, lower_bits: 1, upper_bits: 4, joules_per_bit_lower: 3, joules_per_bit_upper: 12, lower_method: "fano", upper_method: "n log2 C", time: epochTime(ORIGIN, 2), run: "r1" }]);
});

it("a batch past the epoch's slot has no key and is refused", async () => {
  expect(() => batchTime(ORIGIN, 1, 999_999)).toThrow(/at most 999998 batches per epoch/);
});
