// The sequenced requests of firmware/PROTOCOL.md §3 on the host side: what each answer means, and every way an
// answer can fail to come back intact (numbering, the window and sending are outbox.ts).
//
// The device executes strictly in SEQ order and remembers its last replies, so a resend repeats the identical line
// and is always safe. Every answer that is not the request's intact OK sends that request again: one copy answered,
// one copy sent, so the copies in flight stay constant however many answers are damaged. By what the host sees:
// - an answer that does not decode (CRC, framing, payload): asked for again: `0000 RPT SEQ` (a short line, the
//   device answers from its reply memory) when it looks like an OK, else the whole request;
// - ERR CRC / BUSY: the request arrived damaged: sent again;
// - ERR ORDER expected x: sent again, after x when x's latest copy went out before the one answered (x was lost);
// - ERR HELD expected x (a device that keeps lines arriving ahead of a lost one, LIM hold): not sent again, it runs
//   once x has; x is sent again when it was lost (selective repeat: one lost line costs one line, not the window);
// - an answer for a later request proves earlier ones ran: their lost answers are fetched with RPT;
// - a refusal (SYNTAX, UNKNOWN, LIMIT, REUSED) did nothing on the device: resent once, as a line damaged in transit
//   may earn one; the same refusal of the identical line again is final, and a PING takes the SEQ so the
//   session goes on in order;
// - nothing at all for a retransmission timeout: resend the oldest, backing the timer off; the rest of the window
//   goes again once that one's answer overtakes theirs.
// Answers come back in the order the device got the lines, so each answer is matched to the copy it answers
// (SentLog); that tells which other requests were lost before it.
import { randomBytes } from "node:crypto";
import { encodeFrame } from "../../protocol/serial-line/frame.js";
import { requestFields, type ErrorCode, type Reply, type Request } from "../../protocol/serial-line/messages.js";
import { ValueError } from "../../protocol/serial-line/values.js";
import { DeviceRefusedError, DeviceResetError, SerialLinkError } from "./errors.js";
import { Outbox } from "./outbox.js";
import { hex4, newPending, type Pending } from "./pending.js";
import type { OkReply } from "./probe.js";

export { MAX_SENDS_PER_REQUEST, type PipelineIo } from "./outbox.js";

export class Pipeline extends Outbox {
  private strayCheck: NodeJS.Immediate | null = null;

  /** Queues a request; resolves with `decode` of its OK answer (a ValueError there marks the answer damaged). */
  enqueue<T>(request: Request, expectedSeconds: number, decode: (reply: OkReply) => T): Promise<T> {
    const fields = requestFields(request, this.widths);
    return new Promise<T>((resolve, reject) => {
      this.io.stats.requests++;
      this.queue.push(newPending(this.nextIndex++, request, fields, expectedSeconds, decode, resolve as (v: unknown) => void, reject));
      this.pump();
    });
  }

  /** NEW first (once per session: after open, and after a device reset). */
  queueNewSession(): void {
    const req: Request = { cmd: "NEW", nonce: randomBytes(4).readUInt32BE(0) };
    this.queue.unshift(newPending(this.nextIndex++, req, requestFields(req, this.widths), 0, () => undefined, () => {}, () => {}));
  }

  /** After a resync with the same device still in its session: resend everything outstanding. */
  resendOutstanding(): void {
    for (const p of this.inflight) p.timeouts = 0;
    this.start();
    this.retransmit(this.inflight);
  }

  /**
   * After a device reset: pulses outstanding have an unknown outcome (reported, never resent into the new session);
   * reads are issued again in a new session.
   */
  restartAfterReset(): void {
    const outstanding = this.inflight;
    this.inflight = [];
    this.bySeq.clear();
    this.inflightBytes = 0;
    const reissue: Pending[] = [];
    for (const p of outstanding) {
      if (p.request.cmd === "NEW" || p.filler) continue;
      if (p.mutating) {
        p.reject(new DeviceResetError(`${this.io.label} was reset while ${p.request.cmd} (seq ${hex4(p.seq)}) was outstanding: whether it was applied is unknown; re-read the array before going on`));
      } else {
        p.timeouts = 0;
        p.held = false;
        reissue.push(p);
      }
    }
    this.queue = [...reissue, ...this.queue];
    this.queueNewSession();
    this.start();
  }

