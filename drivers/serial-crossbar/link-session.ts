// The host side of firmware/PROTOCOL.md: sequence numbers, pipelining, retries, reconnect and resync.
//
// Requests are sent in order, up to `window` unanswered. The device executes strictly in sequence order
// and remembers its last replies, so every resend repeats the identical line and is safe. Recovery:
// - a reply for a later request proves earlier ones ran: their lost replies are fetched by resending;
// - ERR ORDER / ERR CRC mean a line was lost or damaged: go back and resend from the missing one;
// - no progress for `timeoutSeconds`: go back and resend everything outstanding;
// - the stream closed: reconnect (the caller's `connect` finds the device again), then resync;
// - a BOOT line or ERR ORDER expected 0000: the device was reset; pulses then outstanding are reported
//   as errors (their outcome is unknown), reads are re-issued in a new session.
import { randomBytes } from "node:crypto";
import type { Duplex } from "node:stream";
import { decodeFrame, encodeFrame, FrameError, nextSeq, UNSEQUENCED } from "../../protocol/serial-line/frame.js";
import {
  FINAL_ERROR_CODES, MUTATING_COMMANDS, parseIdentityPayload, parseLimitsPayload, parseReply, PROTOCOL_VERSION,
  requestFields, type CodeWidths, type Reply, type Request, type WireIdentity, type WireLimits,
} from "../../protocol/serial-line/messages.js";
import { DeviceMismatchError, DeviceRefusedError, DeviceResetError, SerialLinkError } from "./errors.js";
import { LineLink } from "./line-link.js";
import { ValueError } from "../../protocol/serial-line/values.js";

export type OkReply = Extract<Reply, { kind: "ok" }>;

export interface LinkSessionOptions {
  /** Opens (and, after a disconnect, re-opens) the byte stream to the device. */
  connect: () => Promise<Duplex>;
  /** What the device is, for messages ("serial:/dev/ttyACM0"). */
  label: string;
  /** Most requests unanswered at once (capped by the device's reply memory). Default 16. */
  window?: number;
  /** No reply for this long: resend what is outstanding. Default 0.5 s. */
  timeoutSeconds?: number;
  /** Resends of one request before the driver resynchronises, then gives up. Default 10. */
  retries?: number;
  /** How long to look for the device again after a disconnect. Default 10 s. */
  reconnectSeconds?: number;
  /** How long the identify probe waits for an answer (boards with DTR auto-reset need ~2 s). Default 3 s. */
  probeSeconds?: number;
  /** Progress messages (reconnects, resyncs). */
  log?: (message: string) => void;
}

/** What the session learned from ID and LIM. */
export interface SessionIdentity {
  identity: WireIdentity;
  limits: WireLimits;
}

export interface LinkCounters {
  requests: number;
  linesSent: number;
  resends: number;
  damagedReplies: number;
  timeouts: number;
  reconnects: number;
  resyncs: number;
}

interface Pending {
  index: number;
  request: Request;
  fields: string[];
  mutating: boolean;
  /** Expected execution time on the device, ms (long pulse trains). */
  extraMs: number;
  seq: number;
  line: string;
  attempts: number;
  lastSentAt: number;
  lastStamp: number;
  resolve(reply: OkReply): void;
  reject(error: Error): void;
}

interface Probe {
  cmd: string;
  resolve(reply: OkReply): void;
  reject(error: Error): void;
}

type State = "idle" | "ready" | "resyncing" | "reconnecting" | "failed" | "closed";

const PROBE_INTERVAL_MS = 250;
/** The congestion window never drops below this: a few lines in flight keep the feedback (bounces, gaps) coming. */
const MIN_CONGESTION_WINDOW = 4;

