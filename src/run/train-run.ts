// One training run, start to stop: opens the device, trains epoch by epoch, writes the run directory.
import { join } from "node:path";
import type { Crossbar, DeviceIdentity } from "../hal/crossbar.js";
import { openDeviceStack, type DeviceStack, type WearPolicy } from "../backends/device-stack.js";
import { ACTIVITIES, EnergyLedger } from "../energy/ledger.js";
import { HostEnergyMeter } from "../energy/host-power.js";
import { Rng } from "../random/rng.js";
import type { TrainConfig } from "../train/config.js";
import { TrainingSession, type EpochResult, type SessionCheckpoint } from "../train/session.js";
import { RunRecords } from "./records.js";
import { createRunDir, MetricsCsv, writeJsonFile } from "./run-dir.js";
import { gitProvenance } from "./provenance.js";
import { summarizeRun } from "./summarize-run.js";
import type { TrainingSummary } from "./summary.js";
import type { TelemetryFactory, TelemetryLike } from "./telemetry.js";
import { yieldToEventLoop } from "../backends/responsive-crossbar.js";
import { cutJournalAfterEpoch, cutMetricsAfterEpoch, type ResumePoint } from "./resume.js";
import { DeviceEvents, type DeviceEvent } from "../backends/device-events.js";

export type { TrainingSummary } from "./summary.js";
export type { TelemetryFactory, TelemetryLike } from "./telemetry.js";

export const RUN_SCHEMA_VERSION = 1;

export type ProgressEvent =
  | { kind: "start"; runDir: string; epochs: number; samples: number; description: string }
  | { kind: "batch"; epoch: number; epochs: number; batch: number; batches: number; loss: number; accuracy: number; deviceJoules: number }
  | { kind: "epoch"; epochs: number; result: EpochResult; deviceJoules: number }
  | { kind: "evaluate" };

export interface RunTrainingOptions {
  config: TrainConfig;
  /** The device the run uses (recorded; opened unless `crossbar` is given or weights are ideal). */
  deviceUri: string;
  /** Parent folder of run directories (e.g. ./runs). */
  outDir: string;
  /** Name of the run directory inside outDir (default <utc-timestamp>-<short-id>). */
  runDirName?: string;
  telemetry?: TelemetryFactory;
  onProgress?: (e: ProgressEvent) => void;
  /** Aborting stops the run at the next safe point (between batches), with stop status "aborted". */
  signal?: AbortSignal;
  /** A device already open (e.g. wrapped by the caller). The caller keeps ownership and closes it. */
  crossbar?: Crossbar;
  /** Where host RAPL counters live (default /sys/class/powercap). */
  powercapRoot?: string;
  /**
   * Continue a run from its last checkpoint (readResumePoint(runDir)); `config` must be the run's own.
   * The run directory is reused (outDir and runDirName are ignored); a new start record says what it resumes.
   */
  resume?: ResumePoint;
  /** Count every cell's pulses in this store (per device serial) and refuse past the endurance unless allowWorn. */
  wear?: WearPolicy;
  /** What the device's driver reports (link lost, another device): each becomes a "device" record event. */
  deviceEvents?: DeviceEvents;
  /**
   * Stop safely at a compliance trip or a measured current over the device's compliance limit (a device
   * event and a failed stop record). Off by default: some boards (Firmata) cut pulses at compliance routinely.
   */
  stopOnTrip?: boolean;
}

/** The run was stopped by its abort signal; the run directory holds a stop record with status "aborted". */
export class RunAbortedError extends Error {
  readonly exitCode = 130;
  constructor(readonly runDir: string, readonly reason: string, readonly epochsCompleted: number) {
    super(`run aborted (${reason}) after ${epochsCompleted} complete epoch(s); run directory ${runDir} (stop record: aborted)`);
    this.name = "RunAborted";
  }
}

const METRIC_COLUMNS = [
  "epoch", "train_loss", "train_accuracy", "updates", "pulses", "weight_path_l1", "prequential_bits", "samples",
  "device_joules_total", "device_joules_learning", "device_joules_overhead", ...ACTIVITIES.map((a) => `joules_${a}` as const),
  "host_cpu_joules", "wall_seconds", "stopped",
] as const;

/**
 * The config's stopAtTrainAccuracy, judged as the summary will judge it (relaxed from rest), and only once
 * the running accuracy says it may hold: the evaluation is itself relaxation reads on a device.
 */
