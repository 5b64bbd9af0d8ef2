// Ships (or re-ships) a finished run's journal, and reads a run's telemetry counters: the two things
// `mhil telemetry push` and `mhil telemetry status` do.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { loadCredentials, parseInfluxUrl, TelemetryConfigError } from "./influxTarget.js";
import { journalPath, scanJournal } from "./journal.js";
import { InfluxLineSink, type LineSink, type WriteOutcome } from "./lineSink.js";
import { readShipState, shipStatePath } from "./shipState.js";
import { DEAD_LETTER_FILE, Shipper, type TelemetryCounters } from "./shipper.js";

export interface PushOptions {
  runDir: string;
  influxUrl: string;
  credentialsFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Forget the offset file and ship the whole journal again (idempotent: same timestamps). */
  fromStart?: boolean;
  batchSize?: number;
  maxInFlight?: number;
  /** Give up after this long when the server stays unreachable (default 60 s). */
  timeoutMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  log?: (line: string) => void;
  /** Another transport instead of the URL's server. */
  sink?: LineSink;
}

export interface PushResult {
  counters: TelemetryCounters;
  /** Every point settled (written or dead-lettered). */
  complete: boolean;
  /** Why not, when not: the last failure. */
  problem: WriteOutcome | null;
}

function runJournal(runDir: string): string {
  const path = journalPath(runDir);
  if (!existsSync(path)) throw new TelemetryConfigError(`${runDir}: no telemetry journal (${path} does not exist)`);
  return path;
}

export async function pushRun(opts: PushOptions): Promise<PushResult> {
  const path = runJournal(opts.runDir);
  const target = parseInfluxUrl(opts.influxUrl, loadCredentials(opts.credentialsFile, opts.env));
  const statePath = shipStatePath(opts.runDir);
  const deadLetterPath = join(opts.runDir, DEAD_LETTER_FILE);
  if (opts.fromStart) {
    rmSync(statePath, { force: true });
    rmSync(deadLetterPath, { force: true });
  }
  const added = scanJournal(path).points;
  const shipper = new Shipper({
    journalPath: path,
    statePath,
    deadLetterPath,
    sink: opts.sink ?? new InfluxLineSink(target),
    addedPoints: () => added,
    batchSize: opts.batchSize ?? 20_000,
    maxInFlight: opts.maxInFlight ?? 4,
    flushIntervalMs: 200,
    shipping: "push",
    ...(opts.backoffInitialMs !== undefined ? { backoffInitialMs: opts.backoffInitialMs } : {}),
    ...(opts.backoffMaxMs !== undefined ? { backoffMaxMs: opts.backoffMaxMs } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  shipper.start();
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let complete = false;
  for (;;) {
    complete = await shipper.flush(Math.min(250, Math.max(0, deadline - Date.now())));
    if (complete || Date.now() >= deadline) break;
    // A wrong database or refused credentials will not fix themselves while we wait.
    if (shipper.currentProblem()?.kind === "refused") break;
  }
  const problem = complete ? null : shipper.currentProblem();
  const counters = await shipper.close(0);
  return { counters, complete, problem };
}

export interface TelemetryStatus {
  journal: string;
  counters: TelemetryCounters;
  journalBytes: number;
  shippedThroughBytes: number;
  /** Bytes after the last newline (a torn last line; cut off when the run reopens its journal). */
  tornTailBytes: number;
  deadLetterLines: number;
}

export function telemetryStatus(runDir: string): TelemetryStatus {
  const path = runJournal(runDir);
  const scan = scanJournal(path);
  const s = readShipState(shipStatePath(runDir));
  const dl = join(runDir, DEAD_LETTER_FILE);
  const deadLetterLines = existsSync(dl) ? readFileSync(dl, "utf8").split("\n").filter((l) => l.length > 0).length : 0;
  return {
    journal: path,
    counters: { added: scan.points, written: s.written, deadLettered: s.deadLettered, dropped: 0, pending: scan.points - s.written - s.deadLettered },
    journalBytes: scan.completeBytes,
    shippedThroughBytes: s.journalBytes,
    tornTailBytes: scan.fileBytes - scan.completeBytes,
    deadLetterLines,
  };
}
