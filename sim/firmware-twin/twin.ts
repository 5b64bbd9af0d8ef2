// The device side of firmware/PROTOCOL.md over any byte stream, backed by the simulated crossbar.
//
// It forwards the simulator's own measured energy and duration (exact decimals) and its own quantized
// codes (scaling.ts), so a host talking to the twin sees the numbers the simulator itself reports.
// It keeps its own log of applied pulses (to check exactly-once) and the safe-state flag.
import { randomBytes } from "node:crypto";
import type { Duplex } from "node:stream";
import type { DeviceIdentity, EnergyBreakdown, Measured, Pulse } from "../../src/hal/crossbar.js";
import { LimitError } from "../../src/hal/limits.js";
import type { SimulatedCrossbar } from "../crossbar/simulated-crossbar.js";
import { decodeFrame, encodeFrame, FrameError, lineCrc, nextSeq, UNSEQUENCED } from "../../protocol/serial-line/frame.js";
import {
  identityPayload, limitsPayload, parseRequest, PROTOCOL_VERSION, replyFields, RequestError, statusPayload,
  UNSEQUENCED_COMMANDS, type CodeWidths, type Reply, type Request, type WireLimits,
} from "../../protocol/serial-line/messages.js";
import { countHexWidth, encodeSignedVector, signedCodeRange } from "../../protocol/serial-line/values.js";
import { twinScaling, type TwinScaling } from "./scaling.js";

export const TWIN_FIRMWARE_VERSION = "twin-1";

export interface FirmwareTwinOptions {
  /** Serial number ID reports (default: the simulator's). */
  serial?: string;
  /** Model ID reports (default: the simulator's). */
  model?: string;
  /** Reply memory depth (PROTOCOL.md §3), default 64. */
  replyMemory?: number;
  /** Longest host line accepted, bytes including '\n', default 4095. */
  maxInBytes?: number;
  /** Receive buffer the host may fill with unanswered lines, bytes, default 65536. */
  rxBufferBytes?: number;
  /** Link-silence timeout, seconds, default 2. */
  quietSeconds?: number;
}

/** One executed pulse request, as the twin applied it. */
export interface AppliedPulseRecord {
  /** Session number (one per NEW) and sequence number of the request. */
  session: number;
  seq: number;
  pulse: Pulse;
  applied: number;
  trips: number;
}

interface Remembered {
  crc: number;
  line: string;
}

/** Everything the twin has done, for tests and the serve log. */
export interface TwinCounters {
  linesReceived: number;
  damagedLines: number;
  executed: number;
  replayed: number;
  outOfOrder: number;
  silenceGroundings: number;
}

export class FirmwareTwin {
  readonly appliedPulses: AppliedPulseRecord[] = [];
  readonly counters: TwinCounters = { linesReceived: 0, damagedLines: 0, executed: 0, replayed: 0, outOfOrder: 0, silenceGroundings: 0 };
  private readonly scaling: TwinScaling;
  private readonly limits: WireLimits;
  private readonly widths: CodeWidths;
  private readonly memoryDepth: number;
  private readonly maxIn: number;
  private readonly quietMs: number;
  private readonly modelName: string;
  private readonly serialNumber: string;
  private readonly totals = { cell: 0, halfSelected: 0, peripheral: 0, seconds: 0, pulses: 0 };
  private boot = 0;
  private bootedAt = Date.now();
  private next = UNSEQUENCED;
  private session = 0;
  private memory = new Map<number, Remembered>();
  private safe = true;
  private output: Duplex | null = null;
  private detachCurrent: (() => void) | null = null;
  private work: Promise<void> = Promise.resolve();
  private quietTimer: NodeJS.Timeout | null = null;

  /** A twin of `crossbar` (which stays the caller's: stop() does not close it). */
  static async create(crossbar: SimulatedCrossbar, options: FirmwareTwinOptions = {}): Promise<FirmwareTwin> {
    return new FirmwareTwin(crossbar, await crossbar.identify(), options);
  }

