// Typed requests and replies of firmware/PROTOCOL.md §4–5 and their fields. Pure functions, no I/O.
import type { EnergyBreakdown } from "../../src/hal/crossbar.js";
import {
  decodeSignedVector, decodeUnsignedVector, encodeSignedVector, encodeUnsignedVector, formatDecimal, formatHex32, formatMeasure, fromUnits,
  parseDecimal, parseMeasure, parseHex32, parseUnsigned, toUnits, ValueError,
} from "./values.js";

export const PROTOCOL_VERSION = "3";

/** Code widths (in hex digits of bits, as LIM reports them) that vectors use on this link. */
export interface CodeWidths {
  /** DAC code width (MVF/MVT inputs). */
  vhex: number;
  /** ADC code width (sensed currents). */
  ahex: number;
  /** Pulse count width (PROW/PCOL). */
  chex: number;
  /** The device takes exact decimals for µV and ns fields (LIM exact=1); otherwise they are rounded to integers. */
  exact?: boolean;
}

export type SimpleCommand = "ID" | "PING" | "ST" | "EN" | "RST";
export type Request =
  | { cmd: SimpleCommand }
  /** `keys`: only these LIM keys (PROTOCOL.md §5), so the reply stays short; absent: every key. */
  | { cmd: "LIM"; keys?: string[] }
  | { cmd: "NEW"; nonce: number }
  /** From its own answer on, the device sends every line `copies` times (PROTOCOL.md §4; LIM dup). */
  | { cmd: "DUP"; copies: 1 | 2 }
  /** Unsequenced: send again the remembered reply to `seq` (a short line instead of the whole request). */
  | { cmd: "RPT"; seq: number }
  | { cmd: "RCELL"; row: number; col: number; volts: number }
  | { cmd: "RROW"; row: number; volts: number }
  /** 1 to LIM `mvb` input vectors of DAC codes, each run as its own product; the answer carries one output vector each. */
  | { cmd: "MVF" | "MVT"; vectors: number[][] }
  | { cmd: "PCELL"; row: number; col: number; volts: number; seconds: number; count: number }
  | { cmd: "PROW" | "PCOL"; line: number; scheme: 2 | 3; volts: number; seconds: number; counts: number[] };

export type Command = Request["cmd"];
export const COMMANDS: readonly Command[] = ["ID", "LIM", "PING", "ST", "EN", "RST", "NEW", "DUP", "RPT", "RCELL", "RROW", "MVF", "MVT", "PCELL", "PROW", "PCOL"];
/** Commands allowed unsequenced (SEQ 0000): read-only, executed every time. */
export const UNSEQUENCED_COMMANDS: readonly Command[] = ["ID", "LIM", "ST", "EN", "PING", "RPT"];
/** Commands that change the device's state: never resent into a new session after a device reset. */
export const MUTATING_COMMANDS: readonly Command[] = ["PCELL", "PROW", "PCOL"];

export type ErrorCode = "CRC" | "LONG" | "SYNTAX" | "UNKNOWN" | "LIMIT" | "ORDER" | "HELD" | "REUSED" | "BUSY" | "FAULT";
export const ERROR_CODES: readonly ErrorCode[] = ["CRC", "LONG", "SYNTAX", "UNKNOWN", "LIMIT", "ORDER", "HELD", "REUSED", "BUSY", "FAULT"];
/** Error replies the device keeps in its reply memory (the request consumed its SEQ): a hardware fault only. */
export const REMEMBERED_ERROR_CODES: readonly ErrorCode[] = ["FAULT"];
/**
 * Refusals of a CRC-valid line (PROTOCOL.md §3): nothing done, not remembered, `next` unchanged. A line damaged in
 * transit that still passed its CRC can earn one, so the host resends the identical line once; the same refusal
 * of the same bytes again is the device's real answer.
 */
export const REFUSAL_CODES: readonly ErrorCode[] = ["SYNTAX", "UNKNOWN", "LIMIT", "REUSED"];
/** Most key names one `LIM` request may carry (the firmware splits a line into at most 8 fields). */
export const MAX_LIM_KEYS_PER_REQUEST = 6;

export type Reply =
  | { kind: "ok"; cmd: Command; energy: EnergyBreakdown; durationSeconds: number; payload: string[] }
  | { kind: "err"; code: ErrorCode; text: string }
  | { kind: "boot"; nonce: number };