  /** Rejects everything outstanding and queued. */
  rejectAll(error: Error): void {
    this.pause();
    for (const p of [...this.inflight, ...this.queue]) p.reject(error);
    this.inflight = [];
    this.queue = [];
    this.bySeq.clear();
    this.inflightBytes = 0;
  }

  // --- answers ---

  /** A decoded answer with SEQ ≠ 0000; `copyStamp` is the logged copy it answers, if found. */
  onReply(seq: number, reply: Reply, line: string, copyStamp: number | undefined): void {
    if (reply.kind === "err" && reply.code === "CRC") {
      this.onNak(seq, copyStamp, reply.text);
      return;
    }
    const p = this.bySeq.get(seq);
    if (!p || reply.kind === "boot") return;
    p.heard = true;
    // A filler's SEQ was the refused request's: an answer to a copy of that request sent before the filler is stale.
    if (p.filler && copyStamp !== undefined && copyStamp < p.firstStamp) return;
    const copy = copyStamp ?? p.lastStamp;
    this.answered(p, copyStamp);
    if (reply.kind === "ok") {
      this.onOk(p, reply, line, copy, copyStamp !== undefined);
      return;
    }
    switch (reply.code) {
      case "FAULT": // remembered: the SEQ is consumed, the request is over
        if (this.running) this.fetchSkipped(p, copy);
        this.settle(p);
        p.reject(new DeviceRefusedError(reply.code, p.request.cmd, reply.text));
        return;
      case "ORDER": {
        this.io.stats.naks++;
        if (!this.running) return;
        const x = expectedSeq(reply.text);
        if (x === 0) {
          this.io.onStuck("the device has no session (reset?)");
          return;
        }
        // x ran neither: the device waits for it. Unless x went out again since the copy answered, it was lost.
        const missing = x !== null ? this.bySeq.get(x) : undefined;
        this.resend(missing && missing.index < p.index && missing.lastStamp <= copy ? [missing, p] : [p], copy);
        return;
      }
      case "HELD": {
        // Kept by the device until the request it waits for has run (§3): not sent again. That one was lost unless
        // it went out again after the copy answered.
        this.io.stats.held++;
        p.held = true;
        if (!this.running) return;
        const missing = this.bySeq.get(expectedSeq(reply.text) ?? -1);
        if (missing && missing.index < p.index && missing.lastStamp <= copy) this.retransmit([missing]);
        return;
      }
      case "BUSY": case "LONG":
        this.io.stats.naks++;
        if (this.running) this.resend([p], copy);
        return;
      case "SYNTAX": case "UNKNOWN": case "LIMIT": case "REUSED":
        this.onRefusal(p, reply.code, reply.text, copy);
        return;
    }
  }

  /**
   * Whether an answer for `seq` (`reply` null: one that did not decode) may be the one a held request sends when it
   * finally runs: that answers no copy in the sent log, so it must not be matched to one.
   */
  answersHeld(seq: number, reply: Reply | null): boolean {
    if (!this.bySeq.get(seq)?.held) return false;
    return reply === null || reply.kind !== "err" || !["HELD", "CRC", "ORDER"].includes(reply.code);
  }

  /** Whether `seq` is a request still waiting for its answer. */
  isOutstanding(seq: number): boolean {
    return this.bySeq.has(seq);
  }

  /** The oldest request outstanding is held: the ones before it have run, so its answer (and its held followers') is due. */
  get heldAnswerDue(): boolean {
    return this.inflight[0]?.held === true;
  }

