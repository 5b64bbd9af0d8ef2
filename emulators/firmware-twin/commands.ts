// The twin's commands (PROTOCOL.md §5) on the simulated crossbar: parse, check the device's own limits, run,
// and answer with the simulator's own measured energy, duration and quantized codes.
import type { EnergyBreakdown, Measured, Pulse } from "../../src/hal/crossbar.js";
import { LimitError } from "../../src/hal/limits.js";
import type { SimulatedCrossbar } from "../../sim/crossbar/simulated-crossbar.js";
import {
  identityPayload, limitsPayload, parseRequest, PROTOCOL_VERSION, RequestError, statusPayload, type CodeWidths, type Reply,
  type Request, type WireLimits,
} from "../../protocol/serial-line/messages.js";
import { encodeSignedVector, formatDecimal, signedCodeRange } from "../../protocol/serial-line/values.js";
import { checkIndex, checkPulse, checkReadLevel, WireError, wireLimitName } from "./device-limits.js";
import type { TwinScaling } from "./scaling.js";

export const TWIN_FIRMWARE_VERSION = "twin-2";

/** One executed pulse request, as the twin applied it. */
export interface AppliedPulseRecord {
  /** Session number (one per NEW) and sequence number of the request. */
  session: number;
  seq: number;
  pulse: Pulse;
  applied: number;
  trips: number;
}

/** What ID and ST report that the line side owns. */
export interface TwinIdentity {
  model: string;
  serial: string;
  boot(): number;
  uptimeMs(): number;
}

export class TwinCommands {
  readonly appliedPulses: AppliedPulseRecord[] = [];
  readonly widths: CodeWidths;
  /** False only while a command drives lines. */
  safe = true;
  /** How many times the device sends every line (DUP; 1 after power-up and NEW). */
  copies: 1 | 2 = 1;
  private readonly totals = { cell: 0, halfSelected: 0, peripheral: 0, seconds: 0, pulses: 0 };

  constructor(readonly crossbar: SimulatedCrossbar, readonly limits: WireLimits, private readonly scaling: TwinScaling, private readonly id: TwinIdentity) {
    this.widths = { vhex: scaling.vhex, ahex: scaling.ahex, chex: limits.chex, exact: limits.exact };
  }

  /** The reply to one request's fields; `session`/`seq` label applied pulses. Refusals are ERR replies. */
  async execute(session: number, seq: number, fields: string[]): Promise<Reply> {
    let req: Request;
    try {
      req = parseRequest(fields, this.widths);
    } catch (e) {
      if (e instanceof RequestError) return { kind: "err", code: e.code, text: e.message };
      throw e;
    }
    try {
      return await this.run(session, seq, req);
    } catch (e) {
      if (e instanceof WireError) return { kind: "err", code: e.code, text: e.message };
      if (e instanceof LimitError) return { kind: "err", code: "LIMIT", text: `${wireLimitName(e, widthOf(req), this.limits)} ${e.message}` };
      return { kind: "err", code: "FAULT", text: String((e as Error)?.message ?? e) };
    } finally {
      this.safe = true;
    }
  }

  private async run(session: number, seq: number, req: Request): Promise<Reply> {
    const sim = this.crossbar;
    const rows = sim.rows, cols = sim.cols;
    switch (req.cmd) {
      case "ID":
        return ok("ID", zero(), 0, identityPayload({ model: this.id.model, serial: this.id.serial, fw: TWIN_FIRMWARE_VERSION, proto: PROTOCOL_VERSION, rows, cols, boot: this.id.boot() }));
      case "LIM":
        return ok("LIM", zero(), 0, limitsPayload(this.limits, req.keys));
      case "NEW":
        this.copies = 1;
        return ok(req.cmd, zero(), 0, []);
      case "PING":
        return ok(req.cmd, zero(), 0, []);
      case "DUP":
        this.copies = req.copies;
        return ok(req.cmd, zero(), 0, []);
      case "RPT": // answered from the reply memory, before commands (twin.ts)
        throw new WireError("SYNTAX", "RPT takes SEQ 0000");
      case "ST":
        return ok("ST", zero(), 0, statusPayload({ safe: this.safe && (await sim.isSafe()), boot: this.id.boot(), uptimeMs: this.id.uptimeMs() }));
      case "EN": {
        const t = this.totals;
        return ok("EN", zero(), 0, [t.cell, t.halfSelected, t.peripheral, t.seconds].map(formatDecimal).concat(String(t.pulses)));
      }
      case "RST":
        return this.measuredOk("RST", await sim.reset(), []);
      case "RCELL": {
        checkIndex("row", req.row, rows);
        checkIndex("col", req.col, cols);
        checkReadLevel(this.limits, req.volts);
        const m = await sim.readCell(req.row, req.col, req.volts);
        return this.measuredOk("RCELL", m, [this.currentCodes([m.value * req.volts], this.scaling.alsb)]);
      }
      case "RROW":
        checkIndex("row", req.row, rows);
        checkReadLevel(this.limits, req.volts);
        return this.readRow(req.row, req.volts);
      case "MVF": case "MVT":
        return this.product(req.cmd, req.vectors);
      case "PCELL": {
        checkIndex("row", req.row, rows);
        checkIndex("col", req.col, cols);
        return this.applyPulse(session, seq, { kind: "cell", row: req.row, col: req.col, volts: req.volts, widthSeconds: req.seconds, count: req.count });
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
        return this.applyPulse(session, seq, {
          kind: rowKind ? "row" : "column", line: req.line, selected, counts, volts: req.volts, widthSeconds: req.seconds, scheme: req.scheme === 2 ? "V/2" : "V/3",
        });
      }
    }
  }

