// The sending side of the sequenced requests (PROTOCOL.md §3): numbering, the window (AIMD congestion window within
// the device's reply memory and receive buffer), sending and resending lines, and the retransmission timeout.
// What the answers mean, and so what to send again, is pipeline.ts.
import { COPY_MARK, encodeFrame, LINE_END, nextSeq, seqsAhead, UNSEQUENCED } from "../../protocol/serial-line/frame.js";
import type { CodeWidths } from "../../protocol/serial-line/messages.js";
import { SerialLinkError } from "./errors.js";
import type { LinkStats } from "./link-stats.js";
import { hex4, type Pending } from "./pending.js";
import type { RetransmitTimer } from "./retransmit-timer.js";
import type { SentLog } from "./sent-log.js";

/** The congestion window never drops below this: a few lines in flight keep the feedback (bounces, gaps) coming. */
const MIN_CONGESTION_WINDOW = 4;
/** Sends of one request after which the link is judged unusable (at 2.5% damaged bytes a 130-byte exchange needs ~30). */
export const MAX_SENDS_PER_REQUEST = 10_000;
/**
 * Sends of one request after which the session resynchronises (pause, identify, send what is outstanding once): ten
 * times the most a request needs on a 1%-damaged link (~40). A guard, not the cure: the storm that once sent one
 * request 10,000 times was copies drawing a resend each (sentThisTurn); should another feedback loop put copies on
 * the link faster than answers come back, pausing lets the device's backlog drain before the link is given up.
 */
export const RESYNC_AFTER_SENDS = 400;

export interface PipelineIo {
  /** Writes lines in one chunk; false when there is no link. */
  write(lines: string[]): boolean;
  log: SentLog;
  stats: LinkStats;
  rto: RetransmitTimer;
  label: string;
  /** Consecutive timeouts of the oldest request before `onStuck`. */
  retries: number;
  /** No answer after `retries` timeouts, or the device lost its session: identify it again. */
  onStuck(why: string): void;
  /** The session cannot go on. */
  onFatal(error: Error): void;
}

export class Outbox {
  widths: CodeWidths = { vhex: 4, ahex: 4, chex: 2 };
  protected running = false;
  protected window = 1;
  /** Congestion window: halved once per loss event, grown by one per window of answers (AIMD), ≤ window. */
  protected cwnd = 1;
  protected lastCutStamp = 0;
  protected rxBufferBytes = 256;
  /** LIM maxin: the longest line the device takes (a request copy is its line and one byte more). */
  protected maxInBytes = 128;
  /** Each request line goes with a copy behind it (PROTOCOL.md §3, request copies): set once requests arrive damaged. */
  protected requestCopies = false;
  /** The device keeps lines that arrive ahead of a lost one (LIM hold > 0): a loss costs that line only. */
  protected holds = false;
  protected queue: Pending[] = [];
  protected inflight: Pending[] = [];
  protected readonly bySeq = new Map<number, Pending>();
  protected inflightBytes = 0;
  protected lastSeq = 0;
  protected nextIndex = 1;
  protected lastProgressAt = 0;
  protected timer: NodeJS.Timeout | null = null;
  /**
   * Requests (and RPTs) already sent in this turn of the event loop: their lines leave in one chunk (line-link.ts), so
   * a second copy in it adds nothing but a second answer. Two reactions in one turn happen when the device sends every
   * line twice and the host has not yet read the answer to DUP: each copy of a damaged answer drew its own resend,
   * the answers to those came twice again, and the lines on the link doubled every round trip (a storm that once sent
   * one request 10,000 times).
   */
  private readonly sentThisTurn = new Set<Pending>();
  private readonly fetchedThisTurn = new Set<Pending>();
  private turnEnd: NodeJS.Immediate | null = null;

  constructor(protected readonly io: PipelineIo) {}

  /** Window (≤ the device's reply memory) and receive buffer, from LIM. */
  configure(window: number, rxBufferBytes: number, widths: CodeWidths, holds = false, maxInBytes = 128): void {
    this.window = window;
    this.maxInBytes = maxInBytes;
    this.holds = holds;
    this.cwnd = window;
    this.rxBufferBytes = rxBufferBytes;
    this.widths = widths;
  }