  /**
   * A damaged line that names nothing outstanding (its SEQ was hit) while held answers are due: most likely one of
   * them. Once the answers that arrived with it have been read, the held requests still unanswered are fetched with
   * RPT, instead of waiting for a timeout (the last answer of a burst has no later one to reveal its loss).
   */
  onStrayDamage(): void {
    this.io.stats.damagedReplies++;
    this.strayCheck ??= setImmediate(() => {
      this.strayCheck = null;
      if (!this.running) return;
      const due: Pending[] = [];
      for (const p of this.inflight) {
        if (!p.held) break;
        due.push(p);
      }
      if (due.length > 0) this.fetch(due, this.io.log.lastStamp);
    });
  }

  /**
   * A line that did not decode; `seq`/`copyStamp` when its SEQ could be read or its copy inferred. A long line (or one
   * still showing OK) was most likely the answer: fetched again with RPT; a short one a NAK: the request is resent.
   */
  onDamaged(seq: number, copyStamp: number | undefined, line: string): void {
    this.io.stats.damagedReplies++;
    const p = this.bySeq.get(seq);
    if (!p || !this.running) return;
    p.heard = true;
    this.answered(p, copyStamp);
    if (line.length >= 64 || / OK /.test(line)) this.fetch([p], copyStamp ?? p.lastStamp);
    else this.resend([p], copyStamp ?? p.lastStamp);
  }

  /**
   * ERR CRC (or a `0000 ERR LONG`): a line arrived damaged. The NAK's `crc=` names the line when its CRC digits
   * survived (the SEQ digits may be the damaged ones); else its SEQ, or (`seq` null, 0000) the copy inferred from
   * the log.
   */
  onNak(seq: number | null, copyStamp: number | undefined, text = ""): void {
    this.io.stats.naks++;
    if (!this.running) return;
    const tail = namedTail(text);
    const request = tail ? this.inflight.find((e) => e.line.endsWith(tail)) : undefined;
    const rpt = tail && !request ? this.inflight.find((e) => e.rptLine.endsWith(tail)) : undefined;
    const p = request ?? rpt ?? (seq === null ? undefined : this.bySeq.get(seq));
    if (!p) return;
    const copy = p === this.bySeq.get(seq ?? -1) ? copyStamp ?? p.lastStamp : p.lastStamp;
    this.answered(p, copyStamp);
    if (rpt) this.fetch([p], copy); // the RPT line was the damaged one
    else if (!p.copied) this.resend([p], copy);
    // Sent with a copy behind it: the copy runs (its answer comes) or is damaged too (its own NAK comes, below).
  }

  /**
   * ERR CRC … copy: the copy of a request line arrived damaged. The line itself arrived before it: when nothing but
   * a NAK has come back for the request since it was sent, and the device does not hold it, both were damaged.
   */
  onCopyNak(seq: number, text: string): void {
    this.io.stats.naks++;
    if (!this.running) return;
    const tail = namedTail(text);
    const p = tail ? this.inflight.find((e) => e.line.endsWith(tail)) : this.bySeq.get(seq);
    if (!p || p.held || p.heard) return;
    this.answered(p, undefined);
    this.resend([p], p.lastStamp);
  }

  /**
   * Something came back for `p`: the link is alive, so its timeouts start over and the timer stops backing off. An
   * answer to its latest copy is a round-trip sample (any answer, not only an OK to a line sent once: on a noisy
   * link few requests get through the first time, and Karn's rule alone would leave the timer at its initial value).
   */
  private answered(p: Pending, copyStamp: number | undefined): void {
    p.timeouts = 0;
    p.suspect = false;
    if (copyStamp !== undefined && copyStamp === p.lastStamp) this.io.rto.sample(Date.now() - this.io.log.lastMatchedAt - p.extraMs);
    else this.io.rto.progress();
  }

