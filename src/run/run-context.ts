// What runTraining is asked to do, and what its parts share while it runs.
import type { DeviceEvents } from "../backends/device-events.js";
import type { Crossbar } from "../hal/crossbar.js";
import type { DeviceStack, WearPolicy } from "../backends/device-stack.js";
import type { HostEnergyMeter } from "../energy/host-power.js";
import type { EnergyLedger } from "../energy/ledger.js";
import type { Rng } from "../random/rng.js";
import type { TrainConfig } from "../train/config.js";
import type { TrainingSession } from "../train/session.js";
import type { DeviceStream } from "./device-stream.js";
import type { ResumePoint } from "./resume.js";
import type { EpochFigures, RunEventBus, RunStart } from "./run-events.js";
import type { ProgressEvent } from "./sinks/progress-sink.js";
import type { TelemetryFactory } from "./telemetry.js";

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
  /** A device already open (e.g. wrapped by the caller), put under the same stack. The caller keeps ownership and closes it. */
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

/** What openTraining (src/run/open-training.ts) opened: everything that could refuse the input. */
export interface OpenTraining {
  session: TrainingSession;
  ledger: EnergyLedger;
  rng: Rng;
  /** The device stack on crossbar weights; null on ideal weights (no device). */
  stack: DeviceStack | null;
  /** What putting the checkpoint back on the device cost: beside the total, not in it. */
  restoreJoules: number;
  /** The device URI opened: as given, or a `sim:` URI with the rows and cols that hold the network. */
  deviceUri: string;
}

/** One attempt of a run, as its parts share it. */
export interface RunContext {
  opts: RunTrainingOptions;
  training: OpenTraining;
  start: RunStart;
  bus: RunEventBus;
  device: DeviceStream;
  host: HostEnergyMeter;
  /** Seconds since this attempt started. */
  wallSeconds: () => number;
  /** Completed epochs: the checkpoint's, then this attempt's. */
  epochs: EpochFigures[];
}
