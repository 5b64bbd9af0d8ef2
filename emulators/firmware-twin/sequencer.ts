// The exactly-once rules of PROTOCOL.md §3 on the device side: `next`, the reply memory, the lines held ahead of
// `next`, and sessions. It decides what a CRC-valid sequenced line may do; the twin executes and then commits what
// consumed a SEQ.
import { nextSeq, seqsAhead, UNSEQUENCED } from "../../protocol/serial-line/frame.js";

interface Remembered {
  crc: number;
  line: string;
}

/** A CRC-valid line that arrived ahead of `next`, kept until the lines before it have run. */
export interface HeldLine {
  seq: number;
  crc: number;
  fields: string[];
}

/** What a sequenced line may do, in the order §3 checks it. */
export type Admission =
  | { kind: "replay"; line: string }
  | { kind: "reused" }
  | { kind: "new-session" }
  | { kind: "execute" }
  | { kind: "hold"; expected: number }
  | { kind: "order"; expected: number };

export class Sequencer {
  /** The session number (one per NEW), for the applied-pulse log. */
  session = 0;
  private next = UNSEQUENCED;
  private readonly memory = new Map<number, Remembered>();
  private readonly held = new Map<number, HeldLine>();

  /** `depth` replies remembered; up to `holdLines` lines kept ahead of `next` (0: none, every such line is ORDER). */
  constructor(private readonly depth: number, private readonly holdLines = 0) {}

  /** Power-up: no session, empty memory, nothing held. */
  reset(): void {
    this.next = UNSEQUENCED;
    this.memory.clear();
    this.held.clear();
  }

  admit(seq: number, crc: number, cmd: string | undefined): Admission {
    const remembered = this.memory.get(seq);
    if (remembered?.crc === crc) return { kind: "replay", line: remembered.line };
    // A NEW under a SEQ remembered with another request is a new host's session (each numbers from 0001, and a
    // short last session is still remembered), not a reused SEQ.
    if (cmd === "NEW") return { kind: "new-session" };
    if (remembered) return { kind: "reused" };
    if (this.next === UNSEQUENCED) return { kind: "order", expected: this.next };
    if (seq === this.next) return { kind: "execute" };
    const kept = this.held.get(seq);
    if (kept) return kept.crc === crc ? { kind: "hold", expected: this.next } : { kind: "order", expected: this.next };
    // Within the host's window (≤ the reply memory) ahead of `next`, and room left: keep it (selective repeat).
    const ahead = seqsAhead(this.next, seq);
    if (ahead > 0 && ahead < this.depth && this.held.size < this.holdLines) return { kind: "hold", expected: this.next };
    return { kind: "order", expected: this.next };
  }

  /** Whether `seq` has been taken: its reply is remembered or its line is held (a copy of it is then dropped). */
  taken(seq: number): boolean {
    return this.memory.has(seq) || this.held.has(seq);
  }

  /** Keeps a line admitted as "hold" (a copy already kept is kept once). */
  hold(line: HeldLine): void {
    this.held.set(line.seq, line);
  }

  /** The held line that is now `next`, taken out of the hold; none when the line for `next` has not arrived. */
  takeNext(): HeldLine | undefined {
    const line = this.held.get(this.next);
    if (line) this.held.delete(this.next);
    return line;
  }

  /** The remembered reply line for `seq` (RPT), if any. */
  recall(seq: number): string | undefined {
    return this.memory.get(seq)?.line;
  }

  /** The SEQ it will execute next (0000: no session). */
  get expected(): number {
    return this.next;
  }

  /** A NEW was executed: the memory and the hold empty and the session starts after `seq`. */
  startSession(seq: number): void {
    this.memory.clear();
    this.held.clear();
    this.session++;
    this.next = nextSeq(seq);
  }

  /** A reply that consumed `seq` (OK, FAULT, the NEW): remembered, and `next` moves on. */
  commit(seq: number, crc: number, line: string): void {
    this.memory.set(seq, { crc, line });
    while (this.memory.size > this.depth) this.memory.delete(this.memory.keys().next().value!);
    this.next = nextSeq(seq);
  }
}