export class LinkSession {
  readonly counters: LinkCounters = { requests: 0, linesSent: 0, resends: 0, damagedReplies: 0, timeouts: 0, reconnects: 0, resyncs: 0 };
  private readonly windowOption: number;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly reconnectMs: number;
  private readonly probeMs: number;
  private link: LineLink | null = null;
  private state: State = "idle";
  private failure: Error | null = null;
  private known: SessionIdentity | null = null;
  private widths: CodeWidths = { vhex: 4, ahex: 4, chex: 2 };
  private window = 1;
  /** Congestion window: halved once per loss event, grown by one per window of answers (AIMD), ≤ window. */
  private cwnd = 1;
  private lastCutStamp = 0;
  private rxBufferBytes = 256;
  private queue: Pending[] = [];
  private inflight: Pending[] = [];
  private inflightBySeq = new Map<number, Pending>();
  private inflightBytes = 0;
  private lastSeq = 0;
  private nextIndex = 1;
  private stamp = 0;
  private sentLog: { seq: number; stamp: number }[] = [];
  private sentLogHead = 0;
  private lastProgressAt = 0;
  private timer: NodeJS.Timeout | null = null;
  private probe: Probe | null = null;
  /** Lines that were not protocol frames, for the "another protocol" diagnosis. */
  private foreignLines: string[] = [];
  private recovering: Promise<void> | null = null;

  constructor(private readonly options: LinkSessionOptions) {
    this.windowOption = options.window ?? 16;
    this.timeoutMs = (options.timeoutSeconds ?? 0.5) * 1000;
    this.retries = options.retries ?? 10;
    this.reconnectMs = (options.reconnectSeconds ?? 10) * 1000;
    this.probeMs = (options.probeSeconds ?? 3) * 1000;
    if (!Number.isInteger(this.windowOption) || this.windowOption < 1) throw new RangeError(`window ${this.windowOption} must be an integer ≥ 1`);
  }

  /** Connects, identifies (ID, LIM: the only lines sent until the device is known) and starts a session (NEW). */
  async open(): Promise<SessionIdentity> {
    this.attach(await this.options.connect());
    let id: WireIdentity;
    let limits: WireLimits;
    try {
      id = await this.identifyProbe();
      limits = parseLimitsPayload((await this.unsequenced("LIM", this.probeMs)).payload);
    } catch (e) {
      await this.link?.close();
      this.state = "closed";
      throw e;
    }
    this.known = { identity: id, limits };
    this.widths = { vhex: limits.vhex, ahex: limits.ahex, chex: limits.chex, exact: limits.exact };
    this.window = Math.max(1, Math.min(this.windowOption, limits.mem));
    this.cwnd = this.window;
    this.rxBufferBytes = Math.max(limits.rxbuf, limits.maxin);
    this.state = "ready";
    this.queueNewSession();
    await this.request({ cmd: "PING" });
    return this.known;
  }

  get identity(): SessionIdentity {
    if (!this.known) throw new Error("session not open");
    return this.known;
  }

  get codeWidths(): CodeWidths {
    return this.widths;
  }

  /** The window in use (the option, capped by the device's reply memory). */
  get effectiveWindow(): number {
    return this.window;
  }

  get connected(): boolean {
    return this.state === "ready" && this.link !== null && this.link.open;
  }

