// Adapts what a training run reports (src/run/telemetry.ts: cumulative joules, no epoch on bits/health) to the
// telemetry schema (per-batch and per-epoch joules, every point tagged with the run and keyed by its epoch and
// batch, src/telemetry/keys.ts). The adapter speaks the run's own telemetry interface: its point types come
// from src/run, not copies; src/run does not import telemetry.
import type { BatchPoint, BitsPoint, DeviceHealthPoint, EpochPoint, TelemetryStart } from "../run/telemetry.js";
import { wallMicros } from "./clock.js";
import { openTelemetry, type Telemetry, type TelemetryOptions } from "./index.js";
import { loadCredentials, parseInfluxUrl } from "./influxTarget.js";
import { batchTime, epochTime } from "./keys.js";

/** What `mhil train --influx ...` passes down; everything but the run's own identity. */
export type RunTelemetrySettings = Omit<TelemetryOptions, "runDir" | "runId" | "device" | "backend">;

/** The device as the run knows it (DeviceIdentity's relevant part), or null for ideal weights. */
export interface RunDevice {
  backend: string;
  model: string;
  serial: string;
}

/** The device tag: model and serial, bounded per bench. */
export function deviceTag(d: RunDevice | null): string {
  return d ? `${d.model}/${d.serial}` : "ideal";
}

/** A run that starts now, from nothing. */
export function freshStart(): TelemetryStart {
  return { timeOriginMicros: wallMicros(), baseline: { epoch: 0, deviceJoules: 0, joulesByActivity: {}, pulses: 0 } };
}

/** The run-facing telemetry: turns cumulative figures into per-batch and per-epoch ones, at keyed times. */
export class RunTelemetryAdapter {
  private readonly origin: number;
  private lastBatchJoules: number;
  private lastEpochJoules: number;
  private lastEpochByActivity: Record<string, number>;
  private epoch: number;
  private pulses: number;

  /** `start`: the run's time origin and, for a resumed run, its figures at the checkpoint. */
  constructor(readonly telemetry: Telemetry, start: TelemetryStart = freshStart()) {
    const b = start.baseline;
    this.origin = start.timeOriginMicros;
    this.epoch = b.epoch;
    this.lastBatchJoules = b.deviceJoules;
    this.lastEpochJoules = b.deviceJoules;
    this.lastEpochByActivity = { ...b.joulesByActivity };
    this.pulses = b.pulses;
  }

  trainBatch(p: BatchPoint): void {
    this.epoch = p.epoch;
    if (p.pulses !== undefined) this.pulses += p.pulses;
    this.telemetry.trainBatch({
      timeMicros: batchTime(this.origin, p.epoch, p.batch),
      epoch: p.epoch,
      batch: p.batch,
      loss: p.loss,
      accuracy: p.accuracy,
      totalJoules: p.deviceJoules - this.lastBatchJoules,
      deviceJoulesSoFar: p.deviceJoules,
      ...(p.pulses !== undefined ? { pulses: p.pulses, pulsesTotal: this.pulses } : {}),
    });
    this.lastBatchJoules = p.deviceJoules;
  }

  trainEpoch(p: EpochPoint): void {
    this.epoch = p.epoch;
    const byActivity: Record<string, number> = {};
    for (const [a, j] of Object.entries(p.joulesByActivity)) byActivity[a] = j - (this.lastEpochByActivity[a] ?? 0);
    this.telemetry.trainEpoch({
      timeMicros: epochTime(this.origin, p.epoch),
      epoch: p.epoch,
      loss: p.trainLoss,
      trainAccuracy: p.trainAccuracy,
      energyJoulesByActivity: byActivity,
      totalJoules: p.deviceJoules - this.lastEpochJoules,
      pulses: p.pulses,
      updates: p.updates,
      weightPathL1: p.weightPathL1,
      prequentialBits: p.prequentialBits,
      hostCpuJoules: p.hostCpuJoules,
      wallSeconds: p.wallSeconds,
      deviceJoulesSoFar: p.deviceJoules,
    });
    this.lastEpochJoules = p.deviceJoules;
    this.lastBatchJoules = p.deviceJoules;
    this.lastEpochByActivity = { ...p.joulesByActivity };
  }

  bits(p: BitsPoint): void {
    this.telemetry.bits({
      timeMicros: epochTime(this.origin, this.epoch),
      epoch: this.epoch,
      lowerBits: p.lowerBits,
      estimateBits: p.estimateBits,
      upperBits: p.upperBits,
      joulesPerBitLower: p.joulesPerBitLowerEnd,
      joulesPerBitUpper: p.joulesPerBitUpperEnd,
      lowerMethod: p.lowerMethod,
      upperMethod: p.upperMethod,
    });
  }

  deviceHealth(p: DeviceHealthPoint): void {
    this.telemetry.deviceHealth({ timeMicros: epochTime(this.origin, this.epoch), epoch: this.epoch, safe: p.safe, deviceSeconds: p.deviceSeconds, pulseCount: p.pulses, link: p.link });
  }

  async close(): Promise<void> {
    await this.telemetry.close();
  }
}

/**
 * A telemetry factory for runTraining (`telemetry:` option): journals every run, and ships it when
 * settings.influxUrl is set. Messages go to settings.log (default stderr). A malformed URL or credentials
 * file throws TelemetryConfigError here, before any run directory exists.
 */
export function runTelemetryFactory(settings: RunTelemetrySettings = {}): (runDir: string, runId: string, device: RunDevice | null, start?: TelemetryStart) => Promise<RunTelemetryAdapter> {
  if (settings.influxUrl !== undefined) parseInfluxUrl(settings.influxUrl, loadCredentials(settings.credentialsFile, settings.env));
  return async (runDir, runId, device, start) =>
    new RunTelemetryAdapter(await openTelemetry({ ...settings, runDir, runId, device: deviceTag(device), backend: device?.backend ?? "none" }), start ?? freshStart());
}
