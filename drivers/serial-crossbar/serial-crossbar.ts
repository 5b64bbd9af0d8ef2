// The Crossbar contract over the line protocol: host-side limit checks, SI ↔ wire codes, pipelined requests.
import type { Duplex } from "node:stream";
import {
  addEnergy, zeroEnergy, type Crossbar, type DeviceIdentity, type EnergyBreakdown, type Measured, type MvmRequest,
  type ProgramReport, type Pulse,
} from "../../src/hal/crossbar.js";
import { checkCell, checkMvm, checkPulses, checkReadVolts, LimitError } from "../../src/hal/limits.js";
import { LinkSession, type LinkSessionOptions, type OkReply } from "./link-session.js";
import type { LinkStats } from "./link-stats.js";
import type { Request, WireIdentity, WireLimits } from "../../protocol/serial-line/messages.js";
import { parseStatusPayload } from "../../protocol/serial-line/messages.js";
import { decodeSignedVector, encodeSignedVector, parseUnsigned, signedCodeRange, ValueError, vectorDigits } from "../../protocol/serial-line/values.js";
import { OutputVectorSizes, productLines } from "./product-lines.js";
import { productRequestBytes } from "../../protocol/serial-line/product-size.js";

/** Product lines a batch is split into at least (when it has that many vectors), so they pipeline. */
const PRODUCT_MIN_LINES = 2;

export type SerialCrossbarOptions = LinkSessionOptions;

export class SerialCrossbar implements Crossbar {
  private closed = false;
  /** After close(): whether the closing RST was answered (the last the host knows of the device). */
  private safeAtClose = false;
  /** What the product answers have taken per vector, for sizing lines on a damaged link. */
  private readonly outputSizes = new OutputVectorSizes();

  private constructor(private readonly session: LinkSession, private readonly identity: DeviceIdentity, private readonly wire: WireLimits) {}

  /** Opens a session over the stream `connect` yields (a serial port, a pty, an in-process or fault link). */
  static async open(options: SerialCrossbarOptions): Promise<SerialCrossbar> {
    const session = new LinkSession(options);
    const { identity, limits } = await session.open();
    return new SerialCrossbar(session, toDeviceIdentity(identity, limits), limits);
  }

  /** Convenience for tests and benches: one stream, no reconnect. */
  static async overStream(stream: Duplex, options: Omit<SerialCrossbarOptions, "connect" | "label"> & { label?: string } = {}): Promise<SerialCrossbar> {
    let used = false;
    return SerialCrossbar.open({
      label: "serial:stream",
      ...options,
      connect: async () => {
        if (used) throw new Error("this stream cannot be reopened");
        used = true;
        return stream;
      },
    });
  }

  /** What the link cost so far: resends and why (damaged answers, NAKs, refusals resent, timeouts), reconnects. */
  linkStats(): LinkStats {
    return this.session.stats();
  }

  /** The live counters behind linkStats(), for tests and benches. */
  get linkCounters(): Readonly<LinkStats> {
    return this.session.counters;
  }

  get connected(): boolean {
    return this.session.connected;
  }

  /** The pipelining window in use. */
  get window(): number {
    return this.session.effectiveWindow;
  }

  async identify(): Promise<DeviceIdentity> {
    return structuredClone(this.identity);
  }

  async readCell(row: number, col: number, readVolts: number = this.wire.vread): Promise<Measured<number>> {
    this.assertOpen();
    checkCell(this.identity, row, col);
    const volts = this.readVoltage(readVolts);
    const { r, value: [code] } = await this.ask({ cmd: "RCELL", row, col, volts }, (x) => this.codes(x, 1));
    return { value: (code! * this.wire.alsb) / volts, energy: r.energy, durationSeconds: r.durationSeconds };
  }

  async readArray(readVolts: number = this.wire.vread): Promise<Measured<Float64Array>> {
    this.assertOpen();
    const { rows, cols } = this.identity;
    const volts = this.readVoltage(readVolts);
    const out = new Float64Array(rows * cols);
    const energy = zeroEnergy();
    let duration = 0;
    if (this.wire.rrow) {
      const replies = await Promise.all(Array.from({ length: rows }, (_, row) => this.ask({ cmd: "RROW", row, volts }, (x) => this.codes(x, cols))));
      replies.forEach(({ r, value: codes }, row) => {
        for (let c = 0; c < cols; c++) out[row * cols + c] = (codes[c]! * this.wire.alsb) / volts;
        addEnergy(energy, r.energy);
        duration += r.durationSeconds;
      });
    } else {
      const cells = Array.from({ length: rows * cols }, (_, i) => this.ask({ cmd: "RCELL", row: Math.floor(i / cols), col: i % cols, volts }, (x) => this.codes(x, 1)));
      (await Promise.all(cells)).forEach(({ r, value: codes }, i) => {
        out[i] = (codes[0]! * this.wire.alsb) / volts;
        addEnergy(energy, r.energy);
        duration += r.durationSeconds;
      });
    }
    return { value: out, energy, durationSeconds: duration };
  }