  /**
   * From now on every request line goes with a copy behind it: on a link that damages requests, a damaged line's
   * copy, already on the way, runs in its place instead of the round trip a NAK and a resend cost.
   */
  copyRequests(): void {
    this.requestCopies = true;
  }

  /** Whether a request line goes with a copy behind it: while copies are on, when the copy fits `maxin` with its `\n`. */
  private copies(line: string): boolean {
    return this.requestCopies && COPY_MARK.length + line.length + 1 <= this.maxInBytes;
  }

  get copyingRequests(): boolean {
    return this.requestCopies;
  }

  get effectiveWindow(): number {
    return this.window;
  }

  /** Sends again (window permitting). */
  start(): void {
    this.running = true;
    this.lastProgressAt = Date.now();
    this.pump();
  }

  /** Stops sending and the timer (reconnect, resync, close). Answers still complete what they answer. */
  pause(): void {
    this.running = false;
    this.stopTimer();
  }

  /** A copy sent at `stamp` came back without an intact OK: send `batch` again, in order. */
  protected resend(batch: Pending[], stamp: number): void {
    this.lossSeen(stamp);
    this.retransmit(batch);
  }

  /** A line sent at `stamp` was lost: halve the congestion window, once per loss event (lines sent since the last cut). */
  protected lossSeen(stamp: number): void {
    // A device that holds lines ahead of a lost one wastes nothing on a loss: the window stays full.
    if (this.holds || stamp <= this.lastCutStamp) return;
    this.cwnd = Math.max(Math.min(this.window, MIN_CONGESTION_WINDOW), this.cwnd / 2);
    this.lastCutStamp = this.io.log.lastStamp;
  }

  protected settle(p: Pending): void {
    const i = this.inflight.indexOf(p);
    if (i >= 0) this.inflight.splice(i, 1);
    if (this.bySeq.get(p.seq) === p) this.bySeq.delete(p.seq);
    this.inflightBytes -= p.wireBytes;
    this.lastProgressAt = Date.now();
    this.cwnd = Math.min(this.window, this.cwnd + 1 / this.cwnd);
    if (this.inflight.length === 0) this.stopTimer();
    this.pump();
  }

  // --- sending ---

  protected pump(): void {
    if (!this.running) return;
    const batch: Pending[] = [];
    const limit = Math.max(1, Math.floor(this.cwnd));
    while (this.queue.length > 0 && this.inflight.length < limit) {
      // The window spans sequence numbers, not only requests: a new SEQ stays within `window` (≤ the device's reply
      // memory) of the oldest unanswered one, so the device still remembers that one's answer when it is asked for.
      if (this.inflight.length > 0 && seqsAhead(this.inflight[0]!.seq, nextSeq(this.lastSeq)) >= this.window) break;
      const p = this.queue[0]!;
      const copies = this.requestCopies ? 2 : 1;
      const bytes = (p.fields.join(" ").length + 16) * copies;
      if (this.inflight.length > 0 && this.inflightBytes + bytes > this.rxBufferBytes) break;
      this.queue.shift();
      this.lastSeq = nextSeq(this.lastSeq);
      p.seq = this.lastSeq;
      p.line = encodeFrame({ seq: p.seq, fields: p.fields });
      p.rptLine = encodeFrame({ seq: UNSEQUENCED, fields: ["RPT", hex4(p.seq)] });
      this.inflight.push(p);
      this.bySeq.set(p.seq, p);
      const single = p.line.length + LINE_END.length;
      p.wireBytes = this.copies(p.line) ? 2 * single + COPY_MARK.length : single;
      this.inflightBytes += p.wireBytes;
      batch.push(p);
    }
    if (batch.length > 0) {
      if (this.inflight.length === batch.length) this.lastProgressAt = Date.now();
      this.transmit(batch);
    }
  }

  /** `batch` less what `sent` holds already this turn; what is left is added to it. */
  private onceThisTurn(batch: Pending[], sent: Set<Pending>): Pending[] {
    const fresh = batch.filter((p) => !sent.has(p));
    for (const p of fresh) sent.add(p);
    this.turnEnd ??= setImmediate(() => {
      this.turnEnd = null;
      this.sentThisTurn.clear();
      this.fetchedThisTurn.clear();
    });
    return fresh;
  }

  protected transmit(all: Pending[]): void {
    this.sendLines(this.onceThisTurn(all, this.sentThisTurn));
  }