  /** One driven row, every column sensed: per cell the simulator's own read (same noise draws as readArray);
   *  the periphery is one DAC, one row drive and `cols` ADC conversions and TIA integrations in one settling time. */
  private async readRow(row: number, volts: number): Promise<Reply> {
    const sim = this.crossbar;
    const currents = new Array<number>(sim.cols);
    const energy = zero();
    let duration = 0;
    for (let c = 0; c < sim.cols; c++) {
      const m = await sim.readCell(row, c, volts);
      currents[c] = m.value * volts;
      energy.cell += m.energy.cell;
      if (c === 0) {
        energy.peripheral += m.energy.peripheral;
        duration = m.durationSeconds;
      } else {
        energy.peripheral += sim.senseJoulesPerLine;
      }
    }
    return this.measuredOk("RROW", { value: undefined, energy, durationSeconds: duration }, [this.currentCodes(currents, this.scaling.alsb)]);
  }

  /** 1..mvb input vectors run as one batch on the simulator (the same draws, in the same order, as one product
   *  each); one measurement for the line, the simulator's own float64 sums, and one output vector per input. */
  private async product(cmd: "MVF" | "MVT", vectors: number[][]): Promise<Reply> {
    const sim = this.crossbar;
    const forward = cmd === "MVF";
    const n = forward ? sim.rows : sim.cols;
    if (vectors.length > this.limits.mvb) throw new WireError("LIMIT", `mvb: ${vectors.length} vectors exceed ${this.limits.mvb}`);
    const vMax = sim.device.maxReadVolts;
    const volts = new Float64Array(n * vectors.length);
    vectors.forEach((codes, k) => {
      if (codes.length !== n) throw new WireError("SYNTAX", `${cmd} needs ${n} codes per vector, got ${codes.length} in vector ${k}`);
      for (let i = 0; i < n; i++) {
        const v = codes[i]! * this.scaling.vlsb;
        if (Math.abs(v) > vMax + this.scaling.vlsb / 2) throw new WireError("LIMIT", `vrmax: element ${i} code ${Math.abs(codes[i]!)} is ${v} V, beyond ${vMax} V`);
        volts[k * n + i] = Math.min(vMax, Math.max(-vMax, v));
      }
    });
    const m = await sim.mvm({ direction: forward ? "forward" : "transposed", volts, vectors: vectors.length });
    const nOut = forward ? sim.cols : sim.rows;
    const lsb = forward ? this.scaling.alsbf : this.scaling.alsbt;
    const outputs = vectors.map((_, k) => this.currentCodes(m.value.subarray(k * nOut, (k + 1) * nOut), lsb));
    return this.measuredOk(cmd, m, outputs);
  }

  private async applyPulse(session: number, seq: number, pulse: Pulse): Promise<Reply> {
    checkPulse(this.limits, pulse);
    this.safe = false;
    const m = await this.crossbar.program([pulse]);
    this.safe = true;
    this.appliedPulses.push({ session, seq, pulse, applied: m.value.pulsesApplied, trips: m.value.complianceTrips });
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

function widthOf(req: Request): number | undefined {
  return "seconds" in req ? req.seconds : undefined;
}

function ok(cmd: Request["cmd"], energy: EnergyBreakdown, durationSeconds: number, payload: string[]): Reply {
  return { kind: "ok", cmd, energy: { ...energy }, durationSeconds, payload };
}

function zero(): EnergyBreakdown {
  return { cell: 0, halfSelected: 0, peripheral: 0 };
}
