// Lines from a device that sends every line twice (PROTOCOL.md §4, `DUP 2`): which of them the host acts on. Of a
// pair it acts on the first intact copy; when both copies are damaged, on the line rebuilt from the two
// (copy-merge.ts), else once on a damaged copy. A pair broken by a line lost whole (both line breaks hit)
// resynchronises on the next intact line.

/** A received line, decoded or not: `seq` is the sequence number it names, when that could be read. */
export interface ReceivedLine {
  line: string;
  intact: boolean;
  seq: number | null;
}

export class CopyPairing {
  private lastIntact: ReceivedLine | null = null;
  private pendingDamaged: ReceivedLine | null = null;
  private flushSoon: NodeJS.Immediate | null = null;

  /**
   * `act` gets the lines to act on, in order; a damaged first copy waits for its partner until the turn ends.
   * `merge` rebuilds the line two damaged copies were sent as (null when it cannot be told).
   */
  constructor(
    private readonly act: (r: ReceivedLine) => void,
    private readonly merge: (a: ReceivedLine, b: ReceivedLine) => ReceivedLine | null = () => null,
  ) {}

  accept(r: ReceivedLine): void {
    const pending = this.pendingDamaged;
    if (pending) {
      this.pendingDamaged = null;
      if (r.intact) {
        // Its partner, unless the two name different requests (the damaged one's partner was lost).
        if (pending.seq !== null && r.seq !== null && pending.seq !== r.seq) {
          this.act(pending);
          this.firstIntact(r);
        } else {
          this.act(r);
        }
      } else {
        // Both copies damaged: the line they rebuild, else one damaged answer. Copies name the same request.
        const paired = pending.seq === null || r.seq === null || pending.seq === r.seq;
        this.act((paired ? this.merge(pending, r) : null) ?? pending);
      }
      return;
    }
    const previous = this.lastIntact;
    if (previous) {
      this.lastIntact = null;
      if (r.intact ? r.line === previous.line : true) return; // the second copy (damaged or not) of an intact first
      this.firstIntact(r); // a new line: the previous one's copy was lost whole
      return;
    }
    if (r.intact) this.firstIntact(r);
    else {
      this.pendingDamaged = r;
      this.flushSoon ??= setImmediate(() => {
        this.flushSoon = null;
        const left = this.pendingDamaged;
        this.pendingDamaged = null;
        if (left) this.act(left);
      });
    }
  }

  /** True (and taken) when `line` is the intact copy of the line just acted on: nothing to decode again. */
  takeCopy(line: string): boolean {
    if (this.lastIntact === null || this.pendingDamaged !== null || line !== this.lastIntact.line) return false;
    this.lastIntact = null;
    return true;
  }

  /** `r`, acted on already, is the first copy of a pair: its copy comes next. */
  expectCopyOf(r: ReceivedLine): void {
    this.lastIntact = r;
  }

  private firstIntact(r: ReceivedLine): void {
    this.act(r);
    this.lastIntact = r;
  }
}