  private sendLines(batch: Pending[]): void {
    // Everything already went out this turn: nothing to write, but the timer must run (a pause since stopped it).
    if (batch.length === 0) return this.armTimer();
    const now = Date.now();
    for (const p of batch) {
      p.lastSentAt = now;
      p.lastStamp = this.io.log.record(p.seq);
      p.suspect = false;
      if (p.sends === 0) p.firstStamp = p.lastStamp;
      p.sends++;
      if (p.sends > this.io.stats.maxSendsPerRequest) this.io.stats.maxSendsPerRequest = p.sends;
    }
    const worst = batch.reduce((m, p) => (p.sends > m.sends ? p : m), batch[0]!);
    if (worst.sends > MAX_SENDS_PER_REQUEST) {
      this.io.onFatal(new SerialLinkError(`${this.io.label}: no intact answer to ${worst.request.cmd} (seq ${hex4(worst.seq)}) after ${MAX_SENDS_PER_REQUEST} sends: the link is too damaged to use`));
      return;
    }
    if (worst.sends % RESYNC_AFTER_SENDS === 0) {
      this.io.onStuck(`${worst.request.cmd} (seq ${hex4(worst.seq)}) sent ${worst.sends} times`);
      return;
    }
    const lines: string[] = [];
    for (const p of batch) {
      lines.push(p.line);
      p.heard = false;
      p.copied = this.copies(p.line);
      if (p.copied) lines.push(COPY_MARK + p.line);
    }
    if (this.io.write(lines)) {
      this.io.stats.linesSent += lines.length;
      this.io.stats.requestCopies += lines.length - batch.length;
    }
    this.armTimer();
  }

  /** Asks for the remembered answers of requests that ran: `0000 RPT SEQ` each (logged under their SEQ). */
  protected fetch(all: Pending[], stamp: number): void {
    const batch = this.onceThisTurn(all, this.fetchedThisTurn);
    if (batch.length === 0) return this.armTimer();
    this.lossSeen(stamp);
    const now = Date.now();
    for (const p of batch) {
      p.lastSentAt = now;
      p.lastStamp = this.io.log.record(p.seq);
      p.suspect = false;
      p.sends++;
    }
    this.io.stats.resends += batch.length;
    this.io.stats.fetches += batch.length;
    if (this.io.write(batch.map((p) => p.rptLine))) this.io.stats.linesSent += batch.length;
    this.armTimer();
  }

  protected retransmit(all: Pending[]): void {
    const batch = this.onceThisTurn(all, this.sentThisTurn);
    this.io.stats.resends += batch.length;
    this.sendLines(batch);
  }

  // --- timeouts ---

  protected armTimer(): void {
    if (this.timer || !this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.checkTimeout();
    }, this.dueIn());
    this.timer.unref?.();
  }

  protected stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Ms until the oldest outstanding request times out (an answer for anything restarts the clock). */
  protected dueIn(): number {
    const oldest = this.inflight[0];
    if (!oldest) return this.io.rto.ms;
    return Math.max(1, Math.max(oldest.lastSentAt, this.lastProgressAt) + this.io.rto.ms + oldest.extraMs - Date.now());
  }

  protected checkTimeout(): void {
    const oldest = this.inflight[0];
    if (!this.running || !oldest) return;
    if (this.dueIn() > 1) {
      this.armTimer();
      return;
    }
    this.io.stats.timeouts++;
    this.io.rto.backOff();
    this.io.stats.rtoMs = this.io.rto.ms;
    this.lossSeen(oldest.lastStamp);
    oldest.timeouts++;
    if (oldest.timeouts > this.io.retries) {
      oldest.timeouts = 0;
      this.io.onStuck(`no answer to ${oldest.request.cmd} after ${this.io.retries} resends`);
      return;
    }
    this.lastProgressAt = Date.now();
    // Only the oldest goes again (held requests are kept by the device); the others become suspects, resent when its
    // answer overtakes theirs (pipeline.ts, resendOvertaken). Most timeouts are the machine's stalls, not losses: the
    // whole window resent at each was ~15 long lines each way per stall.
    const first = this.inflight.find((p) => !p.held) ?? oldest;
    for (const p of this.inflight) p.suspect = p !== first && !p.held;
    this.retransmit([first]);
  }
}