  /** Sends a sequenced request and resolves with its OK reply; an ERR reply rejects with DeviceRefusedError. */
  request(request: Request, expectedSeconds = 0): Promise<OkReply> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.state === "closed" || this.state === "idle") return Promise.reject(new SerialLinkError(`${this.options.label}: link is closed`));
    const fields = requestFields(request, this.widths);
    return new Promise<OkReply>((resolve, reject) => {
      this.counters.requests++;
      this.queue.push(this.pending(request, fields, expectedSeconds, resolve, reject));
      this.pump();
    });
  }

  /** Rejects whatever is outstanding and releases the stream (the caller grounds the device first). */
  async close(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "closed";
    this.stopTimer();
    const err = new SerialLinkError(`${this.options.label}: link closed`);
    for (const p of [...this.inflight, ...this.queue]) p.reject(err);
    this.inflight = [];
    this.queue = [];
    this.inflightBySeq.clear();
    await this.link?.close();
    this.link = null;
  }

  // --- connection ---

  private attach(stream: Duplex): void {
    this.link = new LineLink(stream, {
      onLine: (line) => this.onLine(line),
      onClose: (reason) => this.onLinkClosed(reason),
    });
  }

  private async identifyProbe(): Promise<WireIdentity> {
    let reply: OkReply;
    try {
      reply = await this.unsequenced("ID", this.probeMs);
    } catch (e) {
      if (this.foreignLines.length > 0) {
        const sample = this.foreignLines[0]!.replace(/[^\x20-\x7e]/g, "?").slice(0, 40);
        throw new SerialLinkError(`${this.options.label} answered in another protocol (e.g. ${JSON.stringify(sample)}), not the crossbar protocol of firmware/PROTOCOL.md; only the identify probe was sent`);
      }
      throw e;
    }
    const id = parseIdentityPayload(reply.payload);
    if (id.proto !== PROTOCOL_VERSION) {
      throw new SerialLinkError(`${this.options.label} speaks crossbar protocol version ${id.proto}; this driver speaks version ${PROTOCOL_VERSION} (update the firmware or the host)`);
    }
    return id;
  }

  /** An unsequenced request (ID, LIM, ST, EN, PING), resent every timeout (20–250 ms) until answered or `totalMs` passes. */
  private unsequenced(cmd: "ID" | "LIM" | "ST" | "EN" | "PING", totalMs: number): Promise<OkReply> {
    const line = encodeFrame({ seq: UNSEQUENCED, fields: [cmd] });
    return new Promise<OkReply>((resolve, reject) => {
      const started = Date.now();
      const send = () => {
        this.stamp++;
        this.logSent(UNSEQUENCED);
        this.link?.write([line]);
        this.counters.linesSent++;
      };
      const interval = Math.max(20, Math.min(PROBE_INTERVAL_MS, this.timeoutMs));
      const tick = setInterval(() => {
        if (Date.now() - started >= totalMs) {
          done();
          reject(new SerialLinkError(`${this.options.label}: no answer to ${cmd} within ${(totalMs / 1000).toFixed(1)} s (is it a crossbar controller, powered, at the right baud rate?)`));
        } else {
          send();
        }
      }, interval);
      const done = () => {
        clearInterval(tick);
        if (this.probe === probe) this.probe = null;
      };
      const probe: Probe = {
        cmd,
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      this.probe = probe;
      send();
    });
  }

  private onLinkClosed(reason: { error?: Error; disconnected: boolean }): void {
    this.link = null;
    this.probe?.reject(new SerialLinkError(`${this.options.label}: link lost while waiting for an answer`));
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

  private pendingReconnect = false;

  private async reconnect(): Promise<void> {
    this.state = "reconnecting";
    this.stopTimer();
    await this.link?.close();
    this.link = null;
    const deadline = Date.now() + this.reconnectMs;
    let delay = 20;
    let lastError: Error | null = null;
    for (;;) {
      if ((this.state as State) === "closed") throw new SerialLinkError(`${this.options.label}: closed while reconnecting`);
      try {
        this.attach(await this.options.connect());
        this.counters.reconnects++;
        return;
      } catch (e) {
        lastError = e as Error;
      }
      if (Date.now() + delay > deadline) break;
      await sleep(delay);
      delay = Math.min(delay * 2, 500);
    }
    throw new SerialLinkError(`${this.options.label}: disconnected and not found again within ${(this.reconnectMs / 1000).toFixed(0)} s (${lastError?.message ?? "no port"}); plug it back in and reopen`);
  }

  /** Identify again; refuse a different device; resend (same boot) or start a new session (device reset). */
  private async resync(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "resyncing";
    this.stopTimer();
    this.counters.resyncs++;
    const before = this.known!.identity;
    const now = await this.identifyProbe();
    for (const k of ["model", "serial", "rows", "cols"] as const) {
      if (now[k] !== before[k]) {
        throw new DeviceMismatchError(
          `${this.options.label} now answers as a different device (${k} ${String(before[k])} → ${String(now[k])}; model ${now.model}, serial ${now.serial}); refusing to go on with it`,
        );
      }
    }
    if (this.state !== "resyncing") return;
    if (now.boot !== before.boot) {
      this.options.log?.(`${this.options.label}: device was reset (boot ${hex(before.boot)} → ${hex(now.boot)}); starting a new session`);
      this.known = { identity: now, limits: this.known!.limits };
      const outstanding = this.inflight;
      this.inflight = [];
      this.inflightBySeq.clear();
      this.inflightBytes = 0;
      const reissue: Pending[] = [];
      for (const p of outstanding) {
        if (p.request.cmd === "NEW") continue;
        if (p.mutating) {
          p.reject(new DeviceResetError(`${this.options.label} was reset while ${p.request.cmd} (seq ${hex(p.seq, 4)}) was outstanding: whether it was applied is unknown; re-read the array before going on`));
        } else {
          p.attempts = 0;
          reissue.push(p);
        }
      }
      this.queue = [...reissue, ...this.queue];
      this.state = "ready";
      this.queueNewSession();
    } else {
      this.state = "ready";
      for (const p of this.inflight) p.attempts = 0;
      this.retransmit(this.inflight);
    }
    this.lastProgressAt = Date.now();
    this.pump();
  }

  private fail(error: Error): void {
    if (this.state === "closed") return;
    this.failure = error;
    this.state = "failed";
    this.stopTimer();
    for (const p of [...this.inflight, ...this.queue]) p.reject(error);
    this.inflight = [];
    this.queue = [];
    this.inflightBySeq.clear();
    this.inflightBytes = 0;
    void this.link?.close();
  }

  // --- sending ---

  private pending(request: Request, fields: string[], expectedSeconds: number, resolve: (r: OkReply) => void, reject: (e: Error) => void): Pending {
    return {
      index: this.nextIndex++, request, fields, mutating: (MUTATING_COMMANDS as readonly string[]).includes(request.cmd),
      extraMs: expectedSeconds * 1000, seq: 0, line: "", attempts: 0, lastSentAt: 0, lastStamp: 0, resolve, reject,
    };
  }

  private queueNewSession(): void {
    const nonce = randomBytes(4).readUInt32BE(0);
    const req: Request = { cmd: "NEW", nonce };
    const p = this.pending(req, requestFields(req, this.widths), 0, () => {}, () => {});
    this.queue.unshift(p);
  }

  private pump(): void {
    if (this.state !== "ready" || !this.link) return;
    const batch: Pending[] = [];
    const limit = Math.max(1, Math.floor(this.cwnd));
    while (this.queue.length > 0 && this.inflight.length < limit) {
      const p = this.queue[0]!;
      const bytes = p.fields.join(" ").length + 12;
      if (this.inflight.length > 0 && this.inflightBytes + bytes > this.rxBufferBytes) break;
      this.queue.shift();
      this.lastSeq = nextSeq(this.lastSeq);
      p.seq = this.lastSeq;
      p.line = encodeFrame({ seq: p.seq, fields: p.fields });
      this.inflight.push(p);
      this.inflightBySeq.set(p.seq, p);
      this.inflightBytes += p.line.length + 1;
      batch.push(p);
    }
    if (batch.length > 0) {
      if (this.inflight.length === batch.length) this.lastProgressAt = Date.now();
      this.transmit(batch);
    }
  }

  private transmit(batch: Pending[]): void {
    const now = Date.now();
    for (const p of batch) {
      p.lastSentAt = now;
      p.lastStamp = ++this.stamp;
      this.logSent(p.seq);
    }
    this.counters.linesSent += batch.length;
    this.link?.write(batch.map((p) => p.line));
    this.armTimer();
  }

  private retransmit(batch: Pending[]): void {
    if (batch.length === 0 || !this.link) return;
    this.counters.resends += batch.length;
    this.transmit(batch);
  }

  private logSent(seq: number): void {
    this.sentLog.push({ seq, stamp: this.stamp });
    if (this.sentLog.length > 8192) {
      this.sentLog = this.sentLog.slice(this.sentLogHead);
      this.sentLogHead = 0;
      if (this.sentLog.length > 8192) this.sentLog = this.sentLog.slice(-4096);
    }
  }

  /** Which transmission a reply answers: replies come in the order lines were received, so the first logged copy. */
  private matchSent(seq: number): number | undefined {
    const end = Math.min(this.sentLog.length, this.sentLogHead + 4 * this.window + 64);
    for (let k = this.sentLogHead; k < end; k++) {
      if (this.sentLog[k]!.seq === seq) {
        this.sentLogHead = k + 1;
        return this.sentLog[k]!.stamp;
      }
    }
    return undefined;
  }

  // --- receiving ---

  private onLine(line: string): void {
    let seq: number;
    let reply: Reply;
    try {
      const frame = decodeFrame(line);
      seq = frame.seq;
      reply = parseReply(frame.fields);
    } catch (e) {
      if (!(e instanceof FrameError) && !(e instanceof ValueError)) throw e;
      this.counters.damagedReplies++;
      // A damaged reply: fetch it again now (the device answers from memory). Its SEQ digits name it;
      // when they did not survive, replies come in the order lines were sent, so it is the oldest unanswered copy.
      if (this.state === "ready" && this.known) {
        const seq = e instanceof FrameError && e.seq !== null ? e.seq : this.oldestUnansweredSeq();
        if (seq !== null && seq !== UNSEQUENCED) this.resendLost(seq);
      }
      // A damaged line of this protocol still looks like one (SEQ digits, or a ' *CRC' tail); anything else is foreign.
      const ours = /^[0-9A-F]{4} /.test(line) || / \*[0-9A-F]{4}\r?$/.test(line);
      if (this.known === null && !ours && this.foreignLines.length < 8 && line.length > 0) this.foreignLines.push(line);
      return;
    }
    const copy = this.matchSent(seq);
    if (seq === UNSEQUENCED) {
      this.onUnsequenced(reply);
      return;
    }
    const p = this.inflightBySeq.get(seq);
    if (!p || this.state === "closed" || this.state === "failed") return;
    const copyStamp = copy ?? p.lastStamp;
    if (reply.kind === "ok" || (reply.kind === "err" && (FINAL_ERROR_CODES as readonly string[]).includes(reply.code))) {
      if (this.state === "ready") this.fetchSkipped(p, copyStamp);
      this.complete(p, reply);
      return;
    }
    if (reply.kind !== "err" || this.state !== "ready") return;
    switch (reply.code) {
      case "ORDER": {
        const expected = /expected ([0-9A-F]{4})/.exec(reply.text);
        const x = expected ? parseInt(expected[1]!, 16) : null;
        if (x === UNSEQUENCED) {
          this.options.log?.(`${this.options.label}: device has no session (reset?); resynchronising`);
          this.recover("resync");
          return;
        }
        if (p.lastStamp !== copyStamp) return; // a newer copy is already on its way
        const from = x !== null ? this.inflightBySeq.get(x) ?? p : p;
        this.goBack(from, copyStamp);
        return;
      }
      case "CRC":
      case "BUSY":
        if (p.lastStamp !== copyStamp) return;
        this.goBack(p, copyStamp);
        return;
      case "REUSED":
        this.complete(p, reply);
        return;
      default:
        return;
    }
  }

  private onUnsequenced(reply: Reply): void {
    if (reply.kind === "boot") {
      if (this.known && reply.nonce !== this.known.identity.boot && (this.state === "ready" || this.state === "resyncing")) {
        this.options.log?.(`${this.options.label}: device announced a reset (BOOT ${hex(reply.nonce)}); resynchronising`);
        if (this.state === "ready") this.recover("resync");
      }
      return;
    }
    if (reply.kind === "ok" && this.probe && reply.cmd === this.probe.cmd) this.probe.resolve(reply);
    // The device could not read the SEQ of a damaged line: it was the oldest copy it had not answered.
    if (reply.kind === "err" && reply.code === "CRC" && this.state === "ready") {
      const seq = this.oldestUnansweredSeq();
      if (seq !== null && seq !== UNSEQUENCED) {
        const p = this.inflightBySeq.get(seq);
        const copy = this.matchSent(seq);
        if (p && (copy ?? p.lastStamp) === p.lastStamp) this.goBack(p, p.lastStamp);
      }
    }
  }

  /** The sequence number of the oldest logged transmission not yet matched by a reply. */
  private oldestUnansweredSeq(): number | null {
    return this.sentLogHead < this.sentLog.length ? this.sentLog[this.sentLogHead]!.seq : null;
  }

  /** The reply to `seq`'s latest copy was lost: resend that request alone. */
  private resendLost(seq: number): void {
    const p = this.inflightBySeq.get(seq);
    const copy = this.matchSent(seq);
    if (p && (copy ?? p.lastStamp) === p.lastStamp) {
      this.lossSeen(p.lastStamp);
      this.retransmit([p]);
    }
  }

  /** A reply for `p` proves every earlier request ran (in-order execution): fetch their lost replies. */
  private fetchSkipped(p: Pending, copyStamp: number): void {
    const lost: Pending[] = [];
    for (const e of this.inflight) {
      if (e.index >= p.index) break;
      if (e.lastStamp < copyStamp) lost.push(e);
    }
    this.retransmit(lost);
  }

  /** Resend, in order, every outstanding request from `from` on whose latest copy is not newer than `stamp`. */
  private goBack(from: Pending, stamp: number): void {
    this.lossSeen(stamp);
    const batch = this.inflight.filter((e) => e.index >= from.index && e.lastStamp <= stamp);
    this.retransmit(batch);
  }

  /** A line sent at `stamp` was lost: halve the congestion window, once per loss event (lines sent since the last cut). */
  private lossSeen(stamp: number): void {
    if (stamp <= this.lastCutStamp) return;
    this.cwnd = Math.max(Math.min(this.window, MIN_CONGESTION_WINDOW), this.cwnd / 2);
    this.lastCutStamp = this.stamp;
  }

  private complete(p: Pending, reply: Reply): void {
    const i = this.inflight.indexOf(p);
    if (i >= 0) this.inflight.splice(i, 1);
    this.inflightBySeq.delete(p.seq);
    this.inflightBytes -= p.line.length + 1;
    this.lastProgressAt = Date.now();
    this.cwnd = Math.min(this.window, this.cwnd + 1 / this.cwnd);
    if (reply.kind === "ok") {
      if (reply.cmd !== p.request.cmd) {
        p.reject(new SerialLinkError(`${this.options.label}: reply to ${p.request.cmd} (seq ${hex(p.seq, 4)}) was for ${reply.cmd}: stale reply memory; reopen the device`));
      } else {
        p.resolve(reply);
      }
    } else if (reply.kind === "err") {
      p.reject(new DeviceRefusedError(reply.code, p.request.cmd, reply.text));
    }
    if (this.inflight.length === 0) this.stopTimer();
    this.pump();
  }

  // --- timeouts ---

  private armTimer(): void {
    if (this.timer) return;
    const period = Math.max(2, Math.min(100, this.timeoutMs / 4));
    this.timer = setInterval(() => this.checkTimeout(), period);
    this.timer.unref?.();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private checkTimeout(): void {
    if (this.state !== "ready") return;
    const oldest = this.inflight[0];
    if (!oldest) {
      this.stopTimer();
      return;
    }
    const now = Date.now();
    if (now < Math.max(oldest.lastSentAt, this.lastProgressAt) + this.timeoutMs + oldest.extraMs) return;
    this.counters.timeouts++;
    this.lossSeen(oldest.lastStamp);
    oldest.attempts++;
    if (oldest.attempts > this.retries) {
      this.options.log?.(`${this.options.label}: no answer to ${oldest.request.cmd} after ${this.retries} resends; resynchronising`);
      oldest.attempts = 0;
      this.recover("resync");
      return;
    }
    this.lastProgressAt = now;
    this.retransmit([...this.inflight]);
  }
}

function hex(v: number, width = 8): string {
  return v.toString(16).toUpperCase().padStart(width, "0");
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