  private constructor(readonly crossbar: SimulatedCrossbar, l: DeviceIdentity, options: FirmwareTwinOptions) {
    this.memoryDepth = options.replyMemory ?? 64;
    this.maxIn = options.maxInBytes ?? 4095;
    this.quietMs = (options.quietSeconds ?? 2) * 1000;
    this.scaling = twinScaling(crossbar);
    this.modelName = sanitizeToken(options.model ?? l.model);
    this.serialNumber = sanitizeToken(options.serial ?? l.serial);
    const s = this.scaling;
    this.limits = {
      vrmax: l.limits.maxReadVolts,
      vpmax: l.limits.maxProgramVoltsPositive,
      vnmax: l.limits.maxProgramVoltsNegative,
      wmin: l.limits.minPulseWidthSeconds,
      wmax: l.limits.maxPulseWidthSeconds,
      cmax: l.limits.maxPulseCount,
      icomp: l.limits.complianceAmperes,
      dac: l.limits.dacBits,
      adc: l.limits.adcBits,
      vlsb: s.vlsb, vhex: s.vhex, alsb: s.alsb, alsbf: s.alsbf, alsbt: s.alsbt, ahex: s.ahex,
      chex: countHexWidth(l.limits.maxPulseCount),
      vread: crossbar.peripherals.readVolts,
      schemes: [2, 3],
      par: true, mvt: true, rrow: true, exact: true,
      mem: this.memoryDepth,
      maxin: this.maxIn,
      rxbuf: options.rxBufferBytes ?? 65536,
      quiet: this.quietMs / 1000,
      endur: Number.isFinite(crossbar.device.endurancePulses) ? Math.round(crossbar.device.endurancePulses) : 0,
    };
    this.widths = { vhex: s.vhex, ahex: s.ahex, chex: this.limits.chex, exact: true };
    this.powerUp();
  }

  get bootNonce(): number {
    return this.boot;
  }

  /** True when every line is grounded (between commands, after RST, after link silence). */
  get isSafe(): boolean {
    return this.safe;
  }

