// The exactly-once rules of PROTOCOL.md §3 on the device side: `next`, the reply memory and sessions.
// It decides what a CRC-valid sequenced line may do; the twin executes and then commits what consumed a SEQ.
import { nextSeq, UNSEQUENCED } from "../../protocol/serial-line/frame.js";

interface Remembered {
  crc: number;
  line: string;
}

/** What a sequenced line may do, in the order §3 checks it. */
export type Admission =
  | { kind: "replay"; line: string }
  | { kind: "reused" }
  | { kind: "new-session" }
  | { kind: "execute" }
  | { kind: "order"; expected: number };

export class Sequencer {
  /** The session number (one per NEW), for the applied-pulse log. */
  session = 0;
  private next = UNSEQUENCED;
  private readonly memory = new Map<number, Remembered>();

  constructor(private readonly depth: number) {}

  /** Power-up: no session, empty memory. */
  reset(): void {
    this.next = UNSEQUENCED;
    this.memory.clear();
  }

  admit(seq: number, crc: number, cmd: string | undefined): Admission {
    const remembered = this.memory.get(seq);
    if (remembered) return remembered.crc === crc ? { kind: "replay", line: remembered.line } : { kind: "reused" };
    if (cmd === "NEW") return { kind: "new-session" };
    if (seq !== this.next || this.next === UNSEQUENCED) return { kind: "order", expected: this.next };
    return { kind: "execute" };
  }

  /** The remembered reply line for `seq` (RPT), if any. */
  recall(seq: number): string | undefined {
    return this.memory.get(seq)?.line;
  }

  /** The SEQ it will execute next (0000: no session). */
  get expected(): number {
    return this.next;
  }

  /** A NEW was executed: the memory empties and the session starts after `seq`. */
  startSession(seq: number): void {
    this.memory.clear();
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
