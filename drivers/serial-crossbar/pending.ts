// One sequenced request on its way: what was asked, the line that carries it, and what its answers so far said.
import { MUTATING_COMMANDS, type ErrorCode, type Request } from "../../protocol/serial-line/messages.js";
import type { OkReply } from "./probe.js";

export interface Pending {
  index: number;
  request: Request;
  fields: string[];
  mutating: boolean;
  /** A PING that took the SEQ of a refused request. */
  filler: boolean;
  /** Expected execution time on the device, ms (long pulse trains). */
  extraMs: number;
  seq: number;
  line: string;
  /** `0000 RPT SEQ`, which asks for its remembered answer (set with `line`). */
  rptLine: string;
  sends: number;
  /** Consecutive timeouts while it was the oldest outstanding. */
  timeouts: number;
  lastSentAt: number;
  /** The stamps of its first and latest copies sent (SentLog). */
  firstStamp: number;
  lastStamp: number;
  /** Outstanding, not held and not resent when a timeout resent only the oldest: maybe lost, nothing heard since. */
  suspect: boolean;
  /** The device answered ERR HELD: it keeps the line and will run it once the requests before it have run. */
  held: boolean;
  /** Its latest send carried a request copy (`+`, PROTOCOL.md §3): a NAK of the line waits for the copy's fate. */
  copied: boolean;
  /** Something other than a NAK came back for it since its latest send (an answer, damaged or not). */
  heard: boolean;
  /** Bytes it holds of the device's receive buffer while outstanding (its line, and its copy's). */
  wireBytes: number;
  /** The refusal seen once (resent as possibly damaged in transit). */
  refusal: ErrorCode | null;
  /** A CRC-valid answer that did not decode, seen once. */
  undecodable: string | null;
  decode(reply: OkReply): unknown;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** A request not yet numbered (seq and line are set when it is first sent). */
export function newPending(
  index: number, request: Request, fields: string[], expectedSeconds: number, decode: (r: OkReply) => unknown, resolve: (v: unknown) => void, reject: (e: Error) => void,
): Pending {
  return {
    index, request, fields, mutating: (MUTATING_COMMANDS as readonly string[]).includes(request.cmd), filler: false,
    extraMs: expectedSeconds * 1000, seq: 0, line: "", rptLine: "", sends: 0, timeouts: 0, lastSentAt: 0, firstStamp: 0, lastStamp: 0, suspect: false, held: false, copied: false, heard: false, wireBytes: 0, refusal: null, undecodable: null,
    decode, resolve, reject,
  };
}

export function hex4(v: number): string {
  return v.toString(16).toUpperCase().padStart(4, "0");
}
