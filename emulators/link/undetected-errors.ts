// A seeded experiment: how often does a pulse line damaged on the wire still pass the receiver's check? Valid PCELL
// and PROW lines go through the byte-level fault model of emulators/link/lane.ts (each byte corrupted, dropped or
// duplicated at the given rates), conditioned on at least one fault; the pieces the receiver would see (split at
// '\n') are checked by protocol v1's framing (4 hex digits of CRC-16/CCITT-FALSE) and by v2's (8 of CRC-32C, kept in v3;
// the lines are v3's, base-64 vectors).
// A piece that passes is an undetected error; one that also parses as a pulse within the device's limits would have
// been applied. Runs in a test (tests/serial/undetected-errors.test.ts) and, for a larger count, as a script:
//   node dist/emulators/link/undetected-errors.js 20000000 [seed] [p: corrupt = drop = p, duplicate = p/2; default 0.01]
import { crc16CcittFalse } from "../../protocol/serial-line/crc16.js";
import { crc32c } from "../../protocol/serial-line/crc32c.js";
import { decodeFrame, encodeFrame } from "../../protocol/serial-line/frame.js";
import { parseRequest, requestFields, type CodeWidths, type Request } from "../../protocol/serial-line/messages.js";
import { Rng } from "../../src/random/rng.js";

export interface UndetectedCount {
  damagedLines: number;
  /** Pieces that passed the check. */
  passedCrc16: number;
  passedCrc32c: number;
  /** … and parsed as a pulse within the limits below: it would have been applied. */
  appliedCrc16: number;
  appliedCrc32c: number;
}

const WIDTHS: CodeWidths = { vhex: 4, ahex: 4, chex: 2 };
/** The ATmega firmware's limits (PROTOCOL.md §5 LIM): µV and ns as on the wire. */
const LIMITS = { rows: 16, cols: 16, vpmax: 1.5, vnmax: 1.35, wmin: 20e-6, wmax: 10e-3, cmax: 100 };

/** Protocol v1 framing: `SEQ … *XXXX`, one '*', printable, CRC-16/CCITT-FALSE over everything before the '*'. */
function v1Frame(body: string): string {
  return `${body} *${crc16CcittFalse(`${body} `).toString(16).toUpperCase().padStart(4, "0")}`;
}

function v1Fields(line: string): string[] | null {
  const m = /^([0-9A-F]{4} [ -)+-~]*) \*([0-9A-F]{4})$/.exec(line);
  if (!m || crc16CcittFalse(`${m[1]} `) !== parseInt(m[2]!, 16)) return null;
  const fields = m[1]!.split(" ");
  return fields.some((f) => f.length === 0) ? null : fields;
}

function v2Fields(line: string): string[] | null {
  // decodeFrame accepts only lines whose CRC matches: check that first (cheaply, no exception) for speed.
  const star = line.length - (line.endsWith("\r") ? 10 : 9);
  if (star < 1 || line.charCodeAt(star) !== 0x2a || crc32c(line, star) !== parseInt(line.slice(star + 1, star + 9), 16)) return null;
  try {
    const f = decodeFrame(line);
    return [f.seq.toString(16).toUpperCase().padStart(4, "0"), ...f.fields];
  } catch {
    return null;
  }
}

/** Whether the device would apply these fields: a pulse request that parses and is within every limit. */
function wouldApply(fields: string[] | null): boolean {
  if (!fields) return false;
  let req: Request;
  try {
    req = parseRequest(fields.slice(1), WIDTHS);
  } catch {
    return false;
  }
  const L = LIMITS;
  const shape = (volts: number, seconds: number) => volts <= L.vpmax && -volts <= L.vnmax && seconds >= L.wmin && seconds <= L.wmax;
  if (req.cmd === "PCELL") return req.row < L.rows && req.col < L.cols && req.count <= L.cmax && shape(req.volts, req.seconds);
  if (req.cmd === "PROW" || req.cmd === "PCOL") return req.line < L.rows && req.counts.length === L.cols && req.counts.every((c) => c <= L.cmax) && shape(req.volts, req.seconds);
  return false;
}