/** A request the device cannot parse: the ERR code and text it answers with. */
export class RequestError extends Error {
  constructor(readonly code: "SYNTAX" | "UNKNOWN", detail: string) {
    super(detail);
    this.name = "RequestError";
  }
}

// --- requests ---

export function requestFields(req: Request, widths: CodeWidths): string[] {
  const exact = widths.exact === true;
  const uV = (v: number) => toUnits(v, 6, exact);
  const ns = (s: number) => toUnits(s, 9, exact);
  switch (req.cmd) {
    case "ID": case "PING": case "ST": case "EN": case "RST":
      return [req.cmd];
    case "LIM":
      return ["LIM", ...(req.keys ?? [])];
    case "NEW":
      return ["NEW", formatHex32(req.nonce)];
    case "DUP":
      return ["DUP", String(req.copies)];
    case "RPT":
      return ["RPT", req.seq.toString(16).toUpperCase().padStart(4, "0")];
    case "RCELL":
      return ["RCELL", String(req.row), String(req.col), uV(req.volts)];
    case "RROW":
      return ["RROW", String(req.row), uV(req.volts)];
    case "MVF": case "MVT":
      return [req.cmd, ...req.vectors.map((v) => encodeSignedVector(v, widths.vhex))];
    case "PCELL":
      return ["PCELL", String(req.row), String(req.col), uV(req.volts), ns(req.seconds), String(req.count)];
    case "PROW": case "PCOL":
      return [req.cmd, String(req.line), String(req.scheme), uV(req.volts), ns(req.seconds), encodeUnsignedVector(req.counts, widths.chex)];
  }
}

const ARITY: Record<Command, number> = { ID: 0, LIM: 0, PING: 0, ST: 0, EN: 0, RST: 0, NEW: 1, DUP: 1, RPT: 1, RCELL: 3, RROW: 2, MVF: 1, MVT: 1 /* or more: parseProductRequest */, PCELL: 5, PROW: 5, PCOL: 5 };

/** Parses a request's fields (the device side). Vector lengths are checked by the caller, which knows rows/cols. */
export function parseRequest(fields: string[], widths: CodeWidths): Request {
  const cmd = fields[0] as Command;
  if (!(COMMANDS as readonly string[]).includes(cmd)) throw new RequestError("UNKNOWN", `unknown command ${fields[0]}`);
  const args = fields.slice(1);
  if (cmd === "LIM") return parseLimitsRequest(args);
  if (cmd === "MVF" || cmd === "MVT") return parseProductRequest(cmd, args, widths);
  if (args.length !== ARITY[cmd]) throw new RequestError("SYNTAX", `${cmd} takes ${ARITY[cmd]} arguments, got ${args.length}`);
  try {
    switch (cmd) {
      case "ID": case "PING": case "ST": case "EN": case "RST":
        return { cmd };
      case "NEW":
        return { cmd, nonce: parseHex32(args[0]!, "nonce") };
      case "DUP":
        if (args[0] !== "1" && args[0] !== "2") throw new ValueError("copies", args[0]!, "must be 1 or 2");
        return { cmd, copies: args[0] === "1" ? 1 : 2 };
      case "RPT":
        if (!/^[0-9A-F]{4}$/.test(args[0]!) || args[0] === "0000") throw new ValueError("seq", args[0]!, "is not a sequence number (4 uppercase hex digits, not 0000)");
        return { cmd, seq: parseInt(args[0]!, 16) };
      case "RCELL":
        return { cmd, row: parseUnsigned(args[0]!, "row"), col: parseUnsigned(args[1]!, "col"), volts: fromUnits(args[2]!, 6, "uV") };
      case "RROW":
        return { cmd, row: parseUnsigned(args[0]!, "row"), volts: fromUnits(args[1]!, 6, "uV") };
      case "PCELL":
        return {
          cmd, row: parseUnsigned(args[0]!, "row"), col: parseUnsigned(args[1]!, "col"), volts: fromUnits(args[2]!, 6, "uV"),
          seconds: fromUnits(args[3]!, 9, "ns"), count: parseUnsigned(args[4]!, "count"),
        };
      case "PROW": case "PCOL": {
        const scheme = args[1] === "2" ? 2 : args[1] === "3" ? 3 : null;
        if (scheme === null) throw new ValueError("scheme", args[1]!, "must be 2 (V/2) or 3 (V/3)");
        return {
          cmd, line: parseUnsigned(args[0]!, "line"), scheme, volts: fromUnits(args[2]!, 6, "uV"),
          seconds: fromUnits(args[3]!, 9, "ns"), counts: decodeUnsignedVector(args[4]!, widths.chex, "counts"),
        };
      }
    }
  } catch (e) {
    if (e instanceof ValueError) throw new RequestError("SYNTAX", e.message);
    throw e;
  }
}

