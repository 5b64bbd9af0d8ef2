// The host side of firmware/PROTOCOL.md: one session with one device over a byte stream that may be noisy,
// may be unplugged and may talk to a device that resets.
//
// It owns the connection and the states: open (identify with ID and LIM probes, then NEW), ready (the pipeline of
// sequenced requests, pipeline.ts), resyncing (identify again: the same boot resumes, a new boot starts a new
// session), reconnecting (the caller's `connect` finds the device again), failed, closed. Every received line is
// decoded here and handed to the probe (SEQ 0000) or the pipeline.
import { CopyPairing, type ReceivedLine } from "./copy-pairing.js";
import { DamageWatch } from "./damage-watch.js";
import type { Duplex } from "node:stream";
import { UNSEQUENCED } from "../../protocol/serial-line/frame.js";
import type { CodeWidths, Reply, Request } from "../../protocol/serial-line/messages.js";
import { DeviceMismatchError, SerialLinkError } from "./errors.js";
import { identify, LineDiagnosis, readLimits } from "./handshake.js";
import { LineLink } from "./line-link.js";
import { emptyLinkStats, formatLinkStats, type LinkStats } from "./link-stats.js";
import { Pipeline } from "./pipeline.js";
import { Prober, type OkReply } from "./probe.js";
import { mergeReceived, receiveLine } from "./received-line.js";
import { reconnectWithin } from "./reconnect.js";
import { RetransmitTimer } from "./retransmit-timer.js";
import { SentLog } from "./sent-log.js";

import type { LinkSessionOptions, SessionIdentity } from "./session-options.js";

export type { OkReply } from "./probe.js";
export type { LinkSessionOptions, SessionIdentity } from "./session-options.js";
/** @deprecated the same as LinkStats */
export type LinkCounters = LinkStats;

type State = "idle" | "ready" | "resyncing" | "reconnecting" | "failed" | "closed";

/** The timer never goes below this (event-loop and scheduling jitter on a loaded machine). */
const MIN_RTO_MS = 5;

export class LinkSession {
  readonly counters: LinkStats;
  private readonly log: SentLog;
  private readonly rto: RetransmitTimer;
  /** Set while the device sends every line twice (DUP 2): which copies to act on. */
  private pairing: CopyPairing | null = null;
  /** Damage seen on the answers: when to ask for copies, how many vectors a product line may carry. */
  private readonly damage = new DamageWatch();
  private readonly prober: Prober;
  private readonly pipeline: Pipeline;
  private readonly windowOption: number;
  private readonly reconnectMs: number;
  private readonly openMs: number;
  private link: LineLink | null = null;
  private state: State = "idle";
  private failure: Error | null = null;
  private known: SessionIdentity | null = null;
  private diagnosis: LineDiagnosis | null = null;
  private recovering: Promise<void> | null = null;
  private pendingReconnect = false;

  constructor(private readonly options: LinkSessionOptions) {
    this.windowOption = options.window ?? 16;
    const maxRtoMs = Math.max(MIN_RTO_MS, (options.timeoutSeconds ?? 0.5) * 1000);
    this.reconnectMs = (options.reconnectSeconds ?? 10) * 1000;
    this.openMs = (options.openTimeoutSeconds ?? 5) * 1000;
    if (!Number.isInteger(this.windowOption) || this.windowOption < 1) throw new RangeError(`window ${this.windowOption} must be an integer ≥ 1`);
    this.rto = new RetransmitTimer(Math.min(MIN_RTO_MS, maxRtoMs), maxRtoMs, Math.min(250, maxRtoMs));
    this.counters = emptyLinkStats(this.rto.ms);
    this.log = new SentLog(() => 4 * this.pipeline.effectiveWindow + 64);
    const write = (lines: string[]) => {
      if (!this.link?.open) return false;
      this.link.write(lines);
      return true;
    };
    this.prober = new Prober({ write: (line) => write([line]), log: this.log, stats: this.counters, rto: this.rto });
    this.pipeline = new Pipeline({
      write, log: this.log, stats: this.counters, rto: this.rto, label: options.label, retries: options.retries ?? 10,
      onStuck: (why) => {
        this.options.log?.(`${this.options.label}: ${why}; resynchronising`);
        this.recover("resync");
      },
      onFatal: (error) => this.fail(error),
    });
  }

