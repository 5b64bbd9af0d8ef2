// InfluxDB 1.x line protocol: typed points to one journal line and back, with the escaping rules of the spec.
//
//   measurement[,tag=value...] field=value[,field=value...] timestamp
//
// measurement: escape `,` and space. Tag keys, tag values, field keys: escape `,`, `=` and space.
// String field values: double-quoted, escape `"` and `\`. Integers carry an `i` suffix; floats none;
// booleans are `true`/`false`. Newlines are refused everywhere: one point is one journal line. Backslashes
// are refused in names and tag values (InfluxDB 1.x does not unescape `\\` there, so they cannot round-trip).
import { UserError } from "../hal/user-error.js";

/** An integer field (written with the `i` suffix). Plain JS numbers are written as floats. */
export class IntegerField {
  constructor(readonly value: number) {}
}

/** Marks a number as an InfluxDB integer field. */
export function integer(value: number): IntegerField {
  return new IntegerField(value);
}

export type FieldValue = number | IntegerField | string | boolean;

export interface Point {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
}

/** A point read back from a line: integers come back as IntegerField, so a round trip is exact. */
export interface ParsedPoint extends Point {
  /** The timestamp as written (in the journal's precision), as a decimal string so no digit is lost. */
  timestamp: string;
}

/** A point that cannot be written, or a journal line that cannot be read: names the measurement or line and the field or tag at fault (exit 1). */
export class LineProtocolError extends UserError {
  constructor(message: string) {
    super(message, 1);
  }
}

const NEWLINE = /[\r\n]/;
const NEWLINE_OR_BACKSLASH = /[\r\n\\]/;

function checkName(kind: string, s: string, where: string): void {
  if (s.length === 0) throw new LineProtocolError(`${where}: ${kind} is empty`);
  if (NEWLINE_OR_BACKSLASH.test(s)) throw new LineProtocolError(`${where}: ${kind} ${JSON.stringify(s)} contains a newline or backslash`);
  if (s.startsWith("_")) throw new LineProtocolError(`${where}: ${kind} ${JSON.stringify(s)} starts with "_" (reserved by InfluxDB)`);
}

export function escapeMeasurement(s: string): string {
  return s.replace(/[, ]/g, (c) => "\\" + c);
}

/** Tag keys, tag values and field keys. */
export function escapeKey(s: string): string {
  return s.replace(/[,= ]/g, (c) => "\\" + c);
}

export function escapeStringField(s: string): string {
  return '"' + s.replace(/["\\]/g, (c) => "\\" + c) + '"';
}

function formatField(where: string, key: string, v: FieldValue): string {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new LineProtocolError(`${where}: field ${key} is ${v}; InfluxDB stores only finite floats`);
    return String(v);
  }
  if (v instanceof IntegerField) {
    if (!Number.isSafeInteger(v.value)) throw new LineProtocolError(`${where}: integer field ${key} is ${v.value}, not a safe integer`);
    return `${v.value}i`;
  }
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "string") {
    if (NEWLINE.test(v)) throw new LineProtocolError(`${where}: string field ${key} contains a newline`);
    return escapeStringField(v);
  }
  throw new LineProtocolError(`${where}: field ${key} has unsupported type ${typeof v}`);
}

/**
 * The series part of a line: measurement and tags sorted by key (InfluxDB's own order, fastest to ingest).
 * Throws LineProtocolError on an empty or newline-bearing name or value.
 */
export function formatSeries(measurement: string, tags: Record<string, string>): string {
  checkName("measurement", measurement, "point");
  if (measurement.startsWith("#")) throw new LineProtocolError(`point: measurement ${JSON.stringify(measurement)} starts with "#" (a comment line)`);
  const where = `measurement ${measurement}`;
  let s = escapeMeasurement(measurement);
  for (const k of Object.keys(tags).sort()) {
    const v = tags[k]!;
    checkName("tag key", k, where);
    if (typeof v !== "string" || v.length === 0) throw new LineProtocolError(`${where}: tag ${k} is empty (InfluxDB drops empty tags)`);
    if (NEWLINE_OR_BACKSLASH.test(v)) throw new LineProtocolError(`${where}: tag ${k} contains a newline or backslash`);
    s += "," + escapeKey(k) + "=" + escapeKey(v);
  }
  return s;
}

/** Checked and escaped field keys: a schema has few, and this is the journal's hot path. */
const fieldKeyCache = new Map<string, string>();
const FIELD_KEY_CACHE_LIMIT = 10_000;

function fieldKey(k: string, measurement: string): string {
  let e = fieldKeyCache.get(k);
  if (e === undefined) {
    checkName("field key", k, `measurement ${measurement}`);
    e = escapeKey(k);
    if (fieldKeyCache.size < FIELD_KEY_CACHE_LIMIT) fieldKeyCache.set(k, e);
  }
  return e;
}

