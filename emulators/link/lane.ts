// One direction of a simulated link: seeded byte faults (drop, corrupt, duplicate, delay), then a throttle
// that delivers at most baud/10 bytes per second (8N1 framing) after a fixed latency. Order is kept.
import { Rng } from "../../src/random/rng.js";

export interface FaultOptions {
  /** Probability that a byte is lost. */
  dropProbability?: number;
  /** Probability that a byte is replaced by a different random byte. */
  corruptProbability?: number;
  /** Probability that a byte arrives twice. */
  duplicateProbability?: number;
  /** Largest extra delay added to a chunk, ms (uniform; order is kept). */
  maxDelayMs?: number;
}

export interface ThrottleOptions {
  /** Line rate in baud; capacity is baud/10 bytes per second. */
  baud: number;
  /** One-way latency added to every byte, ms. */
  latencyMs?: number;
}

export interface LaneStats {
  bytesIn: number;
  bytesOut: number;
  dropped: number;
  corrupted: number;
  duplicated: number;
  /** Time the first byte entered and the last byte was delivered (performance.now ms), for utilization. */
  firstInAt: number;
  lastOutAt: number;
}

/** Moves bytes from `write` to `deliver`, applying faults and the throttle. */
export class Lane {
  readonly stats: LaneStats = { bytesIn: 0, bytesOut: 0, dropped: 0, corrupted: 0, duplicated: 0, firstInAt: 0, lastOutAt: 0 };
  private readonly rng: Rng;
  private readonly queue: { data: Buffer; dueAt: number }[] = [];
  private busyUntil = 0;
  private lastDueAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private blackoutUntil = 0;
  private stopped = false;
  /** Clean bytes before the next drop, corruption and duplication. */
  private untilDrop = Number.POSITIVE_INFINITY;
  private untilCorrupt = Number.POSITIVE_INFINITY;
  private untilDuplicate = Number.POSITIVE_INFINITY;

  constructor(
    private readonly deliver: (data: Buffer) => void,
    private faults: FaultOptions = {},
    private readonly throttle: ThrottleOptions | null = null,
    seed: number | string = 0,
  ) {
    this.rng = new Rng(seed);
    this.drawGaps();
    if (throttle && !(throttle.baud > 0)) throw new RangeError(`baud ${throttle.baud} must be > 0`);
  }

  /** Changes the fault rates from now on. */
  setFaults(faults: FaultOptions): void {
    this.faults = faults;
    this.drawGaps();
  }

  private drawGaps(): void {
    this.untilDrop = this.gap(this.faults.dropProbability);
    this.untilCorrupt = this.gap(this.faults.corruptProbability);
    this.untilDuplicate = this.gap(this.faults.duplicateProbability);
  }

  /** Drops every byte written during the next `ms` milliseconds (a cable glitch). */
  blackout(ms: number): void {
    this.blackoutUntil = performance.now() + ms;
  }

  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  write(chunk: Buffer): void {
    if (this.stopped) return;
    const now = performance.now();
    if (this.stats.bytesIn === 0) this.stats.firstInAt = now;
    this.stats.bytesIn += chunk.length;
    if (now < this.blackoutUntil) {
      this.stats.dropped += chunk.length;
      return;
    }
    const data = this.applyFaults(chunk);
    if (data.length === 0) return;
    if (!this.throttle && !this.faults.maxDelayMs) {
      this.emit(data);
      return;
    }
    const extra = this.faults.maxDelayMs ? this.rng.uniform() * this.faults.maxDelayMs : 0;
    if (!this.throttle) {
      this.enqueue(data, Math.max(this.lastDueAt, now + extra));
      return;
    }
    // Split into pieces of ~1 ms of line time so delivery is smooth at any rate.
    const bytesPerMs = this.throttle.baud / 10 / 1000;
    const piece = Math.max(16, Math.ceil(bytesPerMs));
    const latency = this.throttle.latencyMs ?? 0;
    for (let off = 0; off < data.length; off += piece) {
      const part = data.subarray(off, Math.min(data.length, off + piece));
      const start = Math.max(this.busyUntil, now);
      this.busyUntil = start + part.length / bytesPerMs;
      this.enqueue(part, Math.max(this.lastDueAt, this.busyUntil + latency + extra));
    }
  }

  /**
   * Drops, corrupts and duplicates bytes. Each kind of fault is drawn as the number of clean bytes before its next
   * occurrence (geometric: the same law as a draw per byte, at a cost per fault instead of per byte); a fault
   * falling on a dropped byte is lost with it, as a per-byte draw would skip it.
   */
  private applyFaults(chunk: Buffer): Buffer {
    const f = this.faults;
    if (!f.dropProbability && !f.corruptProbability && !f.duplicateProbability) return chunk;
    const out: Buffer[] = [];
    let spanStart = 0;
    let i = 0;
    while (i < chunk.length) {
      const skip = Math.min(this.untilDrop, this.untilCorrupt, this.untilDuplicate, chunk.length - i);
      this.untilDrop -= skip;
      this.untilCorrupt -= skip;
      this.untilDuplicate -= skip;
      i += skip;
      if (i === chunk.length) break;
      // Byte i carries at least one fault.
      const drop = this.untilDrop === 0;
      const corrupt = this.untilCorrupt === 0;
      const duplicate = this.untilDuplicate === 0;
      if (drop) this.untilDrop = this.gap(f.dropProbability);
      else this.untilDrop--;
      if (corrupt) this.untilCorrupt = this.gap(f.corruptProbability);
      else this.untilCorrupt--;
      if (duplicate) this.untilDuplicate = this.gap(f.duplicateProbability);
      else this.untilDuplicate--;
      out.push(chunk.subarray(spanStart, i));
      spanStart = i + 1;
      if (drop) {
        this.stats.dropped++;
      } else {
        let b = chunk[i]!;
        if (corrupt) {
          b = (b + 1 + this.rng.int(255)) & 0xff; // any other byte value
          this.stats.corrupted++;
        }
        if (duplicate) this.stats.duplicated++;
        out.push(Buffer.from(duplicate ? [b, b] : [b]));
      }
      i++;
    }
    if (spanStart === 0) return chunk;
    out.push(chunk.subarray(spanStart));
    return Buffer.concat(out);
  }

  /** Clean bytes before the next fault of probability `p` per byte (Infinity when it never happens). */
  private gap(p: number | undefined): number {
    if (!p) return Number.POSITIVE_INFINITY;
    if (p >= 1) return 0;
    return Math.floor(Math.log(1 - this.rng.uniform()) / Math.log1p(-p));
  }

  private enqueue(data: Buffer, dueAt: number): void {
    this.lastDueAt = dueAt;
    this.queue.push({ data, dueAt });
    this.arm();
  }

  private arm(): void {
    if (this.timer || this.queue.length === 0) return;
    const wait = Math.max(0, this.queue[0]!.dueAt - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  private flush(): void {
    const now = performance.now();
    const due: Buffer[] = [];
    while (this.queue.length > 0 && this.queue[0]!.dueAt <= now + 0.05) due.push(this.queue.shift()!.data);
    if (due.length > 0) this.emit(due.length === 1 ? due[0]! : Buffer.concat(due));
    this.arm();
  }

  private emit(data: Buffer): void {
    if (this.stopped) return;
    this.stats.bytesOut += data.length;
    this.stats.lastOutAt = performance.now();
    this.deliver(data);
  }
}
