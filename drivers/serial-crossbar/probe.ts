// Unsequenced exchanges (SEQ 0000: ID, LIM, ST …) while the device is being identified: one at a time, resent at
// once when an answer arrives damaged or the device NAKs it, resent with a backed-off timeout when nothing comes,
// until a deadline. Answers are told apart by `accept` (a late answer to an earlier probe is not this one's).
// Every copy has the same SEQ 0000, so which copy a damaged answer belonged to cannot be told (a copy lost whole
// leaves no answer): any damaged answer triggers one resend. That keeps the copies in flight constant.
import { encodeFrame, UNSEQUENCED } from "../../protocol/serial-line/frame.js";
import type { ErrorCode, Reply } from "../../protocol/serial-line/messages.js";
import { DeviceRefusedError } from "./errors.js";
import type { LinkStats } from "./link-stats.js";
import type { RetransmitTimer } from "./retransmit-timer.js";
import type { SentLog } from "./sent-log.js";

export type OkReply = Extract<Reply, { kind: "ok" }>;

export interface ProbeIo {
  /** Writes one line; false when there is no link to write to. */
  write(line: string): boolean;
  log: SentLog;
  stats: LinkStats;
  rto: RetransmitTimer;
}

export interface ProbeOptions {
  /** Whether an OK answer is the one asked for (default: any OK of the same command). */
  accept?: (reply: OkReply) => boolean;
  /** The error when the deadline passes without an answer. */
  onTimeout: () => Error;
}

interface Exchange {
  cmd: string;
  line: string;
  options: ProbeOptions;
  deadline: number;
  sends: number;
  firstSentAt: number;
  refusal: ErrorCode | null;
  timer: NodeJS.Timeout | null;
  resolve(reply: OkReply): void;
  reject(error: Error): void;
}

export class Prober {
  private current: Exchange | null = null;

  constructor(private readonly io: ProbeIo) {}

  get active(): boolean {
    return this.current !== null;
  }

  /** Sends `fields` unsequenced until an accepted OK answer (resolves) or the deadline (rejects). */
  ask(fields: string[], deadline: number, options: ProbeOptions): Promise<OkReply> {
    if (this.current) return Promise.reject(new Error(`probe ${fields[0]} while ${this.current.cmd} is outstanding`));
    return new Promise<OkReply>((resolve, reject) => {
      const x: Exchange = {
        cmd: fields[0]!, line: encodeFrame({ seq: UNSEQUENCED, fields }), options, deadline, sends: 0, firstSentAt: Date.now(),
        refusal: null, timer: null, resolve, reject,
      };
      this.current = x;
      this.send(x);
    });
  }

  /** A decoded answer with SEQ 0000. */
  onAnswer(reply: Reply): void {
    const x = this.current;
    if (!x) return;
    if (reply.kind === "ok") {
      if (reply.cmd !== x.cmd || !(x.options.accept?.(reply) ?? true)) return;
      if (x.sends === 1) this.io.rto.sample(Date.now() - x.firstSentAt);
      this.io.rto.progress();
      this.finish(x);
      x.resolve(reply);
      return;
    }
    if (reply.kind !== "err") return;
    if (reply.code === "CRC" || reply.code === "LONG" || reply.code === "BUSY") {
      this.io.stats.naks++;
      this.onDamaged();
    } else if (reply.code === "SYNTAX" || reply.code === "UNKNOWN") {
      // Once: the probe may have been damaged past its CRC. The same refusal again is the device's answer.
      if (x.refusal === reply.code) {
        this.finish(x);
        x.reject(new DeviceRefusedError(reply.code, x.cmd, reply.text));
        return;
      }
      x.refusal = reply.code;
      this.io.stats.refusalsRetried++;
      this.resend(x);
    }
  }

  /** A damaged line arrived (perhaps this probe's answer): send it again now. */
  onDamaged(): void {
    if (this.current) this.resend(this.current);
  }

  /** Abandons the probe outstanding (link lost, device diagnosed as something else). */
  cancel(error: Error): void {
    const x = this.current;
    if (!x) return;
    this.finish(x);
    x.reject(error);
  }

  private resend(x: Exchange): void {
    this.io.stats.probeResends++;
    this.io.stats.resends++;
    this.send(x);
  }

  private send(x: Exchange): void {
    if (this.current !== x) return;
    this.io.log.record(UNSEQUENCED);
    x.sends++;
    if (this.io.write(x.line)) this.io.stats.linesSent++;
    if (x.timer) clearTimeout(x.timer);
    const wait = Math.max(1, Math.min(this.io.rto.ms, x.deadline - Date.now()));
    x.timer = setTimeout(() => this.onTimer(x), wait);
  }

  private onTimer(x: Exchange): void {
    x.timer = null;
    if (this.current !== x) return;
    if (Date.now() >= x.deadline) {
      this.finish(x);
      x.reject(x.options.onTimeout());
      return;
    }
    this.io.stats.timeouts++;
    this.io.rto.backOff();
    this.resend(x);
  }

  private finish(x: Exchange): void {
    if (x.timer) clearTimeout(x.timer);
    x.timer = null;
    if (this.current === x) this.current = null;
  }
}
