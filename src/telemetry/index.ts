// Telemetry for a run: typed training and calibration points, appended to the journal first, shipped to
// InfluxDB when --influx is given. The schema (measurements, tags, fields, units) is in docs/telemetry.md.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { MonotonicMicrosClock } from "./clock.js";
import { loadCredentials, parseInfluxUrl } from "./influxTarget.js";
import { Journal, journalPath } from "./journal.js";
import { formatFields, formatSeries, integer, type FieldValue } from "./lineProtocol.js";
import { InfluxLineSink, type LineSink } from "./lineSink.js";
import { shipStatePath, readShipState } from "./shipState.js";
import { DEAD_LETTER_FILE, Shipper, type TelemetryCounters } from "./shipper.js";
import { makeFolders } from "../files/make-folders.js";

export { integer, IntegerField, LineProtocolError, type FieldValue } from "./lineProtocol.js";
export { TelemetryConfigError, redactUrl } from "./influxTarget.js";
export type { TelemetryCounters } from "./shipper.js";

/** Measurement names (docs/telemetry.md). */
export const MEASUREMENTS = {
  trainBatch: "train_batch",
  trainEpoch: "train_epoch",
  bits: "bits",
  deviceHealth: "device_health",
} as const;

/** The only tag a caller may set; run, device and backend come from the run. Bounded: a handful of values. */
export const PHASES = ["train", "eval", "calibrate"] as const;
export type Phase = (typeof PHASES)[number];

export interface TelemetryOptions {
  runDir: string;
  runId: string;
  /** The device URI (bounded per run). */
  device: string;
  /** Backend kind: sim, twin, serial, firmata. */
  backend: string;
  /**
   * Where a sweep point ran: the node's host name and its shard "i/K" ("0/1" unsharded), the tags `host` and
   * `shard` on every point, so one InfluxDB can tell the nodes of a cluster apart. Absent for a single run.
   */
  placement?: { host: string; shard: string };
  /** http://HOST:8086/DB; without it points are only journaled. */
  influxUrl?: string;
  /** A file with the InfluxDB username and password; else INFLUX_USERNAME / INFLUX_PASSWORD. */
  credentialsFile?: string;
  /** Points per request (default 5000). */
  batchSize?: number;
  /** A partial batch is sent after at most this long (default 1000 ms). */
  flushIntervalMs?: number;
  /** Requests in flight at once (default 1). */
  maxInFlight?: number;
  /** Retry backoff: first delay and ceiling (defaults 250 ms, 10 s). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** How long close() waits for the last points to ship (default 10 s). */
  closeTimeoutMs?: number;
  /** Where messages go (never credentials). Default: stderr. */
  log?: (line: string) => void;
  /** Environment for credentials (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Where batches go instead of the --influx URL's server (another transport; the URL is still required for display). */
  sink?: LineSink;
}

/** Joules by activity (freeRead, nudgedRead, program, verifyRead, reset): each becomes a `<activity>_joules` field. */
export type JoulesByActivity = Readonly<Record<string, number>>;

// Optional fields are left out of the point when absent, null or not finite (InfluxDB stores no NaN/Infinity,
// and a diverged loss must not stop training).

/** A point's own time (µs since the Unix epoch), when it has a key (src/telemetry/keys.ts); else the journal's clock. */
interface Keyed {
  timeMicros?: number;
}

export interface TrainBatchPoint extends Keyed {
  epoch: number;
  batch: number;
  loss: number;
  accuracy: number;
  /** Joules spent in this batch, by activity. */
  energyJoulesByActivity?: JoulesByActivity;
  /** Joules spent in this batch, all activities. */
  totalJoules?: number;
  /** Programming pulses applied in this batch. */
  pulses?: number;
  /** The run's programming pulses so far (default: the running sum of `pulses` in this process). */
  pulsesTotal?: number;
  /** Device joules of the whole run so far (the ledger total). */
  deviceJoulesSoFar?: number;
}

export interface TrainEpochPoint extends Keyed {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  testAccuracy?: number | null;
  /** Joules spent in this epoch, by activity. */
  energyJoulesByActivity?: JoulesByActivity;
  /** Joules spent in this epoch, all activities. */
  totalJoules?: number;
  /** Programming pulses applied in this epoch. */
  pulses?: number;
  updates?: number;
  weightPathL1?: number;
  prequentialBits?: number;
  /** Host CPU joules so far (RAPL), null when unavailable. */
  hostCpuJoules?: number | null;
  wallSeconds?: number;
  deviceJoulesSoFar?: number;
}

export interface BitsPoint extends Keyed {
  epoch: number;
  lowerBits: number;
  estimateBits?: number | null;
  upperBits: number;
  joulesPerBitLower?: number | null;
  joulesPerBitUpper?: number | null;
  /** Which bound each end used (DESIGN: every joules-per-bit names its bound). */
  lowerMethod?: string;
  upperMethod?: string;
}