/** MVF/MVT take one or more vectors (PROTOCOL.md §5); how many a device runs in one line is its LIM `mvb`. */
function parseProductRequest(cmd: "MVF" | "MVT", args: string[], widths: CodeWidths): Request {
  if (args.length < 1) throw new RequestError("SYNTAX", `${cmd} takes at least one vector`);
  try {
    return { cmd, vectors: args.map((a, k) => decodeSignedVector(a, widths.vhex, `codes[${k}]`)) };
  } catch (e) {
    if (e instanceof ValueError) throw new RequestError("SYNTAX", e.message);
    throw e;
  }
}

function parseLimitsRequest(keys: string[]): Request {
  if (keys.length > MAX_LIM_KEYS_PER_REQUEST) throw new RequestError("SYNTAX", `LIM takes at most ${MAX_LIM_KEYS_PER_REQUEST} key names, got ${keys.length}`);
  return keys.length > 0 ? { cmd: "LIM", keys } : { cmd: "LIM" };
}

// --- replies ---

export function replyFields(reply: Reply): string[] {
  switch (reply.kind) {
    case "ok": {
      const e = reply.energy;
      return ["OK", reply.cmd, formatMeasure(e.cell), formatMeasure(e.halfSelected), formatMeasure(e.peripheral), formatMeasure(reply.durationSeconds), ...reply.payload];
    }
    case "err":
      return ["ERR", reply.code, ...textFields(reply.text)];
    case "boot":
      return ["BOOT", formatHex32(reply.nonce)];
  }
}

/** Free text as fields: printable ASCII without '*', runs of spaces collapsed. */
function textFields(text: string): string[] {
  return text.replace(/[^\x21-\x7e ]|\*/g, "?").split(" ").filter((f) => f.length > 0);
}

/** Parses a reply's fields (the host side). Throws ValueError naming the bad field. */
export function parseReply(fields: string[]): Reply {
  const kind = fields[0];
  if (kind === "OK") {
    if (fields.length < 6) throw new ValueError("reply", fields.join(" "), "OK needs CMD and four measurement fields");
    const cmd = fields[1] as Command;
    if (!(COMMANDS as readonly string[]).includes(cmd)) throw new ValueError("reply.cmd", fields[1]!, "is not a command");
    return {
      kind: "ok",
      cmd,
      energy: {
        cell: parseMeasure(fields[2]!, "Ecell"),
        halfSelected: parseMeasure(fields[3]!, "Ehalf"),
        peripheral: parseMeasure(fields[4]!, "Eperiph"),
      },
      durationSeconds: parseMeasure(fields[5]!, "Tdur"),
      payload: fields.slice(6),
    };
  }
  if (kind === "ERR") {
    const code = fields[1] as ErrorCode;
    if (!(ERROR_CODES as readonly string[]).includes(code)) throw new ValueError("reply.code", String(fields[1]), "is not an error code");
    return { kind: "err", code, text: fields.slice(2).join(" ") };
  }
  if (kind === "BOOT") {
    if (fields.length !== 2) throw new ValueError("reply", fields.join(" "), "BOOT takes one nonce");
    return { kind: "boot", nonce: parseHex32(fields[1]!, "boot") };
  }
  throw new ValueError("reply", fields.join(" "), "is not OK, ERR or BOOT");
}

// --- key=value payloads (ID, LIM, ST) ---

export function formatKeyValues(entries: Record<string, string | number | boolean>): string[] {
  return Object.entries(entries).map(([k, v]) => `${k}=${typeof v === "boolean" ? (v ? "1" : "0") : typeof v === "number" ? formatDecimal(v) : v}`);
}

export function parseKeyValues(payload: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of payload) {
    const eq = f.indexOf("=");
    if (eq <= 0) throw new ValueError("payload", f, "is not key=value");
    out.set(f.slice(0, eq), f.slice(eq + 1));
  }
  return out;
}

