// Which transmission an answer belongs to. A device answers lines in the order it received them, so an answer
// for SEQ s is for the oldest logged copy of s not yet answered; copies skipped over were lost on the way.
// Each copy carries a stamp (a counter over every line sent) so a stale answer is told from a fresh one.

export class SentLog {
  private log: { seq: number; stamp: number; at: number }[] = [];
  private head = 0;
  private stampCounter = 0;

  /** How far ahead of the oldest unanswered copy an answer is looked for (lines lost in a burst). */
  constructor(private readonly searchSpan: () => number) {}

  /** When the copy most recently matched by match() was sent (Date.now() ms): a round-trip sample. */
  lastMatchedAt = 0;

  /** The stamp of the line most recently sent. */
  get lastStamp(): number {
    return this.stampCounter;
  }

  /** Logs one line sent with sequence number `seq`; returns its stamp. */
  record(seq: number): number {
    const stamp = ++this.stampCounter;
    this.log.push({ seq, stamp, at: Date.now() });
    if (this.log.length > 8192) {
      this.log = this.log.slice(this.head);
      this.head = 0;
      if (this.log.length > 8192) this.log = this.log.slice(-4096);
    }
    return stamp;
  }

  /** The stamp of the copy an answer for `seq` answers (and everything before it is passed over), if found. */
  match(seq: number): number | undefined {
    const end = Math.min(this.log.length, this.head + this.searchSpan());
    for (let k = this.head; k < end; k++) {
      if (this.log[k]!.seq === seq) {
        this.head = k + 1;
        this.lastMatchedAt = this.log[k]!.at;
        return this.log[k]!.stamp;
      }
    }
    return undefined;
  }

  /** The oldest copy not yet answered (an answer whose SEQ could not be read answers it), consumed. */
  matchOldest(): { seq: number; stamp: number } | undefined {
    return this.head < this.log.length ? this.log[this.head++] : undefined;
  }

  /** The sequence number of the oldest copy not yet answered, without consuming it. */
  peekOldest(): number | null {
    return this.head < this.log.length ? this.log[this.head]!.seq : null;
  }
}
