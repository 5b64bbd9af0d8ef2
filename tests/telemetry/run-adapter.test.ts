// The run adapter: the run's cumulative joules become per-batch and per-epoch joules; a resumed run continues
// from the journal's last epoch instead of counting the whole run again.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { runTelemetryFactory, readRunBaseline } from "../../src/telemetry/runAdapter.js";
import { parseLine, IntegerField } from "../../src/telemetry/lineProtocol.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function points(runDir: string, measurement: string): Array<Record<string, unknown>> {
  return readFileSync(join(runDir, "telemetry.lp"), "utf8")
    .trim()
    .split("\n")
    .filter((l) => l.startsWith(measurement + ","))
    .map((l) => Object.fromEntries(Object.entries(parseLine(l).fields).map(([k, v]) => [k, v instanceof IntegerField ? v.value : v])));
}

const device = { backend: "sim", model: "reram", serial: "s1" };
const epochPoint = (epoch: number, deviceJoules: number, program: number) => ({
  epoch, trainLoss: 0.5, trainAccuracy: 0.5, updates: 2, pulses: 10, weightPathL1: 1, prequentialBits: 3,
  deviceJoules, joulesByActivity: { freeRead: deviceJoules - program, program }, hostCpuJoules: null, wallSeconds: epoch,
});

it("turns cumulative run joules into per-batch and per-epoch joules, and resumes from the journal", async () => {
  const runDir = mkdtempSync(join(tmpdir(), "mhil-adapter-"));
  dirs.push(runDir);
  const factory = runTelemetryFactory({});
  const a = await factory(runDir, "r1", device);
  a.trainBatch({ epoch: 1, batch: 1, loss: 1, accuracy: 0, deviceJoules: 2, pulses: 4 });
  a.trainBatch({ epoch: 1, batch: 2, loss: 1, accuracy: 0, deviceJoules: 5, pulses: 6 });
  a.trainEpoch(epochPoint(1, 5, 3));
  a.deviceHealth({ safe: true, deviceSeconds: 0.5, pulses: 10 });
  await a.close();
  expect(readRunBaseline(runDir)).toEqual({ epoch: 1, deviceJoules: 5, joulesByActivity: { freeRead: 2, program: 3 } });

  // Resumed from the epoch-1 checkpoint: cumulative figures continue from 5 J.
  const b = await factory(runDir, "r1", device);
  b.trainBatch({ epoch: 2, batch: 1, loss: 1, accuracy: 0, deviceJoules: 9 });
  b.trainEpoch(epochPoint(2, 12, 7));
  b.bits({ lowerBits: 1, lowerMethod: "fano", estimateBits: null, upperBits: 4, upperMethod: "n log2 C", joulesPerBitLowerEnd: 3, joulesPerBitUpperEnd: 12 });
  await b.close();

  expect(points(runDir, "train_batch").map((p) => p.total_joules)).toEqual([2, 3, 4]);
  // Pulses per batch when the run reports them; their running sum within each process.
  expect(points(runDir, "train_batch").map((p) => [p.pulses, p.pulses_total])).toEqual([[4, 4], [6, 10], [undefined, undefined]]);
  const epochs = points(runDir, "train_epoch");
  expect(epochs.map((p) => [p.total_joules, p.free_read_joules, p.program_joules])).toEqual([[5, 2, 3], [7, 3, 4]]);
  expect(points(runDir, "device_health")).toEqual([{ epoch: 1, pulse_count: 10, safe: true, device_seconds: 0.5 }]);
  expect(points(runDir, "bits")).toEqual([{ epoch: 2, lower_bits: 1, upper_bits: 4, joules_per_bit_lower: 3, joules_per_bit_upper: 12, lower_method: "fano", upper_method: "n log2 C" }]);
});
