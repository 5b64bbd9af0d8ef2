// One direction of the board's serial link: an 8N1 UART at the link's baud rate. A byte takes 10 bit times
// (start, 8 data, stop), so a 57,600-baud link carries at most 5,760 bytes a second; bytes leave in order, one
// after the other, never faster. Time is seconds on the twin's clock.

/** Bits on the wire per byte in 8N1 framing: a start bit, eight data bits, a stop bit. */
const BITS_PER_BYTE = 10;

interface Write {
  bytes: Uint8Array;
  /** When the first byte of this write is through the line. */
  firstDoneAt: number;
  /** Bytes of it already handed on. */
  taken: number;
}

export class UartChannel {
  readonly byteSeconds: number;
  private readonly writes: Write[] = [];
  /** When the last byte written so far is through the line. */
  private lineFreeAt = -Infinity;

  constructor(readonly baud: number) {
    this.byteSeconds = BITS_PER_BYTE / baud;
  }

  /** Queues bytes written at `now`; they follow whatever is still on the line. */
  write(bytes: Uint8Array, now: number): void {
    if (bytes.length === 0) return;
    const start = Math.max(now, this.lineFreeAt);
    this.writes.push({ bytes, firstDoneAt: start + this.byteSeconds, taken: 0 });
    this.lineFreeAt = start + bytes.length * this.byteSeconds;
  }

  /** The bytes through the line by `now`, in order; they leave the queue. */
  take(now: number): Uint8Array {
    const out: number[] = [];
    while (this.writes.length > 0) {
      const w = this.writes[0]!;
      // A hair of tolerance: `now` computed as firstDoneAt + k·byteSeconds must count byte k as through.
      const through = Math.min(w.bytes.length, Math.floor((now - w.firstDoneAt) / this.byteSeconds + 1 + 1e-9));
      for (let i = w.taken; i < through; i++) out.push(w.bytes[i]!);
      w.taken = Math.max(w.taken, through);
      if (w.taken < w.bytes.length) break;
      this.writes.shift();
    }
    return Uint8Array.from(out);
  }

  /** When the next byte not yet handed on is through the line, or null when nothing waits. */
  nextByteAt(): number | null {
    const w = this.writes[0];
    return w ? w.firstDoneAt + w.taken * this.byteSeconds : null;
  }

  /** Hands on the next byte (whether or not it is through yet: ask nextByteAt first). */
  takeByte(): number {
    const w = this.writes[0]!;
    const b = w.bytes[w.taken++]!;
    if (w.taken === w.bytes.length) this.writes.shift();
    return b;
  }

  /** Bytes written and not yet through the line at `now`. */
  unsent(now: number): number {
    return Math.max(0, Math.ceil((this.lineFreeAt - now) / this.byteSeconds - 1e-9));
  }

  /** When the line has no more than `bytes` bytes left to send. */
  freeDownTo(bytes: number): number {
    return this.lineFreeAt - bytes * this.byteSeconds;
  }

  /** When the first write not yet handed on is through whole, or null when nothing waits. */
  nextDoneAt(): number | null {
    const w = this.writes[0];
    return w ? w.firstDoneAt + (w.bytes.length - 1) * this.byteSeconds : null;
  }

  /** Forgets everything on the line (power lost). */
  clear(): void {
    this.writes.length = 0;
    this.lineFreeAt = -Infinity;
  }
}