  async mvm(request: MvmRequest): Promise<Measured<Float64Array>> {
    this.assertOpen();
    checkMvm(this.identity, request);
    const forward = request.direction === "forward";
    if (!forward && !this.wire.mvt) throw new LimitError("direction", request.direction, "this device has no transposed product");
    const vectors = request.vectors ?? 1;
    const nIn = forward ? this.identity.rows : this.identity.cols;
    const nOut = forward ? this.identity.cols : this.identity.rows;
    const lsb = forward ? this.wire.alsbf : this.wire.alsbt;
    const { min, max } = signedCodeRange(this.wire.vhex);
    const inputs: number[][] = [];
    const encoded: string[] = [];
    for (let k = 0; k < vectors; k++) {
      const codes = new Array<number>(nIn);
      for (let i = 0; i < nIn; i++) {
        const code = Math.round(request.volts[k * nIn + i]! / this.wire.vlsb);
        if (code < min || code > max) throw new LimitError(`volts[${k * nIn + i}]`, request.volts[k * nIn + i], `does not fit the ${this.wire.vhex}-digit DAC code`);
        codes[i] = code;
      }
      inputs.push(codes);
      encoded.push(encodeSignedVector(codes, this.wire.vhex));
    }
    const outputDigits = vectorDigits(this.wire.ahex);
    const meanEncoded = Math.ceil(encoded.reduce((n, v) => n + v.length, 0) / vectors);
    const cmd = forward ? "MVF" : "MVT";
    const cap = this.session.productVectorsPerLine(this.wire.mvb, (k) => ({
      request: productRequestBytes(k, meanEncoded),
      reply: this.outputSizes.replyBytes(cmd, k, nOut, outputDigits),
    }));
    const lines = productLines(encoded, { mvb: this.wire.mvb, maxin: this.wire.maxin, outputs: nOut, outputDigits, cap, minLines: PRODUCT_MIN_LINES });
    const replies = await Promise.all(lines.map(([first, end]) => this.ask({ cmd, vectors: inputs.slice(first, end) }, (x) => this.productCodes(x, end - first, nOut))));
    const out = new Float64Array(vectors * nOut);
    const energy = zeroEnergy();
    let duration = 0;
    replies.forEach(({ r, value: outputs }, line) => {
      this.outputSizes.observe(cmd, r.payload);
      const first = lines[line]![0];
      outputs.forEach((codes, i) => {
        for (let j = 0; j < nOut; j++) out[(first + i) * nOut + j] = codes[j]! * lsb;
      });
      addEnergy(energy, r.energy);
      duration += r.durationSeconds;
    });
    return { value: out, energy, durationSeconds: duration };
  }

  async program(pulses: Pulse[]): Promise<Measured<ProgramReport>> {
    this.assertOpen();
    checkPulses(this.identity, pulses);
    const requests = pulses.map((p, k) => this.pulseRequest(p, k));
    const settled = await Promise.allSettled(requests.map(([req, seconds]) => this.ask(req, pulseCounts, seconds)));
    const report: ProgramReport = { pulsesApplied: 0, complianceTrips: 0 };
    const energy: EnergyBreakdown = zeroEnergy();
    let duration = 0;
    let firstError: unknown = null;
    settled.forEach((s) => {
      if (s.status === "rejected") {
        firstError ??= s.reason;
        return;
      }
      const { r, value } = s.value;
      report.pulsesApplied += value.applied;
      report.complianceTrips += value.trips;
      addEnergy(energy, r.energy);
      duration += r.durationSeconds;
    });
    if (firstError) {
      const failed = settled.filter((s) => s.status === "rejected").length;
      const e = firstError as Error;
      e.message = `${e.message} (${pulses.length - failed} of ${pulses.length} pulse requests completed, ${report.pulsesApplied} pulses applied)`;
      throw e;
    }
    return { value: report, energy, durationSeconds: duration };
  }

  async reset(): Promise<Measured<void>> {
    this.assertOpen();
    const r = await this.session.request({ cmd: "RST" });
    return { value: undefined, energy: r.energy, durationSeconds: r.durationSeconds };
  }