/** The field set of a line. At least one field; keys in the caller's order. */
export function formatFields(measurement: string, fields: Record<string, FieldValue>): string {
  let s = "";
  for (const k in fields) {
    const v = fields[k]!;
    const value = typeof v === "number" && Number.isFinite(v) ? String(v) : formatField(`measurement ${measurement}`, k, v);
    s += (s.length === 0 ? "" : ",") + fieldKey(k, measurement) + "=" + value;
  }
  if (s.length === 0) throw new LineProtocolError(`measurement ${measurement}: a point needs at least one field`);
  return s;
}

/** One line, without the trailing newline. `timestamp` is an integer in the journal's precision. */
export function formatLine(p: Point, timestamp: number): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new LineProtocolError(`measurement ${p.measurement}: timestamp ${timestamp} is not a non-negative safe integer`);
  return formatSeries(p.measurement, p.tags) + " " + formatFields(p.measurement, p.fields) + " " + timestamp;
}

// ---- parsing (the journal reader, status and tests) ----

/** Reads up to an unescaped stop character; returns the unescaped text and the stop index. */
function scanEscaped(line: string, start: number, stops: string, escapable: string): [string, number] {
  let out = "";
  let i = start;
  while (i < line.length) {
    const c = line[i]!;
    if (c === "\\" && i + 1 < line.length && escapable.includes(line[i + 1]!)) {
      out += line[i + 1];
      i += 2;
      continue;
    }
    if (stops.includes(c)) break;
    out += c;
    i++;
  }
  return [out, i];
}

function parseFieldValue(raw: string, lineNo: number): FieldValue {
  if (raw.startsWith('"')) return raw.slice(1, -1).replace(/\\(["\\])/g, "$1");
  if (raw === "true" || raw === "t" || raw === "T" || raw === "True" || raw === "TRUE") return true;
  if (raw === "false" || raw === "f" || raw === "F" || raw === "False" || raw === "FALSE") return false;
  if (raw.endsWith("i")) {
    const n = Number(raw.slice(0, -1));
    if (!Number.isInteger(n)) throw new LineProtocolError(`line ${lineNo}: bad integer field value ${raw}`);
    return new IntegerField(n);
  }
  const f = Number(raw);
  if (raw.length === 0 || Number.isNaN(f)) throw new LineProtocolError(`line ${lineNo}: bad field value ${JSON.stringify(raw)}`);
  return f;
}

/** Parses one line (no trailing newline). `lineNo` only names the line in errors. */
export function parseLine(line: string, lineNo = 0): ParsedPoint {
  let [measurement, i] = scanEscaped(line, 0, ", ", ", ");
  if (measurement.length === 0) throw new LineProtocolError(`line ${lineNo}: no measurement`);
  const tags: Record<string, string> = {};
  while (line[i] === ",") {
    const [k, j] = scanEscaped(line, i + 1, "=", ",= ");
    if (line[j] !== "=") throw new LineProtocolError(`line ${lineNo}: tag ${k} has no "="`);
    const [v, m] = scanEscaped(line, j + 1, ", ", ",= ");
    tags[k] = v;
    i = m;
  }
  if (line[i] !== " ") throw new LineProtocolError(`line ${lineNo}: no field set`);
  i++;
  const fields: Record<string, FieldValue> = {};
  for (;;) {
    const [k, j] = scanEscaped(line, i, "=", ",= ");
    if (line[j] !== "=") throw new LineProtocolError(`line ${lineNo}: field ${k} has no "="`);
    let m = j + 1;
    let raw: string;
    if (line[m] === '"') {
      let e = m + 1;
      while (e < line.length && line[e] !== '"') e += line[e] === "\\" ? 2 : 1;
      if (e >= line.length) throw new LineProtocolError(`line ${lineNo}: unterminated string in field ${k}`);
      raw = line.slice(m, e + 1);
      m = e + 1;
    } else {
      let e = m;
      while (e < line.length && line[e] !== "," && line[e] !== " ") e++;
      raw = line.slice(m, e);
      m = e;
    }
    fields[k] = parseFieldValue(raw, lineNo);
    i = m;
    if (line[i] === ",") {
      i++;
      continue;
    }
    break;
  }
  let timestamp = "";
  if (line[i] === " ") timestamp = line.slice(i + 1);
  else if (i !== line.length) throw new LineProtocolError(`line ${lineNo}: unexpected ${JSON.stringify(line.slice(i, i + 10))}`);
  if (timestamp !== "" && !/^-?\d+$/.test(timestamp)) throw new LineProtocolError(`line ${lineNo}: bad timestamp ${JSON.stringify(timestamp)}`);
  return { measurement, tags, fields, timestamp };
}