function need(kv: Map<string, string>, key: string): string {
  const v = kv.get(key);
  if (v === undefined || v === "") throw new ValueError(key, "", "is missing");
  return v;
}

/** What `ID` reports. */
export interface WireIdentity {
  model: string;
  serial: string;
  fw: string;
  proto: string;
  rows: number;
  cols: number;
  boot: number;
}

export function identityPayload(id: WireIdentity): string[] {
  return [`model=${id.model}`, `serial=${id.serial}`, `fw=${id.fw}`, `proto=${id.proto}`, `rows=${id.rows}`, `cols=${id.cols}`, `boot=${formatHex32(id.boot)}`];
}

export function parseIdentityPayload(payload: string[]): WireIdentity {
  const kv = parseKeyValues(payload);
  return {
    model: need(kv, "model"),
    serial: need(kv, "serial"),
    fw: need(kv, "fw"),
    proto: need(kv, "proto"),
    rows: parseUnsigned(need(kv, "rows"), "rows", 65535),
    cols: parseUnsigned(need(kv, "cols"), "cols", 65535),
    boot: parseHex32(need(kv, "boot"), "boot"),
  };
}

/** What `LIM` reports: limits, scaling, capabilities and link parameters (PROTOCOL.md §5). */
export interface WireLimits {
  vrmax: number; vpmax: number; vnmax: number; wmin: number; wmax: number; cmax: number; icomp: number;
  dac: number; adc: number;
  vlsb: number; vhex: number; alsb: number; alsbf: number; alsbt: number; ahex: number; chex: number; vread: number;
  schemes: (2 | 3)[]; par: boolean; mvt: boolean; rrow: boolean;
  /** Optional (default 0): the device takes exact decimals in µV/ns fields (the twin does; firmware need not). */
  exact: boolean;
  /** Optional (default 0): sequenced lines that arrive ahead of `next` the device keeps until the gap fills (§3). */
  hold: number;
  /** Optional (default 1): the most copies of every line the device sends when asked (`DUP`, §4). */
  dup: number;
  /** Optional (default 0): the device takes copies of request lines marked `+` and acts on a copy only once (§3). */
  rcopy: boolean;
  /** Optional (default 1): the most input vectors one MVF/MVT line may carry (§5). */
  mvb: number;
  mem: number; maxin: number; rxbuf: number; quiet: number; endur: number;
}

const DECIMAL_KEYS = ["vrmax", "vpmax", "vnmax", "wmin", "wmax", "icomp", "vlsb", "alsb", "alsbf", "alsbt", "vread", "quiet"] as const;
const UNSIGNED_KEYS = ["cmax", "dac", "adc", "vhex", "ahex", "chex", "mem", "maxin", "rxbuf", "endur"] as const;
const FLAG_KEYS = ["par", "mvt", "rrow"] as const;

/** Every LIM key a device of this version may report, in the order it reports them (`alsbf`, `alsbt`, `exact`, `hold`, `dup`, `rcopy`, `mvb` optional). */
export const LIMIT_KEYS = [
  "vrmax", "vpmax", "vnmax", "wmin", "wmax", "cmax", "icomp", "dac", "adc", "vlsb", "vhex", "alsb", "alsbf", "alsbt", "ahex", "chex",
  "vread", "schemes", "par", "mvt", "rrow", "exact", "mem", "hold", "dup", "rcopy", "mvb", "maxin", "rxbuf", "quiet", "endur",
] as const;

/** The LIM payload: every key, or (`keys`) only the named ones in the device's order, unknown names left out. */
export function limitsPayload(l: WireLimits, keys?: readonly string[]): string[] {
  const all = allLimitsPayload(l);
  if (!keys || keys.length === 0) return all;
  return all.filter((kv) => keys.includes(kv.slice(0, kv.indexOf("="))));
}

