// The device side of firmware/PROTOCOL.md over any byte stream, backed by the simulated crossbar.
//
// A line is checked (CRC first), admitted by the exactly-once rules (sequencer.ts), executed on the simulator
// (commands.ts) and answered. Like the firmware, only OK and FAULT replies consume a SEQ; a refusal is a NAK.
// The twin keeps its own log of applied pulses (to check exactly-once) and the safe-state flag.
import { randomBytes } from "node:crypto";
import type { Duplex } from "node:stream";
import type { DeviceIdentity } from "../../src/hal/crossbar.js";
import type { SimulatedCrossbar } from "../../sim/crossbar/simulated-crossbar.js";
import { COPY_MARK, decodeFrame, encodeFrame, FrameError, LINE_END, lineCrc, UNSEQUENCED } from "../../protocol/serial-line/frame.js";
import {
  parseRequest, REMEMBERED_ERROR_CODES, replyFields, RequestError, UNSEQUENCED_COMMANDS, type Reply, type WireLimits,
} from "../../protocol/serial-line/messages.js";
import { TwinCommands, type AppliedPulseRecord } from "./commands.js";
import { readLines } from "./line-reader.js";
import { twinScaling } from "./scaling.js";
import { Sequencer } from "./sequencer.js";
import { twinWireLimits } from "./wire-limits.js";

export { TWIN_FIRMWARE_VERSION, type AppliedPulseRecord } from "./commands.js";

export interface FirmwareTwinOptions {
  /** Serial number ID reports (default: the simulator's). */
  serial?: string;
  /** Model ID reports (default: the simulator's). */
  model?: string;
  /** Reply memory depth (PROTOCOL.md §3), default 64. */
  replyMemory?: number;
  /** Lines kept when they arrive ahead of `next` (PROTOCOL.md §3, LIM hold), default the reply memory less one; 0: none. */
  holdLines?: number;
  /** Longest host line accepted, bytes including '\n', default 4095. */
  maxInBytes?: number;
  /** Receive buffer the host may fill with unanswered lines, bytes, default 65536. */
  rxBufferBytes?: number;
  /** Link-silence timeout, seconds, default 2. */
  quietSeconds?: number;
  /** Most input vectors one MVF/MVT line may carry (LIM mvb), default 16 (fewer when the reply would outgrow a line); 1: one per line. */
  productVectors?: number;
}

/** Everything the twin has done, for tests and the serve log. */
export interface TwinCounters {
  linesReceived: number;
  damagedLines: number;
  executed: number;
  replayed: number;
  outOfOrder: number;
  /** Lines answered ERR HELD: they arrived ahead of `next` and are kept until the gap before them fills. */
  held: number;
  /** CRC-valid lines refused (SYNTAX, UNKNOWN, LIMIT): NAKs, nothing done. */
  refused: number;
  /** Copies of request lines (`+`) dropped because their SEQ was already taken (remembered or held). */
  copiesDropped: number;
  silenceGroundings: number;
}

export class FirmwareTwin {
  readonly counters: TwinCounters = { linesReceived: 0, damagedLines: 0, executed: 0, replayed: 0, outOfOrder: 0, held: 0, refused: 0, copiesDropped: 0, silenceGroundings: 0 };
  private readonly commands: TwinCommands;
  private readonly sequencer: Sequencer;
  private readonly maxIn: number;
  private readonly quietMs: number;
  private boot = 0;
  private bootedAt = Date.now();
  private output: Duplex | null = null;
  private detachCurrent: (() => void) | null = null;
  private work: Promise<void> = Promise.resolve();
  private quietTimer: NodeJS.Timeout | null = null;
  private outgoing = "";
  private flushSoon: NodeJS.Immediate | null = null;

  /** A twin of `crossbar` (which stays the caller's: stop() does not close it). */
  static async create(crossbar: SimulatedCrossbar, options: FirmwareTwinOptions = {}): Promise<FirmwareTwin> {
    return new FirmwareTwin(crossbar, await crossbar.identify(), options);
  }

