// A line from the device as the session first sees it: decoded (frame and reply) or damaged, with the SEQ it names
// when that could be read.
import { mergeDamagedCopies } from "../../protocol/serial-line/copy-merge.js";
import { readFrame } from "../../protocol/serial-line/frame.js";
import { parseReply, type Reply } from "../../protocol/serial-line/messages.js";
import { ValueError } from "../../protocol/serial-line/values.js";
import type { ReceivedLine } from "./copy-pairing.js";

export type DecodedLine = ReceivedLine & { reply?: Reply };

/** Decodes `line`: intact when its frame (CRC included) and reply hold. */
export function receiveLine(line: string): DecodedLine {
  const frame = readFrame(line);
  if ("reason" in frame) return { line, intact: false, seq: frame.seq };
  try {
    return { line, intact: true, seq: frame.seq, reply: parseReply(frame.fields) };
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    return { line, intact: false, seq: frame.seq };
  }
}

/** The intact line two damaged copies were sent as (copy-merge.ts), decoded; null when it cannot be told. */
export function mergeReceived(a: ReceivedLine, b: ReceivedLine): DecodedLine | null {
  return mergeDamagedCopies(a.line, b.line, (l) => {
    const r = receiveLine(l);
    return r.intact ? r : null;
  });
}
