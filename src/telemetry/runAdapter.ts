// Adapts what a training run reports (src/run/telemetry.ts: cumulative joules, no epoch on bits/health) to the
// telemetry schema (per-batch and per-epoch joules, every point tagged and numbered by epoch). Structural types
// only: src/run does not import telemetry, and telemetry does not need run's code.
// The adapter speaks the run's own telemetry interface: its point types come from src/run, not copies.
import type { BatchPoint, BitsPoint, DeviceHealthPoint, EpochPoint } from "../run/telemetry.js";
import { openTelemetry, type Telemetry, type TelemetryOptions } from "./index.js";
import { loadCredentials, parseInfluxUrl } from "./influxTarget.js";
import { existsSync, readFileSync } from "node:fs";
import { journalPath } from "./journal.js";
import { IntegerField, parseLine } from "./lineProtocol.js";

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

/** Where a resumed run's cumulative figures stood at its last completed epoch, read back from its journal. */
export interface RunBaseline {
  epoch: number;
  deviceJoules: number;
  joulesByActivity: Record<string, number>;
}

const ACTIVITY_FIELD = /^([a-z][a-z0-9_]*)_joules$/;

/** The baseline from a journal's train_epoch points (per-epoch joules summed back up); zero for a new run. */
export function readRunBaseline(runDir: string): RunBaseline {
  const base: RunBaseline = { epoch: 0, deviceJoules: 0, joulesByActivity: {} };
  const path = journalPath(runDir);
  if (!existsSync(path)) return base;
  const lines = readFileSync(path, "utf8").split("\n");
  lines.forEach((line, i) => {
    if (!line.startsWith("train_epoch,") || i === lines.length - 1) return; // the last piece may be torn
    const p = parseLine(line, i + 1);
    const num = (v: unknown) => (v instanceof IntegerField ? v.value : typeof v === "number" ? v : undefined);
    base.epoch = num(p.fields.epoch) ?? base.epoch;
    base.deviceJoules = num(p.fields.device_joules_so_far) ?? base.deviceJoules;
    for (const [k, v] of Object.entries(p.fields)) {
      const m = ACTIVITY_FIELD.exec(k);
      if (!m || k === "total_joules" || typeof v !== "number") continue;
      const activity = m[1]!.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      base.joulesByActivity[activity] = (base.joulesByActivity[activity] ?? 0) + v;
    }
  });
  return base;
}

/** The run-facing telemetry: turns cumulative figures into per-batch and per-epoch ones. */
export class RunTelemetryAdapter {
  private lastBatchJoules: number;
  private lastEpochJoules: number;
  private lastEpochByActivity: Record<string, number>;
  private epoch: number;

  /** `baseline`: a resumed run's figures at its last checkpoint, so the first deltas are not the whole run. */
  constructor(readonly telemetry: Telemetry, baseline: RunBaseline = { epoch: 0, deviceJoules: 0, joulesByActivity: {} }) {
    this.epoch = baseline.epoch;
    this.lastBatchJoules = baseline.deviceJoules;
    this.lastEpochJoules = baseline.deviceJoules;
    this.lastEpochByActivity = { ...baseline.joulesByActivity };
  }

  trainBatch(p: BatchPoint): void {
    this.epoch = p.epoch;
    this.telemetry.trainBatch({
      epoch: p.epoch,
      batch: p.batch,
      loss: p.loss,
      accuracy: p.accuracy,
      totalJoules: p.deviceJoules - this.lastBatchJoules,
      deviceJoulesSoFar: p.deviceJoules,
      ...(p.pulses !== undefined ? { pulses: p.pulses } : {}),
    });
    this.lastBatchJoules = p.deviceJoules;
  }

  trainEpoch(p: EpochPoint): void {
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

  bits(p: BitsPoint): void {
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

  deviceHealth(p: DeviceHealthPoint): void {
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
  return async (runDir, runId, device) => {
    const baseline = readRunBaseline(runDir);
    return new RunTelemetryAdapter(await openTelemetry({ ...settings, runDir, runId, device: deviceTag(device), backend: device?.backend ?? "none" }), baseline);
  };
}