  /** Connects, identifies (ID, LIM: the only lines sent until the device is known) and starts a session (NEW). */
  async open(): Promise<SessionIdentity> {
    const deadline = Date.now() + this.openMs;
    this.attach(await this.options.connect());
    let known: SessionIdentity;
    try {
      known = await this.identifyDevice(deadline);
    } catch (e) {
      await this.link?.close();
      this.state = "closed";
      throw e;
    }
    this.known = known;
    const { limits } = known;
    const widths: CodeWidths = { vhex: limits.vhex, ahex: limits.ahex, chex: limits.chex, exact: limits.exact };
    this.pipeline.configure(Math.max(1, Math.min(this.windowOption, limits.mem)), Math.max(limits.rxbuf, limits.maxin), widths, limits.hold > 0, limits.maxin);
    this.state = "ready";
    this.pipeline.queueNewSession();
    this.pipeline.start();
    await this.request({ cmd: "PING" });
    return known;
  }

  get identity(): SessionIdentity {
    if (!this.known) throw new Error("session not open");
    return this.known;
  }

  get codeWidths(): CodeWidths {
    return this.pipeline.widths;
  }

  /** The window in use (the option, capped by the device's reply memory). */
  get effectiveWindow(): number {
    return this.pipeline.effectiveWindow;
  }

  get connected(): boolean {
    return this.state === "ready" && this.link !== null && this.link.open;
  }

  /** The most vectors (≤ `most`) a product line may carry at the damage seen so far (1 on a noisy link). */
  productVectorsPerLine(most: number, bytes: (k: number) => { request: number; reply: number }): number {
    return this.damage.vectorsPerLine(most, bytes, this.pairing ? 2 : 1);
  }

  /** A snapshot of the link statistics. */
  stats(): LinkStats {
    return { ...this.counters, rtoMs: this.rto.ms };
  }

