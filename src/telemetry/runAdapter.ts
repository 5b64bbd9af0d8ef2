// Adapts what a training run reports (src/run/telemetry.ts: cumulative joules, no epoch on bits/health) to the
// telemetry schema (per-batch and per-epoch joules, every point tagged and numbered by epoch). Structural types
// only: src/run does not import telemetry, and telemetry does not need run's code.
import { openTelemetry, type Telemetry, type TelemetryOptions } from "./index.js";
import { loadCredentials, parseInfluxUrl } from "./influxTarget.js";

/** What `mhil train --influx ...` passes down; everything but the run's own identity. */
export type RunTelemetrySettings = Omit<TelemetryOptions, "runDir" | "runId" | "device" | "backend">;

/** The device as the run knows it (DeviceIdentity's relevant part), or null for ideal weights. */
export interface RunDevice {
  backend: string;
  model: string;
  serial: string;
}

export interface RunBatch {
  epoch: number;
  batch: number;
  loss: number;
  accuracy: number;
  /** Device joules of the run so far. */
  deviceJoules: number;
}

export interface RunEpoch {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  updates: number;
  pulses: number;
  weightPathL1: number;
  prequentialBits: number;
  /** Cumulative, joules. */
  deviceJoules: number;
  joulesByActivity: Record<string, number>;
  hostCpuJoules: number | null;
  wallSeconds: number;
}

export interface RunBits {
  lowerBits: number;
  lowerMethod: string;
  estimateBits: number | null;
  upperBits: number;
  upperMethod: string;
  joulesPerBitLowerEnd: number | null;
  joulesPerBitUpperEnd: number | null;
}

export interface RunDeviceHealth {
  safe: boolean;
  deviceSeconds: number;
  /** Pulses so far. */
  pulses: number;
}

/** The device tag: model and serial, bounded per bench. */
export function deviceTag(d: RunDevice | null): string {
  return d ? `${d.model}/${d.serial}` : "ideal";
}

/** The run-facing telemetry: turns cumulative figures into per-batch and per-epoch ones. */
export class RunTelemetryAdapter {
  private lastBatchJoules = 0;
  private lastEpochJoules = 0;
  private lastEpochByActivity: Record<string, number> = {};
  private epoch = 0;

  constructor(readonly telemetry: Telemetry) {}

  trainBatch(p: RunBatch): void {
    this.epoch = p.epoch;
    this.telemetry.trainBatch({
      epoch: p.epoch,
      batch: p.batch,
      loss: p.loss,
      accuracy: p.accuracy,
      totalJoules: p.deviceJoules - this.lastBatchJoules,
      deviceJoulesSoFar: p.deviceJoules,
    });
    this.lastBatchJoules = p.deviceJoules;
  }

  trainEpoch(p: RunEpoch): void {
    this.epoch = p.epoch;
    const byActivity: Record<string, number> = {};
    for (const [a, j] of Object.entries(p.joulesByActivity)) byActivity[a] = j - (this.lastEpochByActivity[a] ?? 0);
    this.telemetry.trainEpoch({
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

  bits(p: RunBits): void {
    this.telemetry.bits({
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

  deviceHealth(p: RunDeviceHealth): void {
    this.telemetry.deviceHealth({ epoch: this.epoch, safe: p.safe, deviceSeconds: p.deviceSeconds, pulseCount: p.pulses });
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
export function runTelemetryFactory(settings: RunTelemetrySettings = {}): (runDir: string, runId: string, device: RunDevice | null) => Promise<RunTelemetryAdapter> {
  if (settings.influxUrl !== undefined) parseInfluxUrl(settings.influxUrl, loadCredentials(settings.credentialsFile, settings.env));
  return async (runDir, runId, device) =>
    new RunTelemetryAdapter(await openTelemetry({ ...settings, runDir, runId, device: deviceTag(device), backend: device?.backend ?? "none" }));
}
