// The telemetry a training run feeds, as an interface the telemetry module adapts to (run does not import it).
import type { DeviceIdentity } from "../hal/crossbar.js";
import type { EpochResult } from "../train/session.js";

export interface BatchPoint {
  epoch: number;
  batch: number;
  batches: number;
  /** Running mean loss of the epoch so far. */
  loss: number;
  /** Running training accuracy of the epoch so far. */
  accuracy: number;
  /** Device energy spent by the whole run so far (ledger total). */
  deviceJoules: number;
  /** Programming pulses this batch applied, when known. */
  pulses?: number;
}

/** An epoch's training figures (as the session reports them) with the run's energy and time so far. */
export interface EpochPoint extends Pick<EpochResult, "epoch" | "trainLoss" | "trainAccuracy" | "updates" | "pulses" | "weightPathL1" | "prequentialBits"> {
  /** Ledger total and its split so far (cumulative, joules). */
  deviceJoules: number;
  joulesByActivity: Record<string, number>;
  hostCpuJoules: number | null;
  wallSeconds: number;
}

export interface BitsPoint {
  lowerBits: number;
  lowerMethod: string;
  estimateBits: number | null;
  upperBits: number;
  upperMethod: string;
  joulesPerBitLowerEnd: number | null;
  joulesPerBitUpperEnd: number | null;
}

export interface DeviceHealthPoint {
  /** The device reports every line grounded. */
  safe: boolean;
  /** Device-reported busy time so far. */
  deviceSeconds: number;
  /** Programming pulses so far. */
  pulses: number;
  /** The device link's counters since this attempt opened it (a serial controller), by name. */
  link?: Readonly<Record<string, number>>;
}

/** What a run calls; every method may be a no-op. close() flushes what is pending. */
export interface TelemetryLike {
  trainBatch(p: BatchPoint): void;
  trainEpoch(p: EpochPoint): void;
  bits(p: BitsPoint): void;
  deviceHealth(p: DeviceHealthPoint): void;
  close(): Promise<void>;
}

/** Where the run stands when its telemetry opens: what its point keys and first deltas start from. */
export interface TelemetryStart {
  /** Microseconds since the Unix epoch: the run's creation, the origin of its point keys. */
  timeOriginMicros: number;
  /** A resumed run's figures at its checkpoint (zeros for a new run), so the first deltas are not the whole run. */
  baseline: TelemetryBaseline;
}

export interface TelemetryBaseline {
  epoch: number;
  /** Ledger total and its split at the checkpoint (joules). */
  deviceJoules: number;
  joulesByActivity: Record<string, number>;
  /** Programming pulses of the completed epochs. */
  pulses: number;
}

/**
 * Opens telemetry for one run (its journal lives in runDir). runId is the run's id, kept by every resumed
 * attempt; identity is null for ideal weights; start is absent for a caller that is not a run (benches).
 */
export type TelemetryFactory = (runDir: string, runId: string, identity: DeviceIdentity | null, start?: TelemetryStart) => Promise<TelemetryLike>;
