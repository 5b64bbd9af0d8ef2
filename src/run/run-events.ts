// What a training run says happened, as typed events in the Bluesky document model records.jsonl follows: a
// start, descriptors of the event streams, events (per batch, per epoch, from the device), the checkpoint that
// commits an epoch, and a stop. Each file of the run directory is a sink subscribed to them; no sink is read
// back for a figure: energy comes from the ledger and, on resume, from the checkpoint.
import type { DeviceEvent } from "../backends/device-events.js";
import type { DeviceIdentity, LinkCounters } from "../hal/crossbar.js";
import type { Activity, EnergyLedger } from "../energy/ledger.js";
import type { TrainConfig } from "../train/config.js";
import type { RestoreReport } from "../train/reprogram-drifted.js";
import type { EpochResult } from "../train/session.js";
import type { GitProvenance } from "./provenance.js";
import type { ExitStatus } from "./records.js";
import type { TrainingSummary } from "./summary.js";

/** The ledger's cumulative figures at a point of the run (joules; names as in energy.json). */
export interface EnergyFigures {
  total_joules: number;
  learning_joules: number;
  overhead_joules: number;
  by_activity_joules: Record<Activity, number>;
}

export function energyFigures(ledger: EnergyLedger): EnergyFigures {
  const s = ledger.summary();
  return { total_joules: s.total_joules, learning_joules: s.learning_joules, overhead_joules: s.overhead_joules, by_activity_joules: s.by_activity_joules };
}

/** One completed epoch, as every sink gets it and the checkpoint keeps it for a resume. */
export interface EpochFigures {
  result: EpochResult;
  /** The ledger at the end of the epoch. */
  energy: EnergyFigures;
  /** Cumulative RAPL host energy, null when unavailable. */
  hostCpuJoules: number | null;
  /** Since this attempt started. */
  wallSeconds: number;
  /** Programming pulses of the run so far. */
  pulsesSoFar: number;
  /** What the device's link cost since this attempt opened it; absent on a device with no such link. */
  link?: LinkCounters;
}

/** A resumed attempt: what it resumes, and what the attempts before it spent beside the total. */
export interface ResumedFrom {
  /** The start uid of the attempt that wrote the checkpoint. */
  runStart: string;
  checkpoint: string;
  /** Device joules the attempt this one replaces spent after the checkpoint (redone now). */
  interruptedJoules: number;
  /** Device joules putting the checkpoint back on the device cost this attempt. */
  restoreJoules: number;
  /** How it was put back: the simulator's state loaded, or on hardware the devices read, compared and re-programmed. */
  restored: RestoreReport | null;
}

export interface RunStart {
  runDir: string;
  /** The run's id: its first start document's uid, kept by every resumed attempt (the telemetry `run` tag). */
  runId: string;
  /** This attempt's start document uid (the run id for a new run). */
  attemptUid: string;
  /** Microseconds since the Unix epoch of the run's creation: the origin of its telemetry keys. */
  timeOriginMicros: number;
  config: TrainConfig;
  deviceUri: string;
  identity: DeviceIdentity | null;
  dataset: string;
  trainSamples: number;
  git: GitProvenance;
  resumedFrom: ResumedFrom | null;
  /** Epochs completed before this attempt (from the checkpoint it resumes). */
  history: EpochFigures[];
}

export interface BatchFigures {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Running mean loss and accuracy of the epoch so far. */
  loss: number;
  accuracy: number;
  /** Programming pulses this batch applied. */
  pulses: number;
  /** The ledger's device total so far. */
  deviceJoules: number;
}

export type DataKeys = Record<string, { dtype: string; units?: string; description?: string }>;

export type RunEvent =
  | { kind: "start"; start: RunStart }
  | { kind: "descriptor"; stream: "primary" | "device"; dataKeys: DataKeys }
  | { kind: "batch"; batch: BatchFigures }
  /** An epoch completed; `health` on a device (its lines grounded, its busy time so far). */
  | { kind: "epoch"; epoch: EpochFigures; health: { safe: boolean; deviceSeconds: number } | null }
  /** The epoch's checkpoint is on disk under `name`: the epoch counts on resume once records.jsonl says so. */
  | { kind: "checkpoint"; name: string; epoch: EpochFigures }
  | { kind: "device"; event: DeviceEvent }
  | { kind: "evaluate" }
  | { kind: "stop"; status: ExitStatus; reason: string; summary: TrainingSummary | null };

/** A subscriber: handles each event synchronously; close() releases what it holds. */
export interface RunSink {
  on(e: RunEvent): void;
  close?(): Promise<void>;
}

/**
 * Delivers every event to the sinks in the order they subscribed, then to the commit sink (records.jsonl),
 * so an event is committed only after every other sink has it. A sink that throws stops the delivery (the
 * run fails), except for a final stop, which reaches every sink whatever the others do.
 */
export class RunEventBus {
  private readonly sinks: RunSink[] = [];
  private committedStop = false;

  constructor(private readonly commit: RunSink) {}

  /** The commit sink has the stop: the run has ended, whatever happens after. */
  get stopped(): boolean {
    return this.committedStop;
  }

  subscribe(sink: RunSink): void {
    this.sinks.push(sink);
  }

  emit(e: RunEvent): void {
    for (const s of this.sinks) s.on(e);
    this.commit.on(e);
    if (e.kind === "stop") this.committedStop = true;
  }

  /** The stop of a failed or aborted run: every sink gets it, and the commit sink last whatever they throw. */
  emitFinal(e: RunEvent & { kind: "stop" }): void {
    for (const s of this.sinks) {
      try {
        s.on(e);
      } catch {
        // the run is already failing; its own error is the one reported
      }
    }
    this.commit.on(e);
    this.committedStop = true;
  }

  /** Closes every sink (each even if another fails); the first failure is rethrown. */
  async close(): Promise<void> {
    let first: unknown = null;
    for (const s of [...this.sinks, this.commit]) await s.close?.().catch((e: unknown) => (first ??= e));
    if (first !== null) throw first;
  }
}

/** The figures every per-epoch record shares (records' primary stream and metrics.csv), under their column names. */
export function epochColumns(f: EpochFigures): Record<string, number | null> {
  const r = f.result;
  return {
    epoch: r.epoch,
    train_loss: r.trainLoss,
    train_accuracy: r.trainAccuracy,
    updates: r.updates,
    pulses: r.pulses,
    weight_path_l1: r.weightPathL1,
    prequential_bits: r.prequentialBits,
    samples: r.samples,
    device_joules_total: f.energy.total_joules,
    host_cpu_joules: f.hostCpuJoules,
  };
}