  private constructor(readonly crossbar: SimulatedCrossbar, id: DeviceIdentity, options: FirmwareTwinOptions) {
    const memoryDepth = options.replyMemory ?? 64;
    const holdLines = options.holdLines ?? memoryDepth - 1;
    this.maxIn = options.maxInBytes ?? 4095;
    this.quietMs = (options.quietSeconds ?? 2) * 1000;
    const scaling = twinScaling(crossbar);
    const limits = twinWireLimits(crossbar, id, scaling, { memoryDepth, holdLines, maxInBytes: this.maxIn, rxBufferBytes: options.rxBufferBytes ?? 65536, quietSeconds: this.quietMs / 1000, productVectors: options.productVectors ?? 16 });
    this.sequencer = new Sequencer(memoryDepth, holdLines);
    this.commands = new TwinCommands(crossbar, limits, scaling, {
      model: sanitizeToken(options.model ?? id.model),
      serial: sanitizeToken(options.serial ?? id.serial),
      boot: () => this.boot,
      uptimeMs: () => Date.now() - this.bootedAt,
    });
    this.powerUp();
  }

  get bootNonce(): number {
    return this.boot;
  }

  /** True when every line is grounded (between commands, after RST, after link silence). */
  get isSafe(): boolean {
    return this.commands.safe;
  }

  /** Every pulse request executed, in order. */
  get appliedPulses(): AppliedPulseRecord[] {
    return this.commands.appliedPulses;
  }

  /** The limits LIM reports. */
  get limits(): Readonly<WireLimits> {
    return this.commands.limits;
  }

  /** Serves the protocol on `stream` (replacing any previous stream, as when a cable is replugged). */
  serve(stream: Duplex): () => void {
    this.detachCurrent?.();
    const detach = () => {
      stopReading();
      if (this.output === stream) this.output = null;
      if (this.detachCurrent === detach) this.detachCurrent = null;
    };
    const stopReading = readLines(stream, this.maxIn, (line) => this.enqueue(line), detach);
    this.output = stream;
    this.detachCurrent = detach;
    this.armQuietTimer();
    return detach;
  }

  /** A device reset (watchdog, power cycle): new boot nonce, empty reply memory, no session, BOOT line. */
  reboot(): void {
    this.powerUp();
    this.send(UNSEQUENCED, { kind: "boot", nonce: this.boot });
  }

  /** Stops serving and the silence timer (the simulator stays open: it belongs to the caller). */
  stop(): void {
    this.detachCurrent?.();
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = null;
  }

  /** Resolves when every line received so far has been answered. */
  async idle(): Promise<void> {
    await this.work;
  }

  // --- line handling ---

  private powerUp(): void {
    this.boot = randomBytes(4).readUInt32BE(0);
    this.bootedAt = Date.now();
    this.sequencer.reset();
    this.commands.safe = true;
    this.commands.copies = 1;
  }

  private enqueue(line: string | null): void {
    this.work = this.work.then(() => this.handle(line)).catch((e) => {
      this.send(UNSEQUENCED, { kind: "err", code: "FAULT", text: String((e as Error)?.message ?? e) });
    });
  }

  private async handle(received: string | null): Promise<void> {
    this.counters.linesReceived++;
    // A copy of a request line (§3, request copies): acted on only if its SEQ has not been taken.
    const copy = received?.startsWith(COPY_MARK) === true;
    const line = copy ? received!.slice(COPY_MARK.length) : received;
    if (line === null) {
      this.counters.damagedLines++;
      this.send(UNSEQUENCED, { kind: "err", code: "LONG", text: `line longer than ${this.maxIn} bytes` });
      return;
    }
    let frame;
    try {
      frame = decodeFrame(line);
    } catch (e) {
      if (!(e instanceof FrameError)) throw e;
      this.counters.damagedLines++;
      // A NAK, never remembered: the line was not acted on. It names the line's CRC digits when they read as such.
      const crc = /\*([0-9A-F]{8})\r?$/.exec(line);
      this.send(e.seq ?? UNSEQUENCED, { kind: "err", code: "CRC", text: `${crc ? `crc=${crc[1]}` : "line rejected"}${copy ? " copy" : ""}` });
      return;
    }
    this.armQuietTimer();
    const { seq, fields } = frame;
    if (copy && seq !== UNSEQUENCED && this.sequencer.taken(seq)) {
      this.counters.copiesDropped++;
      return;
    }
    if (seq === UNSEQUENCED && fields[0] === "RPT") {
      this.repeat(fields);
      return;
    }
    if (seq === UNSEQUENCED) {
      const allowed = (UNSEQUENCED_COMMANDS as readonly string[]).includes(fields[0]!);
      this.send(seq, allowed ? await this.execute(seq, fields) : { kind: "err", code: "SYNTAX", text: `${fields[0]} cannot be sent unsequenced` });
      return;
    }
    const crc = lineCrc(line);
    const admission = this.sequencer.admit(seq, crc, fields[0]);
    switch (admission.kind) {
      case "replay":
        this.counters.replayed++;
        this.sendLine(admission.line);
        return;
      case "reused":
        this.send(seq, { kind: "err", code: "REUSED", text: `seq ${seq.toString(16).toUpperCase()} was used for another request` });
        return;
      case "hold":
        this.counters.held++;
        this.sequencer.hold({ seq, crc, fields });
        this.send(seq, { kind: "err", code: "HELD", text: `expected ${hex4(admission.expected)}` });
        return;
      case "order":
        this.counters.outOfOrder++;
        this.send(seq, { kind: "err", code: "ORDER", text: `expected ${hex4(admission.expected)}` });
        return;
      case "new-session": {
        const reply = await this.execute(seq, fields);
        if (reply.kind === "ok") this.sequencer.startSession(seq);
        this.answer(seq, crc, reply);
        return;
      }
      case "execute":
        this.answer(seq, crc, await this.execute(seq, fields));
        await this.runHeld();
        return;
    }
  }