function allLimitsPayload(l: WireLimits): string[] {
  const out: string[] = [];
  for (const k of ["vrmax", "vpmax", "vnmax", "wmin", "wmax", "cmax", "icomp", "dac", "adc", "vlsb", "vhex", "alsb", "alsbf", "alsbt", "ahex", "chex", "vread"] as const) {
    out.push(`${k}=${(UNSIGNED_KEYS as readonly string[]).includes(k) ? String(l[k]) : formatDecimal(l[k])}`);
  }
  out.push(`schemes=${l.schemes.join(",")}`);
  for (const k of FLAG_KEYS) out.push(`${k}=${l[k] ? 1 : 0}`);
  if (l.exact) out.push("exact=1");
  out.push(`mem=${l.mem}`);
  if (l.hold > 0) out.push(`hold=${l.hold}`);
  if (l.dup > 1) out.push(`dup=${l.dup}`);
  if (l.rcopy) out.push("rcopy=1");
  if (l.mvb > 1) out.push(`mvb=${l.mvb}`);
  for (const k of ["maxin", "rxbuf", "quiet", "endur"] as const) out.push(`${k}=${k === "quiet" ? formatDecimal(l[k]) : String(l[k])}`);
  return out;
}

export function parseLimitsPayload(payload: string[]): WireLimits {
  const kv = parseKeyValues(payload);
  const out: Record<string, unknown> = {};
  for (const k of DECIMAL_KEYS) {
    if (k === "alsbf" || k === "alsbt") continue;
    out[k] = parseDecimal(need(kv, k), k);
  }
  // Boards with one current range may leave out the product LSBs.
  out.alsbf = kv.has("alsbf") ? parseDecimal(kv.get("alsbf")!, "alsbf") : out.alsb;
  out.alsbt = kv.has("alsbt") ? parseDecimal(kv.get("alsbt")!, "alsbt") : out.alsb;
  for (const k of UNSIGNED_KEYS) {
    const v = parseDecimal(need(kv, k), k);
    if (!Number.isInteger(v) || v < 0) throw new ValueError(k, kv.get(k)!, "is not an unsigned integer");
    out[k] = v;
  }
  for (const k of FLAG_KEYS) {
    const v = need(kv, k);
    if (v !== "0" && v !== "1") throw new ValueError(k, v, "must be 0 or 1");
    out[k] = v === "1";
  }
  const schemes = need(kv, "schemes").split(",").map((s) => {
    if (s !== "2" && s !== "3") throw new ValueError("schemes", kv.get("schemes")!, "must list 2 and/or 3");
    return Number(s) as 2 | 3;
  });
  out.schemes = schemes;
  for (const k of ["exact", "rcopy"] as const) {
    const v = kv.get(k) ?? "0";
    if (v !== "0" && v !== "1") throw new ValueError(k, v, "must be 0 or 1");
    out[k] = v === "1";
  }
  const hold = parseDecimal(kv.get("hold") ?? "0", "hold");
  if (!Number.isInteger(hold) || hold < 0) throw new ValueError("hold", kv.get("hold")!, "is not an unsigned integer");
  out.hold = hold;
  const dup = kv.get("dup") ?? "1";
  if (dup !== "1" && dup !== "2") throw new ValueError("dup", dup, "must be 1 or 2");
  out.dup = Number(dup);
  const mvb = parseDecimal(kv.get("mvb") ?? "1", "mvb");
  if (!Number.isInteger(mvb) || mvb < 1) throw new ValueError("mvb", kv.get("mvb")!, "is not an integer ≥ 1");
  out.mvb = mvb;
  const l = out as unknown as WireLimits;
  for (const k of ["vhex", "ahex"] as const) {
    if (l[k] < 1 || l[k] > 12) throw new ValueError(k, String(l[k]), "must be in [1, 12]");
  }
  if (![2, 4, 8].includes(l.chex)) throw new ValueError("chex", String(l.chex), "must be 2, 4 or 8");
  return l;
}

/** What `ST` reports. */
export interface WireStatus {
  safe: boolean;
  boot: number;
  uptimeMs: number;
}

export function statusPayload(s: WireStatus): string[] {
  return [`safe=${s.safe ? 1 : 0}`, `boot=${formatHex32(s.boot)}`, `up=${Math.floor(s.uptimeMs)}`];
}

export function parseStatusPayload(payload: string[]): WireStatus {
  const kv = parseKeyValues(payload);
  const safe = need(kv, "safe");
  if (safe !== "0" && safe !== "1") throw new ValueError("safe", safe, "must be 0 or 1");
  return { safe: safe === "1", boot: parseHex32(need(kv, "boot"), "boot"), uptimeMs: parseUnsigned(need(kv, "up"), "up") };
}