  /** Asks the device (ST); after close(), what the closing RST established. */
  async isSafe(): Promise<boolean> {
    if (this.closed) return this.safeAtClose;
    return this.session.request({ cmd: "ST" }, { decode: (r) => parseStatusPayload(r.payload).safe });
  }

  /** Grounds every line (RST), then releases the link. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.session.connected) {
        await this.session.request({ cmd: "RST" });
        this.safeAtClose = true;
      }
    } finally {
      await this.session.close();
    }
  }

  // --- internals ---

  private assertOpen(): void {
    if (this.closed) throw new Error(`${this.identity.model} (serial ${this.identity.serial}): crossbar is closed`);
  }

  /** A request whose answer carries `payload`: a payload that does not decode makes the answer damaged (asked again). */
  private ask<T>(req: Request, payload: (r: OkReply) => T, expectedSeconds = 0): Promise<{ r: OkReply; value: T }> {
    return this.session.request(req, { expectedSeconds, decode: (r) => ({ r, value: payload(r) }) });
  }

  /** The read voltage the device applies: exact when it takes exact decimals, else whole microvolts. */
  private readVoltage(readVolts: number): number {
    checkReadVolts(this.identity, readVolts);
    const volts = this.wire.exact ? readVolts : Number(`${Math.round(readVolts * 1e6)}e-6`);
    if (volts === 0) throw new LimitError("readVolts", readVolts, "must be non-zero (at least 1 µV) to sense a current");
    return volts;
  }

  /** The `vectors` output vectors of `n` codes each of a product answer. */
  private productCodes(r: OkReply, vectors: number, n: number): number[][] {
    if (r.payload.length !== vectors) throw new ValueError(`${r.cmd} reply`, r.payload.join(" "), `carries ${r.payload.length} vectors, not ${vectors}`);
    return r.payload.map((v) => decodeSignedVector(v, this.wire.ahex, `${r.cmd} reply`, n));
  }

  private codes(r: OkReply, n: number): number[] {
    return decodeSignedVector(r.payload[0] ?? "", this.wire.ahex, `${r.cmd} reply`, n);
  }

  private pulseRequest(p: Pulse, k: number): [Request, number] {
    const volts = p.volts;
    const seconds = p.widthSeconds;
    if (!this.wire.exact && Math.round(seconds * 1e9) < 1) throw new LimitError(`pulses[${k}].widthSeconds`, p.widthSeconds, "is below the 1 ns resolution of the link");
    if (p.kind === "cell") {
      return [{ cmd: "PCELL", row: p.row, col: p.col, volts, seconds, count: p.count }, p.count * p.widthSeconds];
    }
    const crossing = p.kind === "row" ? this.identity.cols : this.identity.rows;
    const counts = new Array<number>(crossing).fill(0);
    p.selected.forEach((s, j) => (counts[s] = p.counts[j]!));
    const most = p.counts.reduce((m, c) => Math.max(m, c), 0);
    return [{ cmd: p.kind === "row" ? "PROW" : "PCOL", line: p.line, scheme: p.scheme === "V/2" ? 2 : 3, volts, seconds, counts }, most * p.widthSeconds];
  }
}

/** `applied trips` of a pulse answer. */
function pulseCounts(r: OkReply): { applied: number; trips: number } {
  if (r.payload.length !== 2) throw new ValueError(`${r.cmd} reply`, r.payload.join(" "), "is not `applied trips`");
  return { applied: parseUnsigned(r.payload[0]!, "applied"), trips: parseUnsigned(r.payload[1]!, "trips") };
}

function toDeviceIdentity(id: WireIdentity, l: WireLimits): DeviceIdentity {
  return {
    backend: "serial",
    model: id.model,
    serial: id.serial,
    firmwareVersion: id.fw,
    protocolVersion: id.proto,
    rows: id.rows,
    cols: id.cols,
    limits: {
      maxReadVolts: l.vrmax,
      maxProgramVoltsPositive: l.vpmax,
      maxProgramVoltsNegative: l.vnmax,
      minPulseWidthSeconds: l.wmin,
      maxPulseWidthSeconds: l.wmax,
      maxPulseCount: l.cmax,
      complianceAmperes: l.icomp,
      dacBits: l.dac,
      adcBits: l.adc,
    },
    capabilities: {
      readArray: true,
      mvmForward: true,
      mvmTransposed: l.mvt,
      mvmMethod: "analog",
      parallelPulse: l.par,
      halfSelectSchemes: l.schemes.map((s) => (s === 2 ? "V/2" : "V/3")),
    },
    ...(l.endur > 0 ? { endurancePulses: l.endur } : {}),
  };
}