  /** `matched`: the copy answered is known from the sent log (not a held request's answer, nor a guess). */
  private onOk(p: Pending, reply: OkReply, line: string, copy: number, matched: boolean): void {
    if (reply.cmd !== p.request.cmd) {
      this.undecodable(p, line, copy, `it answers ${reply.cmd}`);
      return;
    }
    let value: unknown;
    try {
      value = p.decode(reply);
    } catch (e) {
      if (!(e instanceof ValueError)) throw e;
      this.undecodable(p, line, copy, e.message);
      return;
    }
    if (this.running) {
      this.fetchSkipped(p, copy);
      if (matched) this.resendOvertaken(p, copy);
    }
    this.settle(p);
    p.resolve(value);
  }

  /** A CRC-valid answer that does not decode: damaged past the CRC, asked again; the same bytes twice are the device's. */
  private undecodable(p: Pending, line: string, copy: number, why: string): void {
    this.io.stats.damagedReplies++;
    if (p.undecodable === line) {
      this.settle(p);
      p.reject(new SerialLinkError(`${this.io.label}: the device answers ${p.request.cmd} (seq ${hex4(p.seq)}) with a reply that does not decode (${why}), the same bytes twice: a device or driver bug`));
      return;
    }
    p.undecodable = line;
    if (this.running) this.fetch([p], copy);
  }

  private onRefusal(p: Pending, code: ErrorCode, text: string, copy: number): void {
    if (!this.running) return;
    if (p.refusal !== code) {
      p.refusal = code;
      this.io.stats.refusalsRetried++;
      this.resend([p], copy);
      return;
    }
    this.io.stats.refusals++;
    if (code === "REUSED") {
      this.io.onFatal(new SerialLinkError(`${this.io.label}: seq ${hex4(p.seq)} ran as another request on the device (a line damaged in transit passed its CRC): the array state is unknown; reopen the device and re-read it`));
      return;
    }
    this.replaceWithFiller(p);
    p.reject(new DeviceRefusedError(code, p.request.cmd, text));
  }

  /** The refused request's SEQ is still the device's `next`: a PING takes it, so the requests after it run in order. */
  private replaceWithFiller(p: Pending): void {
    const ping: Request = { cmd: "PING" };
    const filler = newPending(this.nextIndex++, ping, requestFields(ping, this.widths), 0, () => undefined, () => {}, () => {});
    filler.filler = true;
    filler.index = p.index;
    filler.seq = p.seq;
    filler.line = encodeFrame({ seq: p.seq, fields: filler.fields });
    filler.rptLine = p.rptLine;
    this.inflight[this.inflight.indexOf(p)] = filler;
    this.bySeq.set(p.seq, filler);
    filler.wireBytes = p.wireBytes;
    this.resend([filler], this.io.log.lastStamp);
  }

  /** An answer for `p` proves every earlier request ran (in-order execution): fetch their lost answers. */
  private fetchSkipped(p: Pending, copy: number): void {
    const lost: Pending[] = [];
    for (const e of this.inflight) {
      if (e.index >= p.index) break;
      if (e.lastStamp < copy) lost.push(e);
    }
    if (lost.length > 0) this.fetch(lost, copy);
  }

  /**
   * A timeout resent only the oldest request and left the rest of the window suspect. The device answers lines in
   * the order it got them, so a suspect whose latest copy went out before the copy just answered, and that nothing
   * has been heard for since, was lost (or its answer was): sent again.
   */
  private resendOvertaken(p: Pending, copy: number): void {
    const lost = this.inflight.filter((e) => e.suspect && e.index > p.index && !e.held && e.lastStamp < copy);
    if (lost.length > 0) this.resend(lost, copy);
  }
}

/** The trailer `*XXXXXXXX` of the line a NAK names by `crc=XXXXXXXX`, if it does. */
function namedTail(text: string): string | null {
  const named = /crc=([0-9A-F]{8})/.exec(text);
  return named ? `*${named[1]}` : null;
}

/** The NNNN of `expected NNNN` (ORDER, HELD). */
function expectedSeq(text: string): number | null {
  const m = /expected ([0-9A-F]{4})/.exec(text);
  return m ? parseInt(m[1]!, 16) : null;
}