export interface DeviceHealthPoint extends Keyed {
  epoch: number;
  conductanceMeanSiemens?: number;
  conductanceStdSiemens?: number;
  conductanceP05Siemens?: number;
  conductanceP95Siemens?: number;
  stuckCells?: number;
  /** Pulses applied to the array so far. */
  pulseCount?: number;
  /** The device reports every line grounded. */
  safe?: boolean;
  /** Device-reported busy time so far. */
  deviceSeconds?: number;
  /** Link counters by name (camelCase), journaled as integer fields link_<snake_case>. */
  link?: Readonly<Record<string, number>>;
}

export interface Telemetry {
  trainBatch(p: TrainBatchPoint): void;
  trainEpoch(p: TrainEpochPoint): void;
  bits(p: BitsPoint): void;
  deviceHealth(p: DeviceHealthPoint): void;
  /** Any other point (calibration): numbers are floats, integer(n) is an integer; tags: only `phase` (default calibrate). */
  point(measurement: string, tags: { phase?: Phase }, fields: Record<string, FieldValue>): void;
  counters(): TelemetryCounters;
  /** Ships what it can within the close timeout, then closes the journal. Unsent points stay journaled. */
  close(): Promise<TelemetryCounters>;
  /** Paths of the run's telemetry files. */
  readonly files: { journal: string; offset: string; deadLetter: string };
}

const ACTIVITY_KEY = /^[A-Za-z][A-Za-z0-9]*$/;

const activityFields = new Map<string, string>();

/** freeRead → free_read_joules. */
function activityField(activity: string): string {
  let f = activityFields.get(activity);
  if (f === undefined) {
    if (!ACTIVITY_KEY.test(activity)) throw new Error(`telemetry: activity name ${JSON.stringify(activity)} must be letters and digits`);
    f = activity.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase()) + "_joules";
    if (activityFields.size < 1000) activityFields.set(activity, f);
  }
  return f;
}

function putFloat(fields: Record<string, FieldValue>, key: string, v: number | null | undefined): void {
  if (typeof v === "number" && Number.isFinite(v)) fields[key] = v;
}

function putInt(fields: Record<string, FieldValue>, key: string, v: number | null | undefined): void {
  if (typeof v === "number" && Number.isFinite(v)) fields[key] = integer(Math.round(v));
}

function putString(fields: Record<string, FieldValue>, key: string, v: string | undefined): void {
  if (typeof v === "string") fields[key] = v.replace(/[\r\n]+/g, " ");
}

function putEnergy(fields: Record<string, FieldValue>, byActivity: JoulesByActivity | undefined, total: number | undefined): void {
  putFloat(fields, "total_joules", total);
  if (byActivity) for (const a of Object.keys(byActivity)) putFloat(fields, activityField(a), byActivity[a]);
}

class RunTelemetry implements Telemetry {
  private readonly seriesPrefix = new Map<string, string>();
  private pulsesTotal = 0;
  private closed: Promise<TelemetryCounters> | null = null;

  constructor(
    private readonly opts: TelemetryOptions,
    private readonly journal: Journal,
    private readonly clock: MonotonicMicrosClock,
    private readonly shipper: Shipper | null,
    readonly files: { journal: string; offset: string; deadLetter: string },
  ) {}

  private series(measurement: string, phase: string): string {
    const key = measurement + "\0" + phase;
    let s = this.seriesPrefix.get(key);
    if (s === undefined) {
      const where: Record<string, string> = this.opts.placement ? { host: this.opts.placement.host, shard: this.opts.placement.shard } : {};
      s = formatSeries(measurement, { run: this.opts.runId, device: this.opts.device, backend: this.opts.backend, phase, ...where });
      this.seriesPrefix.set(key, s);
    }
    return s;
  }

  private append(measurement: string, phase: string, fields: Record<string, FieldValue>, timeMicros?: number): void {
    if (this.closed) throw new Error(`telemetry: point ${measurement} after close()`);
    const line = this.series(measurement, phase) + " " + formatFields(measurement, fields) + " " + (timeMicros ?? this.clock.next());
    this.journal.append(line);
    this.shipper?.notify();
  }

  trainBatch(p: TrainBatchPoint): void {
    const f: Record<string, FieldValue> = {};
    putInt(f, "epoch", p.epoch);
    putInt(f, "batch", p.batch);
    putFloat(f, "loss", p.loss);
    putFloat(f, "accuracy", p.accuracy);
    if (typeof p.pulses === "number" && Number.isFinite(p.pulses)) {
      this.pulsesTotal += Math.round(p.pulses);
      putInt(f, "pulses", p.pulses);
      putInt(f, "pulses_total", p.pulsesTotal ?? this.pulsesTotal);
    }
    putEnergy(f, p.energyJoulesByActivity, p.totalJoules);
    putFloat(f, "device_joules_so_far", p.deviceJoulesSoFar);
    this.append(MEASUREMENTS.trainBatch, "train", f, p.timeMicros);
  }