  /** Serves the protocol on `stream` (replacing any previous stream, as when a cable is replugged). */
  serve(stream: Duplex): () => void {
    this.detachCurrent?.();
    let pending = "";
    let overlong = false;
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === "string" ? chunk : chunk.toString("latin1");
      let start = 0;
      for (;;) {
        const nl = text.indexOf("\n", start);
        if (nl < 0) break;
        const piece = pending + text.slice(start, nl);
        pending = "";
        start = nl + 1;
        if (overlong || piece.length + 1 > this.maxIn) {
          overlong = false;
          this.enqueue(null);
        } else {
          this.enqueue(piece);
        }
      }
      pending += text.slice(start);
      if (pending.length + 1 > this.maxIn) {
        overlong = true;
        pending = "";
      }
    };
    const onEnd = () => detach();
    const detach = () => {
      stream.off("data", onData);
      stream.off("end", onEnd);
      stream.off("close", onEnd);
      stream.off("error", onEnd);
      if (this.output === stream) this.output = null;
      if (this.detachCurrent === detach) this.detachCurrent = null;
    };
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("close", onEnd);
    stream.on("error", onEnd);
    this.output = stream;
    this.detachCurrent = detach;
    this.armQuietTimer();
    return detach;
  }

  /** A device reset (watchdog, power cycle): new boot nonce, empty reply memory, no session, BOOT line. */
  reboot(): void {
    this.powerUp();
    this.send({ seq: UNSEQUENCED, fields: replyFields({ kind: "boot", nonce: this.boot }) });
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
    this.next = UNSEQUENCED;
    this.memory.clear();
    this.safe = true;
  }

  private enqueue(line: string | null): void {
    this.work = this.work.then(() => this.handle(line)).catch((e) => {
      this.send({ seq: UNSEQUENCED, fields: replyFields({ kind: "err", code: "FAULT", text: String((e as Error)?.message ?? e) }) });
    });
  }

  private async handle(line: string | null): Promise<void> {
    this.counters.linesReceived++;
    if (line === null) {
      this.counters.damagedLines++;
      this.send({ seq: UNSEQUENCED, fields: replyFields({ kind: "err", code: "LONG", text: `line longer than ${this.maxIn} bytes` }) });
      return;
    }
    let frame;
    try {
      frame = decodeFrame(line);
    } catch (e) {
      if (!(e instanceof FrameError)) throw e;
      this.counters.damagedLines++;
      // A NAK, never remembered: the line was not acted on.
      this.send({ seq: e.seq ?? UNSEQUENCED, fields: replyFields({ kind: "err", code: "CRC", text: "line rejected" }) });
      return;
    }
    this.armQuietTimer();
    const { seq, fields } = frame;
    const crc = lineCrc(line);
    if (seq === UNSEQUENCED) {
      if (!(UNSEQUENCED_COMMANDS as readonly string[]).includes(fields[0]!)) {
        this.sendReply(seq, { kind: "err", code: "SYNTAX", text: `${fields[0]} cannot be sent unsequenced` });
        return;
      }
      this.sendReply(seq, await this.execute(seq, fields));
      return;
    }
    const remembered = this.memory.get(seq);
    if (remembered) {
      if (remembered.crc === crc) {
        this.counters.replayed++;
        this.sendLine(remembered.line);
      } else {
        this.sendReply(seq, { kind: "err", code: "REUSED", text: `seq ${seq.toString(16)} was used for another request` });
      }
      return;
    }
    if (fields[0] === "NEW") {
      this.memory.clear();
      this.session++;
      this.next = nextSeq(seq);
      this.remember(seq, crc, await this.execute(seq, fields));
      return;
    }
    if (seq !== this.next) {
      this.counters.outOfOrder++;
      this.sendReply(seq, { kind: "err", code: "ORDER", text: `expected ${this.next.toString(16).toUpperCase().padStart(4, "0")}` });
      return;
    }
    this.next = nextSeq(seq);
    this.remember(seq, crc, await this.execute(seq, fields));
  }

  private remember(seq: number, crc: number, reply: Reply): void {
    const line = encodeFrame({ seq, fields: replyFields(reply) });
    this.memory.set(seq, { crc, line });
    while (this.memory.size > this.memoryDepth) this.memory.delete(this.memory.keys().next().value!);
    this.sendLine(line);
  }

  private sendReply(seq: number, reply: Reply): void {
    this.send({ seq, fields: replyFields(reply) });
  }

  private send(frame: { seq: number; fields: string[] }): void {
    this.sendLine(encodeFrame(frame));
  }

  private sendLine(line: string): void {
    const out = this.output;
    if (out && !out.destroyed && out.writable) out.write(line + "\n", "latin1");
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
    this.safe = true;
    this.counters.silenceGroundings++;
  }

  // --- commands ---

  private async execute(seq: number, fields: string[]): Promise<Reply> {
    let req: Request;
    try {
      req = parseRequest(fields, this.widths);
    } catch (e) {
      if (e instanceof RequestError) return { kind: "err", code: e.code, text: e.message };
      throw e;
    }
    this.counters.executed++;
    try {
      return await this.run(seq, req);
    } catch (e) {
      if (e instanceof LimitError) return { kind: "err", code: "LIMIT", text: `${wireLimitName(e)} ${e.message}` };
      if (e instanceof WireError) return { kind: "err", code: e.code, text: e.message };
      return { kind: "err", code: "FAULT", text: String((e as Error)?.message ?? e) };
    } finally {
      this.safe = true;
    }
  }

  private async run(seq: number, req: Request): Promise<Reply> {
    const sim = this.crossbar;
    const rows = sim.rows, cols = sim.cols;
    switch (req.cmd) {
      case "ID":
        return ok("ID", zero(), 0, identityPayload({ model: this.modelName, serial: this.serialNumber, fw: TWIN_FIRMWARE_VERSION, proto: PROTOCOL_VERSION, rows, cols, boot: this.boot }));
      case "LIM":
        return ok("LIM", zero(), 0, limitsPayload(this.limits));
      case "NEW": case "PING":
        return ok(req.cmd, zero(), 0, []);
      case "ST":
        return ok("ST", zero(), 0, statusPayload({ safe: this.safe && (await sim.isSafe()), boot: this.boot, uptimeMs: Date.now() - this.bootedAt }));
      case "EN": {
        const t = this.totals;
        return ok("EN", zero(), 0, [t.cell, t.halfSelected, t.peripheral, t.seconds].map((v) => decimalField(v)).concat(String(t.pulses)));
      }
      case "RST": {
        const m = await sim.reset();
        this.safe = true;
        return this.measuredOk("RST", m, []);
      }
      case "RCELL": {
        checkIndex("row", req.row, rows);
        checkIndex("col", req.col, cols);
        const volts = req.volts;
        const m = await sim.readCell(req.row, req.col, volts);
        return this.measuredOk("RCELL", m, [this.currentCodes([m.value * volts], this.scaling.alsb)]);
      }
      case "RROW": {
        checkIndex("row", req.row, rows);
        const volts = req.volts;
        // One driven row, every column sensed: per cell the simulator's own read (same noise draws as
        // readArray); the periphery is one DAC and `cols` ADC conversions in one settling time.
        const currents = new Array<number>(cols);
        const energy = zero();
        let duration = 0;
        for (let c = 0; c < cols; c++) {
          const m = await sim.readCell(req.row, c, volts);
          currents[c] = m.value * volts;
          energy.cell += m.energy.cell;
          if (c === 0) {
            energy.peripheral += m.energy.peripheral;
            duration = m.durationSeconds;
          } else {
            energy.peripheral += sim.peripherals.adcJoulesPerConversion;
          }
        }
        return this.measuredOk("RROW", { value: undefined, energy, durationSeconds: duration }, [this.currentCodes(currents, this.scaling.alsb)]);
      }
      case "MVF": case "MVT": {
        const forward = req.cmd === "MVF";
        const n = forward ? rows : cols;
        if (req.codes.length !== n) throw new WireError("SYNTAX", `${req.cmd} needs ${n} codes, got ${req.codes.length}`);
        const vMax = sim.device.maxReadVolts;
        const volts = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const v = req.codes[i]! * this.scaling.vlsb;
          if (Math.abs(v) > vMax + this.scaling.vlsb / 2) throw new WireError("LIMIT", `vrmax codes[${i}] = ${req.codes[i]} is ${v} V, beyond ${vMax} V`);
          volts[i] = Math.min(vMax, Math.max(-vMax, v));
        }
        const m = await sim.mvm({ direction: forward ? "forward" : "transposed", volts });
        return this.measuredOk(req.cmd, m, [this.currentCodes(m.value, forward ? this.scaling.alsbf : this.scaling.alsbt)]);
      }
      case "PCELL": {
        checkIndex("row", req.row, rows);
        checkIndex("col", req.col, cols);
        const pulse: Pulse = { kind: "cell", row: req.row, col: req.col, volts: req.volts, widthSeconds: req.seconds, count: req.count };
        return this.applyPulse(seq, pulse);
      }
      case "PROW": case "PCOL": {
        const rowKind = req.cmd === "PROW";
        checkIndex("line", req.line, rowKind ? rows : cols);
        const crossing = rowKind ? cols : rows;
        if (req.counts.length !== crossing) throw new WireError("SYNTAX", `${req.cmd} needs ${crossing} counts, got ${req.counts.length}`);
        const selected: number[] = [];
        const counts: number[] = [];
        req.counts.forEach((c, k) => {
          if (c > 0) {
            selected.push(k);
            counts.push(c);
          }
        });
        const pulse: Pulse = {
          kind: rowKind ? "row" : "column", line: req.line, selected, counts, volts: req.volts,
          widthSeconds: req.seconds, scheme: req.scheme === 2 ? "V/2" : "V/3",
        };
        return this.applyPulse(seq, pulse);
      }
    }
  }

  private async applyPulse(seq: number, pulse: Pulse): Promise<Reply> {
    this.safe = false;
    const m = await this.crossbar.program([pulse]);
    this.safe = true;
    this.appliedPulses.push({ session: this.session, seq, pulse, applied: m.value.pulsesApplied, trips: m.value.complianceTrips });
    this.totals.pulses += m.value.pulsesApplied;
    return this.measuredOk(pulse.kind === "cell" ? "PCELL" : pulse.kind === "row" ? "PROW" : "PCOL", m, [String(m.value.pulsesApplied), String(m.value.complianceTrips)]);
  }

  private measuredOk(cmd: Request["cmd"], m: Measured<unknown>, payload: string[]): Reply {
    const t = this.totals;
    t.cell += m.energy.cell;
    t.halfSelected += m.energy.halfSelected;
    t.peripheral += m.energy.peripheral;
    t.seconds += m.durationSeconds;
    return ok(cmd, m.energy, m.durationSeconds, payload);
  }

  /** Currents as ADC codes at `lsb` amperes per code, clamped to the code width. */
  private currentCodes(currents: ArrayLike<number>, lsb: number): string {
    const { min, max } = signedCodeRange(this.scaling.ahex);
    const codes = new Array<number>(currents.length);
    for (let i = 0; i < currents.length; i++) codes[i] = Math.min(max, Math.max(min, Math.round(currents[i]! / lsb)));
    return encodeSignedVector(codes, this.scaling.ahex);
  }
}

