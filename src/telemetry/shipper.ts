// Ships the journal to InfluxDB: reads whole lines from the settled offset, sends batches (size and interval
// configurable, a few in flight), retries with exponential backoff, dead-letters what the server rejects, and
// records progress in the offset file. At least once: a batch is re-sent until acknowledged, and because every
// point carries its journal timestamp a re-sent point overwrites itself. Everything runs on timers and promises,
// so the code that appends to the journal never waits on the network.
import { appendFileSync, existsSync, statSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { readShipState, writeShipState, EMPTY_SHIP_STATE, type ShipState } from "./shipState.js";
import type { LineSink, WriteOutcome } from "./lineSink.js";

export { DEAD_LETTER_FILE } from "./shipState.js";

/** added = written + deadLettered + dropped + pending, always. */
export interface TelemetryCounters {
  /** Whole points in the journal. */
  added: number;
  /** Points InfluxDB acknowledged. */
  written: number;
  /** Points not yet acknowledged: in the journal after the settled offset, or in flight. */
  pending: number;
  /** Points the server rejected as malformed; in the dead-letter file with its reason. */
  deadLettered: number;
  /** Points given up on. Always 0: the journal keeps every point until it is written or dead-lettered. */
  dropped: number;
}

export interface ShipperOptions {
  journalPath: string;
  statePath: string;
  deadLetterPath: string;
  sink: LineSink;
  /** Whole points in the journal now (the appender's count, or a scan for a finished journal). */
  addedPoints: () => number;
  /** Points per request (default 5000). */
  batchSize?: number;
  /** A partial batch is sent after at most this long (default 1000 ms). */
  flushIntervalMs?: number;
  /** Requests in flight at once (default 1). */
  maxInFlight?: number;
  /** First retry delay (default 250 ms), doubled per failure up to backoffMaxMs (default 10 s). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  log?: (line: string) => void;
  /** Who ships: a training run (default), which goes on while the server is away, or a push, which reports what it could not ship itself. */
  shipping?: "run" | "push";
}

/** One rejected line, as written to the dead-letter file. */
export interface DeadLetter {
  at: string;
  /** Byte offset in the journal of the batch the line was in. */
  journalOffset: number;
  status: number;
  /** The server's reason, as it said it. */
  reason: string;
  line: string;
}

interface Batch {
  start: number;
  end: number;
  body: Buffer;
  points: number;
  state: "ready" | "inflight" | "done";
  written: number;
  deadLetters: DeadLetter[];
}

const NL = 0x0a;
const HASH = 0x23;
const READ_CHUNK_BYTES = 4 << 20;

class StillUnavailable extends Error {
  constructor(readonly outcome: WriteOutcome) {
    super("unavailable during dead-letter split");
  }
}

export class Shipper {
  private state: ShipState;
  /** Journal offset up to which bytes are in batches (or settled). */
  private readOffset: number;
  /** Points up to readOffset. */
  private pointsRead: number;
  /** Bytes read after readOffset, not yet in a batch. */
  private carry: Buffer = Buffer.alloc(0);
  private batches: Batch[] = [];
  private inFlight = 0;
  private retryAtMs = 0;
  private backoffMs = 0;
  private problem: string | null = null;
  private lastFailure: WriteOutcome | null = null;
  private pumping = false;
  private pumpAgain = false;
  private forceNext = false;
  private interval: NodeJS.Timeout | null = null;
  private wake: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private closing = false;
  private stopped = false;
  private fh: FileHandle | null = null;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxInFlight: number;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: ShipperOptions) {
    this.batchSize = positive("batchSize", opts.batchSize ?? 5000);
    this.flushIntervalMs = positive("flushIntervalMs", opts.flushIntervalMs ?? 1000);
    this.maxInFlight = positive("maxInFlight", opts.maxInFlight ?? 1);
    this.backoffInitialMs = positive("backoffInitialMs", opts.backoffInitialMs ?? 250);
    this.backoffMaxMs = Math.max(this.backoffInitialMs, opts.backoffMaxMs ?? 10_000);
    this.log = opts.log ?? (() => {});
    this.state = readShipState(opts.statePath);
    const size = existsSync(opts.journalPath) ? statSync(opts.journalPath).size : 0;
    if (this.state.journalBytes > size) {
      this.log(`telemetry: ${opts.statePath} points past the end of ${opts.journalPath} (${this.state.journalBytes} > ${size} bytes); re-shipping the journal from the start`);
      this.state = { ...EMPTY_SHIP_STATE };
    }
    this.readOffset = this.state.journalBytes;
    this.pointsRead = this.state.written + this.state.deadLettered;
  }

  /** Starts the flush timer. */
  start(): void {
    if (this.interval) return;
    this.interval = setInterval(() => this.schedule(true), this.flushIntervalMs);
    this.interval.unref();
    this.schedule(false);
  }

  /** Called after an append: sends at once when a full batch waits, else the timer sends it. Never blocks. */
  notify(): void {
    if (this.immediate === null && this.opts.addedPoints() - this.pointsRead >= this.batchSize) this.schedule(false);
  }

  counters(): TelemetryCounters {
    const added = this.opts.addedPoints();
    const { written, deadLettered } = this.state;
    return { added, written, deadLettered, dropped: 0, pending: added - written - deadLettered };
  }

  /** Ships everything appended so far; resolves true when all of it is settled, false after timeoutMs. */
  async flush(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const target = this.opts.addedPoints();
    for (;;) {
      const c = this.counters();
      if (c.written + c.deadLettered >= target) return true;
      if (this.stopped || Date.now() >= deadline) return false;
      this.schedule(true);
      await new Promise((r) => setTimeout(r, Math.min(20, Math.max(1, deadline - Date.now()))));
    }
  }

  /** Flushes (waiting at most timeoutMs) and stops. Unsent points stay in the journal for the next run or `mhil telemetry push`. */
  async close(timeoutMs = 10_000): Promise<TelemetryCounters> {
    this.closing = true;
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
    const done = await this.flush(timeoutMs);
    this.stopped = true;
    if (this.wake) clearTimeout(this.wake);
    if (this.immediate) clearImmediate(this.immediate);
    const c = this.counters();
    if (!done && c.pending > 0 && this.opts.shipping !== "push") {
      this.log(`telemetry: ${c.pending} points not shipped to ${this.opts.sink.display} within ${(timeoutMs / 1000).toFixed(1)} s; they stay in the journal (${this.opts.journalPath}) and ship with \`mhil telemetry push\``);
    }
    const fh = this.fh;
    this.fh = null;
    if (fh) await fh.close().catch(() => {});
    return c;
  }

  private schedule(force: boolean): void {
    if (this.stopped) return;
    this.forceNext ||= force;
    if (this.immediate !== null) return;
    this.immediate = setImmediate(() => {
      this.immediate = null;
      const f = this.forceNext || this.closing;
      this.forceNext = false;
      void this.pump(f);
    });
  }

  private async pump(force: boolean): Promise<void> {
    if (this.pumping) {
      this.pumpAgain = true;
      this.forceNext ||= force;
      return;
    }
    this.pumping = true;
    try {
      while (!this.stopped) {
        const now = Date.now();
        if (now < this.retryAtMs) {
          this.wakeAt(this.retryAtMs);
          break;
        }
        if (this.inFlight >= this.maxInFlight) break;
        let b = this.batches.find((x) => x.state === "ready");
        if (!b) {
          if (this.batches.length >= this.maxInFlight * 2) break;
          b = (await this.readBatch(force)) ?? undefined;
          if (!b) break;
        }
        if (b.points === 0) {
          b.state = "done";
          this.commit();
          continue;
        }
        this.send(b);
      }
    } catch (e) {
      this.log(`telemetry: reading ${this.opts.journalPath} failed: ${(e as Error).message}`);
    } finally {
      this.pumping = false;
    }
    if (this.pumpAgain && !this.stopped) {
      this.pumpAgain = false;
      this.schedule(false);
    }
  }

  private wakeAt(ms: number): void {
    if (this.wake) clearTimeout(this.wake);
    this.wake = setTimeout(() => {
      this.wake = null;
      this.schedule(true);
    }, Math.max(0, ms - Date.now()));
    this.wake.unref();
  }

  /** The next batch of whole lines: batchSize points, or (when forced) whatever whole lines there are. */
  private async readBatch(force: boolean): Promise<Batch | null> {
    let lineStart = 0; // index in carry of the first line not yet counted
    let points = 0;
    for (;;) {
      const buf = this.carry;
      for (let nl = buf.indexOf(NL, lineStart); nl !== -1; nl = buf.indexOf(NL, lineStart)) {
        if (nl > lineStart && buf[lineStart] !== HASH) points++;
        lineStart = nl + 1;
        if (points >= this.batchSize) return this.cut(lineStart, points);
      }
      // Never read past a line still being written: only whole lines are taken (the part after lineStart waits).
      const grown = await this.readMore();
      if (!grown) break;
    }
    if (lineStart > 0 && force) return this.cut(lineStart, points);
    return null;
  }

  private async readMore(): Promise<boolean> {
    if (!this.fh) {
      if (!existsSync(this.opts.journalPath)) return false;
      this.fh = await open(this.opts.journalPath, "r");
    }
    // Size the read to what is new (a live run adds a few kB between reads), at most READ_CHUNK_BYTES.
    const from = this.readOffset + this.carry.length;
    const want = Math.min(READ_CHUNK_BYTES, (await this.fh.stat()).size - from);
    if (want <= 0) return false;
    const chunk = Buffer.allocUnsafe(want);
    const { bytesRead } = await this.fh.read(chunk, 0, want, from);
    if (bytesRead === 0) return false;
    this.carry = this.carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([this.carry, chunk.subarray(0, bytesRead)]);
    return true;
  }

  private cut(bytes: number, points: number): Batch {
    const body = Buffer.from(this.carry.subarray(0, bytes));
    this.carry = this.carry.length === bytes ? Buffer.alloc(0) : Buffer.from(this.carry.subarray(bytes));
    const b: Batch = { start: this.readOffset, end: this.readOffset + bytes, body, points, state: "ready", written: 0, deadLetters: [] };
    this.readOffset += bytes;
    this.pointsRead += points;
    this.batches.push(b);
    return b;
  }

  private send(b: Batch): void {
    b.state = "inflight";
    this.inFlight++;
    void this.opts.sink
      .write(b.body)
      .then(async (outcome) => {
        if (outcome.kind === "ok") {
          b.written = b.points;
          b.state = "done";
          this.succeeded();
        } else if (outcome.kind === "rejected") {
          try {
            await this.splitRejected(b, outcome);
            b.state = "done";
            this.succeeded();
            const dead = b.deadLetters.length;
            this.log(`telemetry: ${this.opts.sink.display} rejected ${dead} of ${b.points} points (${outcome.status} ${outcome.reason}); they are in ${this.opts.deadLetterPath}`);
          } catch (e) {
            b.written = 0;
            b.deadLetters = [];
            b.state = "ready";
            this.failed(e instanceof StillUnavailable ? e.outcome : { kind: "unavailable", reason: (e as Error).message });
          }
        } else {
          b.state = "ready";
          this.failed(outcome);
        }
      })
      .catch((e: unknown) => {
        b.state = "ready";
        this.failed({ kind: "unavailable", reason: (e as Error).message });
      })
      .finally(() => {
        this.inFlight--;
        if (this.stopped) return;
        this.commit();
        this.schedule(false);
      });
  }

  /** Halves a rejected batch until every rejected line is alone; good halves are written (idempotently). */
  private async splitRejected(b: Batch, first: WriteOutcome & { kind: "rejected" }): Promise<void> {
    const lines = b.body
      .toString("utf8")
      .split("\n")
      .filter((l) => l.length > 0 && !l.startsWith("#"));
    const settle = async (part: string[], outcome: WriteOutcome & { kind: "rejected" }): Promise<void> => {
      if (part.length === 1) {
        b.deadLetters.push({ at: new Date().toISOString(), journalOffset: b.start, status: outcome.status, reason: outcome.reason, line: part[0]! });
        return;
      }
      const mid = part.length >> 1;
      for (const half of [part.slice(0, mid), part.slice(mid)]) {
        const o = await this.opts.sink.write(Buffer.from(half.join("\n") + "\n"));
        if (o.kind === "ok") b.written += half.length;
        else if (o.kind === "rejected") await settle(half, o);
        else throw new StillUnavailable(o);
      }
    };
    await settle(lines, first);
  }

  /** The failure that stopped the last attempt, or null when the last attempt succeeded. */
  currentProblem(): WriteOutcome | null {
    return this.lastFailure;
  }

  private succeeded(): void {
    this.lastFailure = null;
    this.backoffMs = 0;
    this.retryAtMs = 0;
    if (this.problem !== null) {
      this.problem = null;
      this.log(`telemetry: ${this.opts.sink.display} accepts writes again; shipping the ${this.counters().pending} pending points`);
    }
  }

  private failed(o: WriteOutcome): void {
    this.lastFailure = o;
    this.backoffMs = this.backoffMs === 0 ? this.backoffInitialMs : Math.min(this.backoffMs * 2, this.backoffMaxMs);
    this.retryAtMs = Date.now() + this.backoffMs;
    const key = o.kind === "refused" || o.kind === "rejected" ? `${o.kind}:${o.status}` : o.kind;
    if (key === this.problem) return;
    this.problem = key;
    const where = this.opts.sink.display;
    const keep = this.opts.shipping === "push" ? `the points stay in ${this.opts.journalPath}; retrying with backoff until the push times out` : `training goes on; the points stay in ${this.opts.journalPath} and ship when this is fixed (retrying with backoff)`;
    if (o.kind === "unavailable") this.log(`telemetry: cannot reach InfluxDB at ${where} (${o.reason}); ${keep}`);
    else if (o.kind === "refused" && o.status === 404) this.log(`telemetry: InfluxDB at ${where} answered 404 (${o.reason}): create the database (CREATE DATABASE) or fix the database name in --influx; ${keep}`);
    else if (o.kind === "refused" && o.status === 401) this.log(`telemetry: InfluxDB at ${where} answered 401 (${o.reason}): check INFLUX_USERNAME/INFLUX_PASSWORD or the --influx-credentials file; ${keep}`);
    else if (o.kind === "refused") this.log(`telemetry: InfluxDB at ${where} answered ${o.status} (${o.reason}): the user may not write to this database; ${keep}`);
  }

  /** Settles the leading run of finished batches: dead letters to their file, then the offset file. */
  private commit(): void {
    let changed = false;
    while (this.batches.length > 0 && this.batches[0]!.state === "done") {
      const b = this.batches.shift()!;
      if (b.deadLetters.length > 0) appendFileSync(this.opts.deadLetterPath, b.deadLetters.map((d) => JSON.stringify(d)).join("\n") + "\n");
      this.state = {
        version: 1,
        journalBytes: b.end,
        written: this.state.written + b.written,
        deadLettered: this.state.deadLettered + b.deadLetters.length,
      };
      changed = true;
    }
    if (changed) writeShipState(this.opts.statePath, this.state);
  }
}

function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`telemetry: ${name} must be a positive number, got ${v}`);
  return v;
}
