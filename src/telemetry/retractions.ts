// Points a resumed run cut from its journal (the epochs after its checkpoint, redone on resume) must leave
// InfluxDB too: the killed run may have shipped them, at least once, before it died, and the journal and the
// database agree point for point. The cut lines are kept in `telemetry.cut.lp` (nothing is thrown away), a
// retraction per run tag waits in `telemetry.retract.json` until the shipper has deleted them, and the offset
// file is brought back inside the shortened journal.
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { writeFileAtomic } from "../files/atomic-write.js";
import { join } from "node:path";
import { TelemetryConfigError } from "./influxTarget.js";
import { parseLine } from "./lineProtocol.js";
import { DEAD_LETTER_FILE, EMPTY_SHIP_STATE, readShipState, shipStatePath, writeShipState } from "./shipState.js";

export const CUT_FILE = "telemetry.cut.lp";
export const RETRACT_FILE = "telemetry.retract.json";

/** Delete every point of tag run = `run` with from ≤ time ≤ to (journal microseconds, as decimal strings). */
export interface Retraction {
  run: string;
  fromMicros: string;
  toMicros: string;
  /** Points cut (for messages). */
  points: number;
  /** When the cut was made (ISO 8601). */
  cutAt: string;
}

export function retractionsPath(runDir: string): string {
  return join(runDir, RETRACT_FILE);
}

/** The pending retractions; none when the file is missing. A malformed file is an error naming it. */
export function readRetractions(path: string): Retraction[] {
  if (!existsSync(path)) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new TelemetryConfigError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(raw)) throw new TelemetryConfigError(`${path}: expected a list of retractions`);
  raw.forEach((r: Partial<Retraction>, i) => {
    if (typeof r?.run !== "string" || !/^\d+$/.test(String(r.fromMicros)) || !/^\d+$/.test(String(r.toMicros))) {
      throw new TelemetryConfigError(`${path}: entry ${i} needs run (text) and fromMicros, toMicros (decimal digits)`);
    }
  });
  return raw as Retraction[];
}

/** Replaces the file atomically; an empty list removes it. */
export function writeRetractions(path: string, list: readonly Retraction[]): void {
  if (list.length === 0) {
    rmSync(path, { force: true });
    return;
  }
  writeFileAtomic(path, JSON.stringify(list, null, 1) + "\n");
}

/**
 * Records that `cutLines` (whole point or comment lines, without newlines) were cut from the journal, which
 * now ends at `keptBytes`: keeps them in telemetry.cut.lp, queues a retraction per run tag, and, when the
 * offset file points past the cut, re-ships the kept journal from the start (idempotent: same timestamps),
 * moving an old dead-letter file aside so its lines are not counted twice.
 */
export function recordJournalCut(runDir: string, cutLines: readonly string[], keptBytes: number): Retraction[] {
  const points = cutLines.filter((l) => l.length > 0 && !l.startsWith("#"));
  if (points.length === 0) return [];
  appendFileSync(join(runDir, CUT_FILE), points.map((l) => l + "\n").join(""));
  const cutAt = new Date().toISOString();
  const byRun = new Map<string, Retraction>();
  points.forEach((line, i) => {
    const p = parseLine(line, i + 1);
    const run = p.tags.run ?? "";
    const t = BigInt(p.timestamp);
    const r = byRun.get(run);
    if (!r) byRun.set(run, { run, fromMicros: p.timestamp, toMicros: p.timestamp, points: 1, cutAt });
    else {
      if (t < BigInt(r.fromMicros)) r.fromMicros = p.timestamp;
      if (t > BigInt(r.toMicros)) r.toMicros = p.timestamp;
      r.points++;
    }
  });
  const added = [...byRun.values()];
  const path = retractionsPath(runDir);
  writeRetractions(path, [...readRetractions(path), ...added]);
  const statePath = shipStatePath(runDir);
  if (readShipState(statePath).journalBytes > keptBytes) {
    writeShipState(statePath, { ...EMPTY_SHIP_STATE });
    const dl = join(runDir, DEAD_LETTER_FILE);
    if (existsSync(dl)) renameSync(dl, join(runDir, `telemetry.deadletter.before-${cutAt.replace(/[:.]/g, "-")}.jsonl`));
  }
  return added;
}

/** The InfluxQL statement that deletes a retraction's points (InfluxQL integer times are nanoseconds). */
export function retractionStatement(r: Retraction): string {
  const run = r.run.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
  return `DELETE WHERE "run" = '${run}' AND time >= ${r.fromMicros}000 AND time <= ${r.toMicros}000`;
}