async function reachedTarget(session: TrainingSession, result: EpochResult): Promise<boolean> {
  const target = session.config.stopAtTrainAccuracy;
  if (target === null || result.trainAccuracy < target) return false;
  return (await session.evaluate("train")).accuracy >= target;
}

/**
 * Runs one training to completion. Validation (config, dataset, device URI) happens before the run
 * directory is created, so a refused input leaves no directory; from then on every exit writes a
 * stop record: success, aborted (signal) or failed (the error's message), and the device is left safe.
 */
export async function runTraining(opts: RunTrainingOptions): Promise<TrainingSummary> {
  const { config } = opts;
  const started = performance.now();
  const wallSeconds = () => (performance.now() - started) / 1000;
  const hostMeter = new HostEnergyMeter(opts.powercapRoot);
  hostMeter.start();

  // --- everything that can refuse the input, before the run directory exists ---
  // The driver's progress messages (a serial link lost, another device) become device record events.
  const deviceEvents = opts.deviceEvents ?? new DeviceEvents();
  // Device events before the records exist (a wear warning at open) wait here until they do.
  const earlyDeviceEvents: DeviceEvent[] = [];
  let recordDeviceEvent = (e: DeviceEvent) => void earlyDeviceEvents.push(e);
  const unsubscribeDevice = deviceEvents.subscribe((e) => recordDeviceEvent(e));
  let stack: DeviceStack | null = null;
  const ledger = new EnergyLedger();
  const rng = new Rng(config.seed);
  let session: TrainingSession;
  let identity: DeviceIdentity | null = null;
  let restoreJoulesNow = 0;
  try {
    if (config.weights === "crossbar") {
      stack = await openDeviceStack(opts.crossbar ?? opts.deviceUri, { ...(opts.wear ? { wear: opts.wear } : {}), stopOnTrip: opts.stopOnTrip === true, events: deviceEvents });
      identity = stack.identity;
    }
    const cp = opts.resume?.checkpoint;
    session = await TrainingSession.create({ config, crossbar: stack?.crossbar ?? null, ledger, rng, ...(cp ? { checkpoint: cp.session as SessionCheckpoint } : {}) });
    if (cp) {
      rng.setState(cp.rng);
      // What putting the checkpoint back on the device cost (nothing on the simulator, whose state the
      // checkpoint carries; re-writing the weights on hardware) is reported beside the total, so a resumed
      // run's E_learn and total are the uninterrupted run's.
      restoreJoulesNow = ledger.deviceTotalJoules();
      ledger.restore(cp.ledger);
    }
  } catch (e) {
    hostMeter.stop();
    unsubscribeDevice();
    await stack?.close().catch(() => undefined);
    throw e;
  }
  const crossbar = stack?.crossbar ?? null;

  // --- the run directory; from here every path writes a stop record ---
  const runDir = opts.resume ? opts.resume.runDir : createRunDir(opts.outDir, opts.runDirName);
  // The journal goes back to the checkpoint before it reopens. What the attempt this resume replaces spent
  // after its checkpoint (up to its last journaled batch) is real joules, redone now: reported beside the
  // total rather than in it.
  let interruptedNow = 0;
  if (opts.resume) {
    const cut = cutJournalAfterEpoch(runDir, opts.resume.checkpoint.epoch);
    if (cut.lastDeviceJoules !== null) interruptedNow = Math.max(0, cut.lastDeviceJoules - new EnergyLedger(opts.resume.checkpoint.ledger).deviceTotalJoules());
  }
  const interruptedTotal = (opts.resume?.interruptedJoulesBefore ?? 0) + interruptedNow;
  const git = gitProvenance();
  const dataset = session.dataset;
  if (!opts.resume) writeJsonFile(join(runDir, "config.json"), {
    schema_version: RUN_SCHEMA_VERSION,
    config,
    device_uri: opts.deviceUri,
    backend: identity ?? { backend: "ideal", note: "weights: ideal (float weights in memory); no device opened" },
    git_commit: git.commit,
    git_dirty: git.dirty,
    dataset: dataset.description,
    node_version: process.version,
    created_iso: new Date().toISOString(),
  });
  const records = new RunRecords(join(runDir, "records.jsonl"), {
    plan_name: "train",
    run_dir: runDir,
    device_uri: opts.deviceUri,
    weights: config.weights,
    backend: identity ? { backend: identity.backend, model: identity.model, serial: identity.serial, firmware: identity.firmwareVersion } : { backend: "ideal" },
    git_commit: git.commit,
    seed: config.seed,
    epochs: config.epochs,
    dataset: dataset.description,
    label_mode: config.labels,
    ...(opts.resume ? { resumed_from: { run_start: opts.resume.previousStart, checkpoint: opts.resume.checkpointName, interrupted_joules: interruptedNow, restore_joules: restoreJoulesNow } } : {}),
  });
  records.descriptor("primary", {
    epoch: { dtype: "integer" },
    train_loss: { dtype: "number", description: "mean ½‖ρ(o) − onehot(y)‖² at the free fixed point" },
    train_accuracy: { dtype: "number", description: "running free-phase accuracy" },
    updates: { dtype: "integer" },
    pulses: { dtype: "integer" },
    weight_path_l1: { dtype: "number", description: "Σ‖Δθ‖₁, weight units" },
    prequential_bits: { dtype: "number", units: "bit" },
    samples: { dtype: "integer", description: "samples trained on this epoch" },
    device_joules_total: { dtype: "number", units: "J", description: "cumulative ledger total" },
    host_cpu_joules: { dtype: "number", units: "J", description: "cumulative RAPL, null when unavailable" },
    checkpoint: { dtype: "string" },
  });
  // Device events (wear, link) go to their own stream, declared at the first one so quiet runs look as before.
  let deviceStream = false;
  let linkPaused = false;
  recordDeviceEvent = (e) => {
    if (records.isStopped) return;
    if (e.kind === "link_lost") linkPaused = true;
    if (!deviceStream) {
      records.descriptor("device", { kind: { dtype: "string" }, message: { dtype: "string" } });
      deviceStream = true;
    }
    records.event("device", { kind: e.kind, message: e.message });
  };
  for (const e of earlyDeviceEvents) recordDeviceEvent(e);
  if (opts.resume) cutMetricsAfterEpoch(join(runDir, "metrics.csv"), opts.resume.checkpoint.epoch);
  const metrics = new MetricsCsv(join(runDir, "metrics.csv"), METRIC_COLUMNS, opts.resume !== undefined);
  const writeEnergy = () =>
    writeJsonFile(join(runDir, "energy.json"), { ...ledger.summary(), host_cpu: hostMeter.reading(), snapshot: ledger.snapshot() });

  let telemetry: TelemetryLike | null = null;
  const epochs: EpochResult[] = opts.resume ? [...opts.resume.epochs] : [];
  const stopReason = () => String(opts.signal?.reason instanceof Error ? opts.signal.reason.message : (opts.signal?.reason ?? "aborted"));
  try {
    telemetry = opts.telemetry ? await opts.telemetry(runDir, records.startUid, identity) : null;
    opts.onProgress?.({ kind: "start", runDir, epochs: config.epochs, samples: dataset.trainY.length, description: dataset.description });
    const shouldStop = () => opts.signal?.aborted === true;

    // A run killed after the epoch that reached its target: the uninterrupted run stopped there.
    let reached = opts.resume && epochs.length > 0 ? await reachedTarget(session, epochs[epochs.length - 1]!) : false;
    for (let epoch = epochs.length + 1; epoch <= config.epochs && !reached; epoch++) {
      await yieldToEventLoop(); // a signal that arrived during the last epoch is seen here at the latest
      if (shouldStop()) break;
      const result = await session.runEpoch((p) => {
        if (linkPaused) {
          // A batch finished after the link was lost: the driver found the same device again and went on.
          linkPaused = false;
          recordDeviceEvent({ kind: "link_restored", message: `link back to the same device (serial ${identity?.serial ?? "?"}); resumed at epoch ${p.epoch}, batch ${p.batch}` });
        }
        const deviceJoules = ledger.deviceTotalJoules();
        opts.onProgress?.({ kind: "batch", epoch: p.epoch, epochs: config.epochs, batch: p.batch, batches: p.batches, loss: p.loss, accuracy: p.accuracy, deviceJoules });
        telemetry?.trainBatch({ epoch: p.epoch, batch: p.batch, batches: p.batches, loss: p.loss, accuracy: p.accuracy, deviceJoules, pulses: p.pulses });
      }, shouldStop);
      if (result.stopped) break; // a cut-short epoch is not a completed epoch: no checkpoint, no event
      epochs.push(result);
      hostMeter.sample();
      const checkpointName = `checkpoints/epoch-${result.epoch}.json`;
      writeJsonFile(join(runDir, checkpointName), {
        schema_version: RUN_SCHEMA_VERSION,
        run_start: records.startUid,
        epoch: result.epoch,
        session: await session.checkpoint(),
        ledger: ledger.snapshot(),
        rng: rng.getState(),
      });
      const s = ledger.summary();
      const host = hostMeter.reading().joules;
      const row = {
        epoch: result.epoch,
        train_loss: result.trainLoss,
        train_accuracy: result.trainAccuracy,
        updates: result.updates,
        pulses: result.pulses,
        weight_path_l1: result.weightPathL1,
        prequential_bits: result.prequentialBits,
        samples: result.samples,
        device_joules_total: s.total_joules,
        host_cpu_joules: host,
      };
      // The journal and metrics first, the record event last: the event is what makes the checkpoint count
      // on resume, and whatever was written for a later epoch is cut back then (cutJournalAfterEpoch).
      telemetry?.trainEpoch({ ...row, epoch: result.epoch, trainLoss: result.trainLoss, trainAccuracy: result.trainAccuracy, updates: result.updates, pulses: result.pulses, weightPathL1: result.weightPathL1, prequentialBits: result.prequentialBits, deviceJoules: s.total_joules, joulesByActivity: s.by_activity_joules, hostCpuJoules: host, wallSeconds: wallSeconds() });
      if (crossbar) {
        telemetry?.deviceHealth({ safe: await crossbar.isSafe(), deviceSeconds: ledger.deviceSeconds(), pulses: epochs.reduce((a, e) => a + e.pulses, 0) });
      }
      metrics.row({
        ...row,
        device_joules_learning: s.learning_joules,
        device_joules_overhead: s.overhead_joules,
        ...Object.fromEntries(ACTIVITIES.map((a) => [`joules_${a}`, s.by_activity_joules[a]])),
        wall_seconds: wallSeconds(),
        stopped: false,
      });
      writeEnergy();
      records.event("primary", { ...row, checkpoint: checkpointName });
      opts.onProgress?.({ kind: "epoch", epochs: config.epochs, result, deviceJoules: s.total_joules });
      reached = await reachedTarget(session, result);
    }

    if (shouldStop()) {
      const reason = stopReason();
      if (crossbar) ledger.record("reset", await crossbar.reset());
      hostMeter.stop();
      writeEnergy();
      records.stop("aborted", reason);
      throw new RunAbortedError(runDir, reason, epochs.length);
    }

    opts.onProgress?.({ kind: "evaluate" });
    const train = await session.evaluate("train");
    const test = dataset.testY.length > 0 ? await session.evaluate("test") : null;
    hostMeter.stop();
    const summary = summarizeRun({ config, deviceUri: opts.deviceUri, runDir, session, ledger, hostMeter, epochs, train, test, wallSeconds: wallSeconds(), interruptedJoules: interruptedTotal, restoreJoules: (opts.resume?.restoreJoulesBefore ?? 0) + restoreJoulesNow });
    writeEnergy();
    writeJsonFile(join(runDir, "summary.json"), summary);
    telemetry?.bits({
      lowerBits: summary.bits_learned.lower.bits,
      lowerMethod: summary.bits_learned.lower.method,
      estimateBits: summary.bits_learned.estimate?.bits ?? null,
      upperBits: summary.bits_learned.upper.bits,
      upperMethod: summary.bits_learned.upper.method,
      joulesPerBitLowerEnd: summary.joules_per_bit.lower_end.value,
      joulesPerBitUpperEnd: summary.joules_per_bit.upper_end.value,
    });
    records.stop("success", `completed ${epochs.length} epoch(s)`);
    return summary;
  } catch (e) {
    if (!records.isStopped) {
      const message = (e as Error)?.message ?? String(e);
      if ((e as Error)?.name === "DeviceMismatchError") recordDeviceEvent({ kind: "device_refused", message });
      if (crossbar) {
        try {
          ledger.record("reset", await crossbar.reset());
        } catch {
          // the device may be the failure; close() below still tries to leave it safe
        }
      }
      hostMeter.stop();
      writeEnergy();
      records.stop("failed", message);
    }
    throw e;
  } finally {
    hostMeter.stop();
    unsubscribeDevice();
    if (telemetry) await telemetry.close();
    await stack?.close();
  }
}