  /**
   * Sends a sequenced request; resolves with `decode` of its OK answer (default: the answer itself). A ValueError
   * from `decode` marks the answer damaged: it is asked for again. A confirmed refusal rejects with DeviceRefusedError.
   */
  request<T = OkReply>(request: Request, options: { expectedSeconds?: number; decode?: (reply: OkReply) => T } = {}): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.state === "closed" || this.state === "idle") return Promise.reject(new SerialLinkError(`${this.options.label}: link is closed`));
    const decode = options.decode ?? ((r: OkReply) => r as unknown as T);
    return this.pipeline.enqueue(request, options.expectedSeconds ?? 0, decode);
  }

  /** Rejects whatever is outstanding and releases the stream (the caller grounds the device first). */
  async close(): Promise<void> {
    if (this.state === "closed") return;
    const wasOpen = this.known !== null;
    this.state = "closed";
    this.pipeline.rejectAll(new SerialLinkError(`${this.options.label}: link closed`));
    this.prober.cancel(new SerialLinkError(`${this.options.label}: link closed`));
    await this.link?.close();
    this.link = null;
    if (wasOpen) this.options.log?.(`${this.options.label}: ${formatLinkStats(this.stats())}`);
  }

  // --- connection ---

  private attach(stream: Duplex): void {
    this.link = new LineLink(stream, {
      onLine: (line) => this.onLine(line),
      onClose: (reason) => this.onLinkClosed(reason),
    });
  }

  /** ID then LIM, within `deadline`; lines that are not this protocol can end it early with the reason. */
  private async identifyDevice(deadline: number): Promise<SessionIdentity> {
    const diagnosis = new LineDiagnosis();
    this.diagnosis = diagnosis;
    const label = this.options.label;
    try {
      const identity = await identify(this.prober, label, deadline, this.openMs / 1000);
      return { identity, limits: this.known?.limits ?? (await readLimits(this.prober, label, deadline, this.openMs / 1000)) };
    } catch (e) {
      throw diagnosis.noAnswer(label, e as Error);
    } finally {
      this.diagnosis = null;
    }
  }

  private onLinkClosed(reason: { error?: Error; disconnected: boolean }): void {
    this.link = null;
    this.prober.cancel(new SerialLinkError(`${this.options.label}: link lost while waiting for an answer`));
    if (this.state === "closed" || this.state === "failed") return;
    const why = reason.error ? reason.error.message : "stream ended";
    this.options.log?.(`${this.options.label}: link lost (${why}); reconnecting`);
    this.recover("reconnect");
  }

  /** Runs one reconnect/resync at a time; further triggers while it runs are absorbed. */
  private recover(kind: "reconnect" | "resync"): void {
    if (this.recovering) {
      if (kind === "reconnect") this.pendingReconnect = true;
      return;
    }
    this.recovering = (async () => {
      try {
        let next: "reconnect" | "resync" | null = kind;
        while (next) {
          this.pendingReconnect = false;
          try {
            if (next === "reconnect") await this.reconnect();
            await this.resync();
            next = this.pendingReconnect ? "reconnect" : null;
          } catch (e) {
            // The link went away again while resynchronising: look for the device again.
            if (this.pendingReconnect && !(e instanceof DeviceMismatchError)) {
              next = "reconnect";
              continue;
            }
            throw e;
          }
        }
      } catch (e) {
        this.fail(e as Error);
      } finally {
        this.recovering = null;
      }
    })();
  }

  private async reconnect(): Promise<void> {
    this.state = "reconnecting";
    this.pipeline.pause();
    await this.link?.close();
    this.link = null;
    const stream = await reconnectWithin(this.options.connect, this.reconnectMs, () => this.state === "closed", this.options.label);
    this.attach(stream);
    this.counters.reconnects++;
  }

  /** Identify again; refuse a different device; resend (same boot) or start a new session (device reset). */
  private async resync(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "resyncing";
    this.pipeline.pause();
    this.counters.resyncs++;
    const before = this.known!.identity;
    const { identity: now } = await this.identifyDevice(Date.now() + this.openMs);
    for (const k of ["model", "serial", "rows", "cols"] as const) {
      if (now[k] !== before[k]) {
        throw new DeviceMismatchError(
          `${this.options.label} now answers as a different device (${k} ${String(before[k])} → ${String(now[k])}; model ${now.model}, serial ${now.serial}); refusing to go on with it`,
        );
      }
    }
    if (this.state !== "resyncing") return;
    this.state = "ready";
    if (now.boot !== before.boot) {
      this.options.log?.(`${this.options.label}: device was reset (boot ${hex8(before.boot)} → ${hex8(now.boot)}); starting a new session`);
      this.known = { identity: now, limits: this.known!.limits };
      this.forgetCopies();
      this.pipeline.restartAfterReset();
    } else {
      this.pipeline.resendOutstanding();
    }
  }

  private fail(error: Error): void {
    if (this.state === "closed") return;
    this.failure = error;
    this.state = "failed";
    this.pipeline.rejectAll(error);
    this.prober.cancel(error);
    void this.link?.close();
  }

  // --- receiving ---

  private onLine(line: string): void {
    if (this.pairing?.takeCopy(line)) { // byte for byte the copy of an intact line: its CRC held too
      this.damage.observe(line, true);
      return;
    }
    const received = receiveLine(line);
    this.damage.observe(line, received.intact);
    if (this.pairing) this.pairing.accept(received);
    else this.onReceived(received);
  }

  private onReceived(received: ReceivedLine & { reply?: Reply }): void {
    this.dispatch(received);
    const reply = received.reply;
    if (received.intact && reply?.kind === "err" && (reply.code === "CRC" || reply.code === "LONG")) this.maybeCopyRequests();
  }

  private dispatch(received: ReceivedLine & { reply?: Reply }): void {
    const line = received.line;
    if (!received.intact || !received.reply) {
      this.onDamagedLine(line, received.seq);
      return;
    }
    const seq = received.seq!;
    const reply = received.reply;
    if (reply.kind === "err" && reply.code === "CRC" && / copy$/.test(reply.text)) {
      // A request copy's NAK answers no line in the sent log (only the request lines are logged).
      if (this.state === "ready") this.pipeline.onCopyNak(seq, reply.text);
      return;
    }
    if (reply.kind === "ok" && reply.cmd === "DUP" && seq !== UNSEQUENCED && this.pipeline.isOutstanding(seq)) this.startPairing(received);
    if (reply.kind === "ok" && reply.cmd === "NEW") this.pairing = null; // a session starts with single lines
    const copy = this.pipeline.answersHeld(seq, reply) ? undefined : this.log.match(seq);
    if (seq !== UNSEQUENCED) {
      if (this.state !== "closed" && this.state !== "failed") this.pipeline.onReply(seq, reply, line, copy);
      return;
    }
    if (reply.kind === "boot") {
      this.onBoot(reply.nonce);
    } else if (this.prober.active) {
      this.prober.onAnswer(reply);
    } else if (reply.kind === "err" && (reply.code === "CRC" || reply.code === "LONG") && this.state === "ready") {
      // The device could not read the SEQ of a damaged line: the NAK's crc= names it, else the oldest copy unanswered.
      const oldest = /crc=/.test(reply.text) ? undefined : this.log.matchOldest();
      this.pipeline.onNak(oldest?.seq ?? null, oldest?.stamp, reply.text);
    }
  }

  /** Request copies (`+`) to a device that takes them (LIM rcopy=1), once damaged requests are frequent (damage-watch.ts). */
  private maybeCopyRequests(): void {
    if (this.state !== "ready" || !this.known?.limits.rcopy || this.pipeline.copyingRequests) return;
    if (this.damage.shouldCopyRequests(this.counters)) this.pipeline.copyRequests();
  }

  /** A line that did not decode: its SEQ names it; when that did not survive, it answers the oldest copy unanswered. */
  private onDamagedLine(line: string, seq: number | null): void {
    if (this.diagnosis) {
      const verdict = this.diagnosis.note(line, this.options.label);
      if (verdict) {
        this.prober.cancel(verdict);
        return;
      }
    }
    const named = seq !== null && (seq === UNSEQUENCED || this.pipeline.isOutstanding(seq));
    if (!named && this.state === "ready" && this.pipeline.heldAnswerDue) {
      this.pipeline.onStrayDamage();
      return;
    }
    let copy: number | undefined;
    if (seq !== null) {
      copy = this.pipeline.answersHeld(seq, null) ? undefined : this.log.match(seq);
      // Naming nothing outstanding and no copy sent, its SEQ digits were hit: it answers the oldest copy, like an
      // unreadable SEQ (ignored, it left the request it answers to wait for a timeout).
      if (!named && copy === undefined) seq = null;
    }
    if (seq === null) {
      const oldest = this.log.matchOldest();
      seq = oldest?.seq ?? null;
      copy = oldest?.stamp;
    }
    if (seq === UNSEQUENCED || seq === null) {
      this.counters.damagedReplies++;
      this.prober.onDamaged();
      return;
    }
    if (this.state === "ready") this.pipeline.onDamaged(seq, copy, line);
    else this.counters.damagedReplies++;
    this.maybeAskForCopies();
  }

  /** Copies (DUP 2) from a device that can send them (LIM dup=2), once damaged answers are frequent (damage-watch.ts). */
  private maybeAskForCopies(): void {
    if (this.state !== "ready" || (this.known?.limits.dup ?? 1) < 2 || !this.damage.shouldAskForCopies(this.counters)) return;
    this.request({ cmd: "DUP", copies: 2 }).catch(() => undefined); // refused or lost with the session: lines stay single
  }

  /** The device reset: it sends single lines again, and may be asked for copies again. */
  private forgetCopies(): void {
    this.pairing = null;
    this.damage.forgetCopies();
  }

  /** The answer to DUP 2 arrived: it and every line after it come twice. `first` is one copy of that answer. */
  private startPairing(first: ReceivedLine): void {
    if (this.pairing) return;
    this.pairing = new CopyPairing((r) => this.onReceived(r), (a, b) => {
      const merged = mergeReceived(a, b);
      if (merged !== null) this.counters.mergedCopies++;
      return merged;
    });
    this.pairing.expectCopyOf(first);
  }

  private onBoot(nonce: number): void {
    if (!this.known || nonce === this.known.identity.boot || this.state !== "ready") return;
    this.forgetCopies();
    this.options.log?.(`${this.options.label}: device announced a reset (BOOT ${hex8(nonce)}); resynchronising`);
    this.recover("resync");
  }
}

function hex8(v: number): string {
  return v.toString(16).toUpperCase().padStart(8, "0");
}
