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

  constructor(
    private readonly deliver: (data: Buffer) => void,
    private faults: FaultOptions = {},
    private readonly throttle: ThrottleOptions | null = null,
    seed: number | string = 0,
  ) {
    this.rng = new Rng(seed);
    if (throttle && !(throttle.baud > 0)) throw new RangeError(`baud ${throttle.baud} must be > 0`);
  }

  /** Changes the fault rates from now on. */
  setFaults(faults: FaultOptions): void {
    this.faults = faults;
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

  private applyFaults(chunk: Buffer): Buffer {
    const { dropProbability: pd = 0, corruptProbability: pc = 0, duplicateProbability: pdup = 0 } = this.faults;
    if (pd === 0 && pc === 0 && pdup === 0) return chunk;
    const out: number[] = [];
    for (const byte of chunk) {
      if (pd > 0 && this.rng.uniform() < pd) {
        this.stats.dropped++;
        continue;
      }
      let b = byte;
      if (pc > 0 && this.rng.uniform() < pc) {
        b = (byte + 1 + this.rng.int(255)) & 0xff; // any other byte value
        this.stats.corrupted++;
      }
      out.push(b);
      if (pdup > 0 && this.rng.uniform() < pdup) {
        out.push(b);
        this.stats.duplicated++;
      }
    }
    return Buffer.from(out);
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