  /** The lines held ahead of `next`, in order, while the next one is there (a refusal leaves `next` and stops). */
  private async runHeld(): Promise<void> {
    for (let line = this.sequencer.takeNext(); line; line = this.sequencer.takeNext()) {
      this.answer(line.seq, line.crc, await this.execute(line.seq, line.fields));
    }
  }

  /** `0000 RPT SEQ`: the remembered reply to SEQ again, byte for byte; not remembered: it did not run (ERR ORDER). */
  private repeat(fields: string[]): void {
    let asked: number;
    try {
      const req = parseRequest(fields, this.commands.widths);
      asked = req.cmd === "RPT" ? req.seq : UNSEQUENCED;
    } catch (e) {
      if (!(e instanceof RequestError)) throw e;
      this.send(UNSEQUENCED, { kind: "err", code: e.code, text: e.message });
      return;
    }
    const line = this.sequencer.recall(asked);
    if (line !== undefined) {
      this.counters.replayed++;
      this.sendLine(line);
    } else {
      this.send(asked, { kind: "err", code: "ORDER", text: `expected ${hex4(this.sequencer.expected)}` });
    }
  }

  private async execute(seq: number, fields: string[]): Promise<Reply> {
    const reply = await this.commands.execute(this.sequencer.session, seq, fields);
    if (reply.kind === "err" && reply.code !== "FAULT") this.counters.refused++;
    else this.counters.executed++;
    return reply;
  }

  /** OK and FAULT consume the SEQ (remembered); a refusal is a NAK: nothing done, `next` unchanged. */
  private answer(seq: number, crc: number, reply: Reply): void {
    const line = encodeFrame({ seq, fields: replyFields(reply) });
    if (reply.kind === "ok" || (reply.kind === "err" && REMEMBERED_ERROR_CODES.includes(reply.code))) this.sequencer.commit(seq, crc, line);
    this.sendLine(line);
  }

  private send(seq: number, reply: Reply): void {
    this.sendLine(encodeFrame({ seq, fields: replyFields(reply) }));
  }

  /** Replies made in one turn of the event loop leave in one chunk (as a UART's transmit buffer drains them). */
  private sendLine(line: string): void {
    this.outgoing += this.commands.copies === 2 ? line + LINE_END + line + LINE_END : line + LINE_END;
    this.flushSoon ??= setImmediate(() => {
      this.flushSoon = null;
      const out = this.output;
      if (out && !out.destroyed && out.writable) out.write(this.outgoing, "latin1");
      this.outgoing = "";
    });
  }

  private armQuietTimer(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      this.work = this.work.then(() => this.groundOnSilence());
    }, this.quietMs);
    this.quietTimer.unref();
  }

  private async groundOnSilence(): Promise<void> {
    if (!(await this.crossbar.isSafe())) await this.crossbar.reset();
    this.commands.safe = true;
    this.counters.silenceGroundings++;
  }
}

function hex4(v: number): string {
  return v.toString(16).toUpperCase().padStart(4, "0");
}

/** A token the protocol can carry: printable, no space, '*' or '='. */
function sanitizeToken(s: string): string {
  const t = s.replace(/[^\x21-\x7e]|[*=]/g, "_");
  return t.length > 0 ? t : "_";
}
