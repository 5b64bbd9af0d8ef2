// runTraining's exits: success, aborted by its signal, failed by an error; each leaves exactly one stop record.
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTrainConfig } from "../../src/train/config.js";
import { RunAbortedError, runTraining } from "../../src/run/train-run.js";
import type { TelemetryLike } from "../../src/run/telemetry.js";

const work = mkdtempSync(join(tmpdir(), "mhil-train-run-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const readDocs = (file: string) => readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
const small = (over: Record<string, unknown> = {}) =>
  parseTrainConfig({ dataset: "mnist:7x7", samples: 100, testSamples: 50, layers: [16], batchSize: 10, epochs: 3, weights: "ideal", ...over }, "test");

/** Telemetry that keeps what it is given, optionally failing on an epoch. */
function keepingTelemetry(failOnEpoch?: number) {
  const seen = { batches: 0, epochs: [] as number[], bits: 0, closed: false, runIds: [] as string[] };
  const factory = async (_dir: string, runId: string): Promise<TelemetryLike> => {
    seen.runIds.push(runId);
    return {
      trainBatch: () => void seen.batches++,
      trainEpoch: (p) => {
        if (p.epoch === failOnEpoch) throw new Error("telemetry journal: disk full");
        seen.epochs.push(p.epoch);
      },
      bits: () => void seen.bits++,
      deviceHealth: () => undefined,
      close: async () => void (seen.closed = true),
    };
  };
  return { seen, factory };
}

describe("runTraining", () => {
  it("success: telemetry gets every batch and epoch, the stop says success", async () => {
    const t = keepingTelemetry();
    const s = await runTraining({ config: small(), deviceUri: "sim:", outDir: join(work, "ok"), runDirName: "run-a", telemetry: t.factory });
    expect(s.run_dir).toBe(join(work, "ok", "run-a"));
    expect(s.status).toBe("success");
    expect(s.epochs).toBe(3);
    expect(s.updates).toBe(30);
    expect(t.seen).toMatchObject({ batches: 30, epochs: [1, 2, 3], bits: 1, closed: true });
    const docs = readDocs(join(s.run_dir, "records.jsonl"));
    expect(t.seen.runIds).toEqual([docs[0].uid]);
    expect(docs.at(-1)).toMatchObject({ exit_status: "success", num_events: { primary: 3 } });
  });

  it("aborted by its signal: RunAbortedError, stop aborted with the reason, checkpoints of completed epochs only", async () => {
    const ac = new AbortController();
    const promise = runTraining({
      config: small({ epochs: 10 }),
      deviceUri: "sim:",
      outDir: join(work, "abort"),
      signal: ac.signal,
      onProgress: (e) => {
        if (e.kind === "epoch" && e.result.epoch === 2) ac.abort(new Error("operator asked"));
      },
    });
    const err = await promise.catch((e) => e);
    expect(err).toBeInstanceOf(RunAbortedError);
    expect(err.epochsCompleted).toBe(2);
    const dir = join(work, "abort", readdirSync(join(work, "abort"))[0]!);
    expect(readDocs(join(dir, "records.jsonl")).at(-1)).toMatchObject({ exit_status: "aborted", reason: "operator asked", num_events: { primary: 2 } });
    expect(readdirSync(join(dir, "checkpoints")).sort()).toEqual(["epoch-1.json", "epoch-2.json"]);
    expect(existsSync(join(dir, "summary.json"))).toBe(false);
    const cp = JSON.parse(readFileSync(join(dir, "checkpoints", "epoch-2.json"), "utf8"));
    expect(cp).toHaveProperty("session");
    expect(cp.rng.s).toHaveLength(4);
  });

  it("failed: an error mid-run writes stop failed with its message and is rethrown", async () => {
    const t = keepingTelemetry(2);
    const err = await runTraining({ config: small(), deviceUri: "sim:", outDir: join(work, "fail"), telemetry: t.factory }).catch((e) => e);
    expect(err.message).toBe("telemetry journal: disk full");
    const dir = join(work, "fail", readdirSync(join(work, "fail"))[0]!);
    expect(readDocs(join(dir, "records.jsonl")).at(-1)).toMatchObject({ exit_status: "failed", reason: "telemetry journal: disk full" });
    expect(existsSync(join(dir, "energy.json"))).toBe(true);
    expect(t.seen.closed).toBe(true);
  });

  it("refused input (dataset) fails before any run directory exists", async () => {
    const out = join(work, "refused");
    await expect(runTraining({ config: small({ dataset: "csv:/no/such/file.csv" }), deviceUri: "sim:", outDir: out })).rejects.toThrow(/\/no\/such\/file\.csv/);
    expect(existsSync(out)).toBe(false);
  });

  it("a bad device URI is refused before any run directory exists", async () => {
    const out = join(work, "refused-device");
    await expect(runTraining({ config: small({ weights: "crossbar" }), deviceUri: "sim:nosuchpreset", outDir: out })).rejects.toThrow(/unknown preset "nosuchpreset"/);
    expect(existsSync(out)).toBe(false);
  });
});

describe("resume", () => {
  it("an aborted run resumed from its checkpoint ends where the uninterrupted run ends", async () => {
    const { readResumePoint } = await import("../../src/run/resume.js");
    const config = small({ epochs: 4, shuffle: true });
    const whole = await runTraining({ config, deviceUri: "sim:", outDir: join(work, "resume"), runDirName: "whole" });
    const ac = new AbortController();
    await runTraining({
      config,
      deviceUri: "sim:",
      outDir: join(work, "resume"),
      runDirName: "cut",
      signal: ac.signal,
      onProgress: (e) => {
        if (e.kind === "epoch" && e.result.epoch === 2) ac.abort(new Error("killed"));
      },
    }).catch((e) => expect(e).toBeInstanceOf(RunAbortedError));
    const point = readResumePoint(join(work, "resume", "cut"));
    expect(point.checkpointName).toBe("checkpoints/epoch-2.json");
    expect(point.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    const resumed = await runTraining({ config, deviceUri: "sim:", outDir: "unused", resume: point });
    expect(resumed.run_dir).toBe(join(work, "resume", "cut"));
    expect(resumed.epochs).toBe(4);
    expect(resumed.accuracy).toEqual(whole.accuracy);
    expect(resumed.bits_learned.estimate).toEqual(whole.bits_learned.estimate);
    expect(resumed.updates).toBe(whole.updates);
    const docs = readDocs(join(resumed.run_dir, "records.jsonl"));
    const starts = docs.filter((d) => d.type === "start");
    const stops = docs.filter((d) => d.type === "stop");
    expect(stops.map((d) => d.exit_status)).toEqual(["aborted", "success"]);
    expect(starts[1].resumed_from).toEqual({ run_start: starts[0].uid, checkpoint: "checkpoints/epoch-2.json", interrupted_joules: 0, restore_joules: 0 });
    expect(stops[1].run_start).toBe(starts[1].uid);
    expect(readFileSync(join(resumed.run_dir, "metrics.csv"), "utf8").trim().split("\n")).toHaveLength(5);
    expect(() => readResumePoint(resumed.run_dir)).toThrow(/already completed/);
  });

  it("a threshold-protocol crossbar run aborted and resumed equals the uninterrupted run: host sums and device state survive", async () => {
    const { readResumePoint } = await import("../../src/run/resume.js");
    const config = small({ epochs: 3, weights: "crossbar", crossbar: { update: "threshold" } });
    const whole = await runTraining({ config, deviceUri: "sim:", outDir: join(work, "resume-threshold"), runDirName: "whole" });
    const ac = new AbortController();
    await runTraining({
      config,
      deviceUri: "sim:",
      outDir: join(work, "resume-threshold"),
      runDirName: "cut",
      signal: ac.signal,
      onProgress: (e) => {
        if (e.kind === "epoch" && e.result.epoch === 1) ac.abort(new Error("killed"));
      },
    }).catch((e) => expect(e).toBeInstanceOf(RunAbortedError));
    const point = readResumePoint(join(work, "resume-threshold", "cut"));
    const cp = point.checkpoint.session as { store: { pending: string[] } };
    // Something is pending on the host at the checkpoint: the test would pass trivially otherwise.
    expect(cp.store.pending.some((p) => Buffer.from(p, "base64").some((byte) => byte !== 0))).toBe(true);
    const resumed = await runTraining({ config, deviceUri: "sim:", outDir: "unused", resume: point });
    expect(resumed.accuracy).toEqual(whole.accuracy);
    expect(resumed.pulses).toBe(whole.pulses);
    expect(resumed.energy_joules.learning).toBeGreaterThan(0);
    expect(resumed.energy_joules.learning).toBe(whole.energy_joules.learning);
    expect(resumed.energy_joules.total).toBe(whole.energy_joules.total);
  });

  it("joules an interrupted attempt spent after its checkpoint are reported beside the total, summed over resumes", async () => {
    const { readResumePoint } = await import("../../src/run/resume.js");
    const { EnergyLedger } = await import("../../src/energy/ledger.js");
    const config = small({ epochs: 3, weights: "crossbar" });
    const out = join(work, "interrupted");
    const dir = join(out, "run");
    /** The ledger total at the checkpoint after epoch `k` (the checkpoint: a source, not a sink). */
    const atCheckpoint = (k: number) => new EnergyLedger(JSON.parse(readFileSync(join(dir, `checkpoints/epoch-${k}.json`), "utf8")).ledger).deviceTotalJoules();
    /** Runs (or resumes) and aborts after batch `batch` of epoch `epoch`; the run's device total then, as it reported it. */
    const abortAt = async (epoch: number, batch: number, resume?: ReturnType<typeof readResumePoint>) => {
      const ac = new AbortController();
      let joules = NaN;
      await runTraining({
        config, deviceUri: "sim:", outDir: out, runDirName: "run", signal: ac.signal, ...(resume ? { resume } : {}),
        onProgress: (e) => {
          if (e.kind === "batch" && e.epoch === epoch && e.batch === batch) {
            joules = e.deviceJoules; // grounding the lines after the abort is added below (its drivers' leakage)
            ac.abort(new Error("operator asked"));
          }
        },
      }).catch((e) => expect(e).toBeInstanceOf(RunAbortedError));
      return joules;
    };
    const first = (await abortAt(2, 5)) - atCheckpoint(1);
    expect(first).toBeGreaterThan(0);
    const second = (await abortAt(3, 3, readResumePoint(dir))) - atCheckpoint(2);
    expect(second).toBeGreaterThan(0);
    const done = await runTraining({ config, deviceUri: "sim:", outDir: out, resume: readResumePoint(dir) });
    // Each aborted attempt also grounded its lines once after the batch it reported: on the simulator a reset costs
    // its drivers' leakage over one settling time, the same every time: one reset of the array the run opened.
    const { openCrossbar } = await import("../../src/backends/open.js");
    const same = await openCrossbar(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).device_uri);
    const r = (await same.reset()).energy;
    await same.close();
    const perReset = r.cell + r.halfSelected + r.peripheral;
    expect(perReset).toBeGreaterThan(0);
    expect(done.energy_joules.interrupted).toBeCloseTo(first + second + 2 * perReset, 15);
    expect(JSON.parse(readFileSync(join(dir, "energy.json"), "utf8")).interrupted_joules).toBeCloseTo(first + second + 2 * perReset, 15);
    const starts = readDocs(join(dir, "records.jsonl")).filter((d) => d.type === "start");
    const resumedFrom = starts.map((d) => d.resumed_from?.interrupted_joules);
    expect(resumedFrom[0]).toBeUndefined();
    expect(resumedFrom[1]).toBeCloseTo(first + perReset, 15);
    expect(resumedFrom[2]).toBeCloseTo(second + perReset, 15);
  });
});