  trainEpoch(p: TrainEpochPoint): void {
    const f: Record<string, FieldValue> = {};
    putInt(f, "epoch", p.epoch);
    putFloat(f, "loss", p.loss);
    putFloat(f, "train_accuracy", p.trainAccuracy);
    putFloat(f, "test_accuracy", p.testAccuracy);
    putInt(f, "pulses", p.pulses);
    putInt(f, "updates", p.updates);
    putFloat(f, "weight_path_l1", p.weightPathL1);
    putFloat(f, "prequential_bits", p.prequentialBits);
    putFloat(f, "host_cpu_joules_so_far", p.hostCpuJoules);
    putFloat(f, "wall_seconds", p.wallSeconds);
    putEnergy(f, p.energyJoulesByActivity, p.totalJoules);
    putFloat(f, "device_joules_so_far", p.deviceJoulesSoFar);
    this.append(MEASUREMENTS.trainEpoch, "train", f, p.timeMicros);
  }

  bits(p: BitsPoint): void {
    const f: Record<string, FieldValue> = {};
    putInt(f, "epoch", p.epoch);
    putFloat(f, "lower_bits", p.lowerBits);
    putFloat(f, "estimate_bits", p.estimateBits);
    putFloat(f, "upper_bits", p.upperBits);
    putFloat(f, "joules_per_bit_lower", p.joulesPerBitLower);
    putFloat(f, "joules_per_bit_upper", p.joulesPerBitUpper);
    putString(f, "lower_method", p.lowerMethod);
    putString(f, "upper_method", p.upperMethod);
    this.append(MEASUREMENTS.bits, "train", f, p.timeMicros);
  }

  deviceHealth(p: DeviceHealthPoint): void {
    const f: Record<string, FieldValue> = {};
    putInt(f, "epoch", p.epoch);
    putFloat(f, "conductance_mean_siemens", p.conductanceMeanSiemens);
    putFloat(f, "conductance_std_siemens", p.conductanceStdSiemens);
    putFloat(f, "conductance_p05_siemens", p.conductanceP05Siemens);
    putFloat(f, "conductance_p95_siemens", p.conductanceP95Siemens);
    putInt(f, "stuck_cells", p.stuckCells);
    putInt(f, "pulse_count", p.pulseCount);
    if (typeof p.safe === "boolean") f.safe = p.safe;
    putFloat(f, "device_seconds", p.deviceSeconds);
    for (const [name, n] of Object.entries(p.link ?? {})) putInt(f, `link_${name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`, n);
    this.append(MEASUREMENTS.deviceHealth, "train", f, p.timeMicros);
  }
  point(measurement: string, tags: { phase?: Phase }, fields: Record<string, FieldValue>): void {
    for (const k of Object.keys(tags)) {
      if (k !== "phase") throw new Error(`telemetry: point ${measurement}: tag ${k} is not allowed (tags are run, device, backend, phase, and host and shard on sweep points; put other values in fields)`);
    }
    const phase = tags.phase ?? "calibrate";
    if (!(PHASES as readonly string[]).includes(phase)) throw new Error(`telemetry: point ${measurement}: phase ${JSON.stringify(phase)} is not one of ${PHASES.join(", ")}`);
    this.append(measurement, phase, fields);
  }

  counters(): TelemetryCounters {
    if (this.shipper) return this.shipper.counters();
    return journalOnlyCounters(this.journal.points(), this.files.offset);
  }

  close(): Promise<TelemetryCounters> {
    this.closed ??= (async () => {
      const c = this.shipper ? await this.shipper.close(this.opts.closeTimeoutMs ?? 10_000) : this.counters();
      this.journal.close();
      return c;
    })();
    return this.closed;
  }
}

/** Counters when nothing ships: what the offset file says was settled, the rest pending. */
export function journalOnlyCounters(added: number, offsetPath: string): TelemetryCounters {
  const s = readShipState(offsetPath);
  return { added, written: s.written, deadLettered: s.deadLettered, dropped: 0, pending: added - s.written - s.deadLettered };
}

/**
 * Opens the run's telemetry: the journal (created, or reopened with a torn last line cut off) and, with
 * influxUrl, a shipper. A malformed URL or credentials file throws TelemetryConfigError before anything is
 * written; a server that is down, a wrong database or refused credentials are reported through `log` and
 * never stop the caller.
 */
export async function openTelemetry(opts: TelemetryOptions): Promise<Telemetry> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const target = opts.influxUrl !== undefined ? parseInfluxUrl(opts.influxUrl, loadCredentials(opts.credentialsFile, opts.env)) : undefined;
  makeFolders(opts.runDir);
  const journal = Journal.open(opts.runDir, log);
  const clock = new MonotonicMicrosClock(journal.lastTimestampAtOpen);
  const files = { journal: journalPath(opts.runDir), offset: shipStatePath(opts.runDir), deadLetter: join(opts.runDir, DEAD_LETTER_FILE) };
  let shipper: Shipper | null = null;
  if (target) {
    shipper = new Shipper({
      journalPath: files.journal,
      statePath: files.offset,
      deadLetterPath: files.deadLetter,
      sink: opts.sink ?? new InfluxLineSink(target),
      addedPoints: () => journal.points(),
      log,
      ...pick(opts, ["batchSize", "flushIntervalMs", "maxInFlight", "backoffInitialMs", "backoffMaxMs"]),
    });
    shipper.start();
  }
  return new RunTelemetry(opts, journal, clock, shipper, files);
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
