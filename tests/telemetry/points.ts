// Compares a journal with what InfluxDB holds, point for point: every measurement, tag set, field and timestamp.
import { readFileSync } from "node:fs";
import { IntegerField, parseLine } from "../../src/telemetry/lineProtocol.js";
import type { Influxd } from "./influxd.js";

/** A point in one canonical text form: measurement, sorted tags, sorted fields (numbers as numbers), time in µs. */
export type CanonicalPoint = string;

function canonical(measurement: string, tags: Record<string, string>, fields: Record<string, unknown>, timeMicros: string): CanonicalPoint {
  const t = Object.keys(tags).sort().map((k) => `${k}=${tags[k]}`).join(",");
  const f = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${JSON.stringify(fields[k])}`)
    .join(",");
  return `${measurement}|${t}|${f}|${timeMicros}`;
}

/** The journal's points (comment lines skipped), canonical, in journal order. */
export function journalPoints(path: string): CanonicalPoint[] {
  const out: CanonicalPoint[] = [];
  const lines = readFileSync(path, "utf8").split("\n");
  lines.forEach((line, i) => {
    if (line.length === 0 || line.startsWith("#")) return;
    const p = parseLine(line, i + 1);
    const fields: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p.fields)) fields[k] = v instanceof IntegerField ? v.value : v;
    out.push(canonical(p.measurement, p.tags, fields, p.timestamp));
  });
  return out;
}

/** A point as stored: measurement, tags, fields (null fields left out), time in µs as a decimal string. */
export interface StoredPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, unknown>;
  time: string;
}

/** Every point in the database, as stored. */
export async function databaseRows(influxd: Influxd, db: string): Promise<StoredPoint[]> {
  const ms = await influxd.query("SHOW MEASUREMENTS", db);
  const names = (ms.results[0]?.series?.[0]?.values ?? []).map((v) => String(v[0]));
  const out: StoredPoint[] = [];
  for (const m of names) {
    const r = await influxd.query(`SELECT * FROM "${m}" GROUP BY *`, db, "u");
    if (r.results[0]?.error) throw new Error(r.results[0].error);
    for (const s of r.results[0]?.series ?? []) {
      for (const row of s.values) {
        const fields: Record<string, unknown> = {};
        let time = "";
        s.columns.forEach((c, i) => {
          if (c === "time") time = String(row[i]);
          else if (row[i] !== null) fields[c] = row[i];
        });
        out.push({ measurement: m, tags: s.tags ?? {}, fields, time });
      }
    }
  }
  return out;
}

/** Every point in the database, canonical. */
export async function databasePoints(influxd: Influxd, db: string): Promise<CanonicalPoint[]> {
  return (await databaseRows(influxd, db)).map((p) => canonical(p.measurement, p.tags, p.fields, p.time));
}
