// The shipper's progress, `telemetry.offset.json` in the run directory: how far into the journal every point
// has been settled (written or dead-lettered), so a restart continues where the last one stopped.
import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../files/atomic-write.js";
import { join } from "node:path";
import { TelemetryConfigError } from "./influxTarget.js";

export const SHIP_STATE_FILE = "telemetry.offset.json";
/** Lines the server rejected, one JSON object each (see shipper.ts). */
export const DEAD_LETTER_FILE = "telemetry.deadletter.jsonl";

export interface ShipState {
  version: 1;
  /** Journal bytes whose points are all settled; the next batch starts here. Always at a line boundary. */
  journalBytes: number;
  /** Points InfluxDB acknowledged (204), over the whole journal before journalBytes. */
  written: number;
  /** Points InfluxDB rejected as malformed (4xx other than 401/403/404), kept in the dead-letter file. */
  deadLettered: number;
}

export const EMPTY_SHIP_STATE: ShipState = { version: 1, journalBytes: 0, written: 0, deadLettered: 0 };

export function shipStatePath(runDir: string): string {
  return join(runDir, SHIP_STATE_FILE);
}

/** Reads the state file; a missing file is a fresh start. A malformed one is an error naming the file. */
export function readShipState(path: string): ShipState {
  if (!existsSync(path)) return { ...EMPTY_SHIP_STATE };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new TelemetryConfigError(`${path}: not valid JSON (${(e as Error).message}); delete it to re-ship the whole journal`);
  }
  const s = raw as Partial<ShipState>;
  for (const k of ["journalBytes", "written", "deadLettered"] as const) {
    if (!Number.isSafeInteger(s[k]) || (s[k] as number) < 0) throw new TelemetryConfigError(`${path}: field ${k} must be a non-negative integer, got ${JSON.stringify(s[k])}`);
  }
  if (s.version !== 1) throw new TelemetryConfigError(`${path}: unknown version ${JSON.stringify(s.version)} (expected 1)`);
  return { version: 1, journalBytes: s.journalBytes!, written: s.written!, deadLettered: s.deadLettered! };
}

/** Replaces the state file atomically (write a temporary file, then rename): a crash leaves the old or the new. */
export function writeShipState(path: string, s: ShipState): void {
  writeFileAtomic(path, JSON.stringify(s) + "\n");
}
