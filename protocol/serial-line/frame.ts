// Line framing of firmware/PROTOCOL.md §1: `SEQ FIELD... *CRC`, pure functions, no I/O.
import { crc32c } from "./crc32c.js";

/** Longest line the host accepts from a device, bytes including the '\n'. */
export const MAX_DEVICE_LINE_BYTES = 4095;
/** Every device accepts host lines at least this long (bytes including the '\n'). */
export const MIN_DEVICE_MAXIN = 128;
/**
 * What ends a line on the wire: two line breaks (PROTOCOL.md §1). Receivers ignore empty lines, so one break lost or
 * damaged on the way neither merges two lines (losing both) nor leaves a line waiting for the next one.
 */
export const LINE_END = "\n\n";
/**
 * Marks a host line as a copy of the sequenced request it precedes by one byte (PROTOCOL.md §3, request copies; LIM
 * rcopy): a device acts on it only when it has not already taken that SEQ, so a copy never runs or answers twice.
 */
export const COPY_MARK = "+";
/** The reserved sequence number: unsequenced host requests and device lines answering no request. */
export const UNSEQUENCED = 0;

/** One line: its sequence number and its space-separated fields (the command or OK/ERR/BOOT first). */
export interface Frame {
  seq: number;
  fields: string[];
}

/** A line that is not a valid frame. `seq` is the readable sequence number of a damaged line, if any. */
export class FrameError extends Error {
  constructor(readonly reason: "crc" | "syntax", readonly seq: number | null, detail: string) {
    super(detail);
    this.name = "FrameError";
  }
}

const HEX4 = /^[0-9A-F]{4}$/;
const HEX8 = /^[0-9A-F]{8}$/;
/** The trailer after the body: ' *' and the CRC's 8 hex digits. */
export const TRAILER_BYTES = 10;

export function formatSeq(seq: number): string {
  return seq.toString(16).toUpperCase().padStart(4, "0");
}

function formatCrc(crc: number): string {
  return crc.toString(16).toUpperCase().padStart(8, "0");
}

/** The sequence number after `seq` (0001…FFFF, then 0001 again: 0000 is reserved). */
export function nextSeq(seq: number): number {
  return seq >= 0xffff ? 1 : seq + 1;
}

/** How many sequence numbers `seq` is ahead of `from` (0 … FFFE; they run 0001…FFFF and wrap to 0001). */
export function seqsAhead(from: number, seq: number): number {
  return (seq - from + 0xffff) % 0xffff;
}

function isFieldChar(c: number): boolean {
  return c > 0x20 && c < 0x7f && c !== 0x2a; // printable, no space, no '*'
}

/** The line for a frame, without the '\n'. Throws on a field the protocol cannot carry. */
export function encodeFrame(frame: Frame): string {
  const { seq, fields } = frame;
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffff) throw new RangeError(`seq ${seq} is not a 16-bit integer`);
  if (fields.length === 0) throw new RangeError("a frame needs at least one field");
  for (const f of fields) {
    if (f.length === 0) throw new RangeError("empty field");
    for (let i = 0; i < f.length; i++) {
      if (!isFieldChar(f.charCodeAt(i))) throw new RangeError(`field ${JSON.stringify(f)} has a character the protocol cannot carry`);
    }
  }
  const body = `${formatSeq(seq)} ${fields.join(" ")} `;
  return `${body}*${formatCrc(crc32c(body))}`;
}

/** Parses one received line (without its '\n'; a trailing '\r' is ignored). Throws FrameError. */
export function decodeFrame(raw: string): Frame {
  const frame = readFrame(raw);
  if ("reason" in frame) throw new FrameError(frame.reason, frame.seq, frame.detail);
  return frame;
}

/** Why a line is not a frame (FrameError's fields). */
export interface FrameProblem {
  reason: "crc" | "syntax";
  seq: number | null;
  detail: string;
}

/**
 * decodeFrame without an exception: the frame, or why the line is not one. On a noisy link damaged lines are common
 * (and a merge of two damaged copies tries dozens), and an Error's stack costs more than the check.
 */
export function readFrame(raw: string): Frame | FrameProblem {
  const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
  const seqText = line.slice(0, 4);
  const seq = HEX4.test(seqText) && line.charCodeAt(4) === 0x20 ? parseInt(seqText, 16) : null;
  const syntax = (detail: string): FrameProblem => ({ reason: "syntax", seq, detail });
  if (line.length < 6 + TRAILER_BYTES) return syntax("line too short"); // "SEQ X *CRC"
  if (line.length + 1 > MAX_DEVICE_LINE_BYTES) return syntax(`line longer than ${MAX_DEVICE_LINE_BYTES} bytes`);
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return syntax(`byte 0x${c.toString(16)} at ${i} is not printable ASCII`);
  }
  const star = line.length - TRAILER_BYTES + 1;
  if (line.charCodeAt(star) !== 0x2a || line.charCodeAt(star - 1) !== 0x20) return syntax("no ' *CRC' at the end");
  const crcText = line.slice(star + 1);
  if (!HEX8.test(crcText)) return syntax("CRC is not 8 uppercase hex digits");
  if (crc32c(line, star) !== parseInt(crcText, 16)) return { reason: "crc", seq, detail: "CRC mismatch" };
  if (seq === null) return syntax("SEQ is not 4 uppercase hex digits and a space");
  const fields = line.slice(5, star - 1).split(" ");
  for (const f of fields) {
    if (f.length === 0) return syntax("empty field (two spaces in a row)");
    if (f.includes("*")) return syntax("'*' inside a field");
  }
  return { seq, fields };
}

/** The CRC a line carries (the key of the device's reply memory). Assumes a decoded, valid line. */
export function lineCrc(line: string): number {
  const l = line.endsWith("\r") ? line.slice(0, -1) : line;
  return parseInt(l.slice(-8), 16);
}