function randomPulse(rng: Rng): Request {
  const volts = (rng.uniform() < 0.5 ? 1 : -1) * (0.8 + rng.int(50) / 100);
  const seconds = (20 + rng.int(980)) * 1e-6;
  if (rng.uniform() < 0.6) return { cmd: "PCELL", row: rng.int(16), col: rng.int(16), volts, seconds, count: 1 + rng.int(8) };
  return { cmd: "PROW", line: rng.int(16), scheme: 2, volts, seconds, counts: Array.from({ length: 16 }, () => (rng.uniform() < 0.3 ? rng.int(5) : 0)) };
}

/**
 * The fault model of emulators/link/lane.ts on one line's bytes (its '\n' included), drawn fault by fault: the gap to the
 * next faulty byte is geometric, then the kind by its share (a byte hit twice is rare enough to ignore here).
 */
function damage(rng: Rng, bytes: string, pCorrupt: number, pDrop: number, pDup: number): string {
  const pAny = pCorrupt + pDrop + pDup;
  const logKeep = Math.log1p(-pAny);
  let out = "";
  let at = 0;
  for (;;) {
    const gap = Math.floor(Math.log1p(-rng.uniform()) / logKeep);
    if (at + gap >= bytes.length) return out + bytes.slice(at);
    out += bytes.slice(at, at + gap);
    at += gap;
    const kind = rng.uniform() * pAny;
    const c = bytes.charCodeAt(at);
    if (kind < pCorrupt) out += String.fromCharCode((c + 1 + rng.int(255)) & 0xff);
    else if (kind >= pCorrupt + pDrop) out += bytes[at]! + bytes[at]!;
    at++;
  }
}

/** The line as sent (a damaged '\n' after it, or a '\r' before it, which receivers ignore, leaves it intact). */
function intact(piece: string, sent: string): boolean {
  const line = sent.slice(0, -1);
  return piece === line || piece === `${line}\r`;
}

/** `lines` damaged pulse lines at the given byte fault rates, each framed both ways with the same damage. */
export function countUndetected(lines: number, seed: number, rates = { corrupt: 0.01, drop: 0.01, duplicate: 0.005 }): UndetectedCount {
  const rng = new Rng(seed);
  const n: UndetectedCount = { damagedLines: 0, passedCrc16: 0, passedCrc32c: 0, appliedCrc16: 0, appliedCrc32c: 0 };
  while (n.damagedLines < lines) {
    const req = randomPulse(rng);
    const body = encodeFrame({ seq: 1 + rng.int(0xfffe), fields: requestFields(req, WIDTHS) });
    const sent = { v1: v1Frame(body.slice(0, body.lastIndexOf(" *"))) + "\n", v2: body + "\n" };
    // The same fault draws for both framings: replay the generator from the same state.
    const state = rng.getState();
    const d1 = damage(rng, sent.v1, rates.corrupt, rates.drop, rates.duplicate);
    rng.setState(state);
    const d2 = damage(rng, sent.v2, rates.corrupt, rates.drop, rates.duplicate);
    if (d1 === sent.v1 && d2 === sent.v2) continue;
    n.damagedLines++;
    for (const piece of d1.split("\n")) {
      if (intact(piece, sent.v1)) continue;
      const f = v1Fields(piece);
      if (f) n.passedCrc16++;
      if (wouldApply(f)) n.appliedCrc16++;
    }
    for (const piece of d2.split("\n")) {
      if (intact(piece, sent.v2)) continue;
      const f = v2Fields(piece);
      if (f) n.passedCrc32c++;
      if (wouldApply(f)) n.appliedCrc32c++;
    }
  }
  return n;
}

if (process.argv[1]?.endsWith("undetected-errors.js")) {
  const lines = Number(process.argv[2] ?? 1_000_000);
  const seed = Number(process.argv[3] ?? 20261123);
  const p = Number(process.argv[4] ?? 0.01); // corrupt = drop = p, duplicate = p/2
  const t0 = performance.now();
  const n = countUndetected(lines, seed, { corrupt: p, drop: p, duplicate: p / 2 });
  console.log(JSON.stringify({ ...n, seed, rates: [p, p, p / 2], seconds: Math.round((performance.now() - t0) / 1000) }));
}