/** A refusal the twin itself makes (not the simulator's LimitError). */
class WireError extends Error {
  constructor(readonly code: "SYNTAX" | "LIMIT", detail: string) {
    super(detail);
  }
}

function ok(cmd: Request["cmd"], energy: EnergyBreakdown, durationSeconds: number, payload: string[]): Reply {
  return { kind: "ok", cmd, energy: { ...energy }, durationSeconds, payload };
}

function zero(): EnergyBreakdown {
  return { cell: 0, halfSelected: 0, peripheral: 0 };
}

function decimalField(v: number): string {
  return replyFields({ kind: "ok", cmd: "PING", energy: { cell: v, halfSelected: 0, peripheral: 0 }, durationSeconds: 0, payload: [] })[2]!;
}

function checkIndex(name: "row" | "col" | "line", v: number, size: number): void {
  if (v >= size) throw new WireError("LIMIT", `${name}=${v} exceeds ${name === "col" ? "cols" : "rows"}-1=${size - 1}`);
}

const LIMIT_NAMES: [string, string][] = [
  ["maxReadVolts", "vrmax"], ["maxProgramVoltsPositive", "vpmax"], ["maxProgramVoltsNegative", "vnmax"],
  ["minPulseWidthSeconds", "wmin"], ["maxPulseWidthSeconds", "wmax"], ["maxPulseCount", "cmax"],
];

function wireLimitName(e: LimitError): string {
  for (const [hal, wire] of LIMIT_NAMES) if (e.message.includes(hal)) return wire;
  return e.field;
}

/** A token the protocol can carry: printable, no space, '*' or '='. */
function sanitizeToken(s: string): string {
  const t = s.replace(/[^\x21-\x7e]|[*=]/g, "_");
  return t.length > 0 ? t : "_";
}
