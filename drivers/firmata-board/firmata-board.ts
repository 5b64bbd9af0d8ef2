// The Crossbar backend of the analog test board: an Arduino running StandardFirmata, reached through
// johnny-five, with discrete memristors between RC-filtered PWM lines and sense resistors on analog inputs.
//
// What is measured, honestly:
// - conductance: from each sense node's ADC sample and the known sense resistor (the divider);
// - energy: sampled branch power (memristor + sense resistor) × on-time measured on the host clock,
//   from the write that drives the lines to the board's acknowledgement of the write that grounds them:
//   an upper bound (it includes the RC ramps at full power and the link latency);
// - duration: wall time of the whole call on the host clock, never a nominal figure;
// - mvm: NOT a physical product. The board has one sense resistor per device, not per column, so it reads
//   every device's conductance in one parallel read and multiplies on the host (capabilities.mvmMethod).
// Beside it: circuit.ts (line codes, pulse patterns, what a sample says), analog-samples.ts (collecting the
// analog reports), link-watch.ts (an unplugged link ends every wait), pin-check.ts (the config against the board).
import type { Crossbar, DeviceIdentity, EnergyBreakdown, Measured, MvmRequest, Pulse, ProgramReport } from "../../src/hal/crossbar.js";
import { zeroEnergy } from "../../src/hal/crossbar.js";
import { checkCell, checkMvm, checkPulses, checkReadVolts, LimitError } from "../../src/hal/limits.js";
import { boardLimits, type BoardConfig } from "../../protocol/firmata/board-config.js";
import { AnalogSamples } from "./analog-samples.js";
import { type BranchReading, cellPulseStages, lineCode, readAllPattern, readRowPattern, restPattern, type LinePattern } from "./circuit.js";
import { DeviceLinkError, type FirmataLink } from "./link.js";
import { LinkWatch } from "./link-watch.js";
import { checkPins, PWM_MODE } from "./pin-check.js";

const SAMPLING_INTERVAL = 0x7a;

export class FirmataBoard implements Crossbar {
  private identity: DeviceIdentity;
  /** Output code each line was last commanded to (rows then columns); null before the first write. */
  private codes: (number | null)[];
  /** Actual line voltages of the last commanded codes. */
  private applied: LinePattern;
  private readonly samples: AnalogSamples;
  private readonly watch: LinkWatch;
  /** True once every line has been commanded to 0 and the board acknowledged it. */
  private safeAcknowledged = false;
  private queue: Promise<unknown> = Promise.resolve();
  /** Pulses whose energy had no in-pulse sample (see program). */
  pulsesWithoutSample = 0;

  /** Version queries in flight, oldest first: the board answers them in order. */
  private readonly fences: Array<() => void> = [];

  private constructor(
    private readonly link: FirmataLink,
    readonly config: BoardConfig,
  ) {
    this.codes = new Array<number | null>(config.rows + config.cols).fill(null);
    this.applied = restPattern(config);
    this.watch = new LinkWatch(link.path, config);
    this.samples = new AnalogSamples(config, link.path, this.watch, this.probeLink);
    const io = link.io;
    // firmata-io's reportVersion(cb) is a `once` listener: two fences in flight would both open on the first
    // answer. One listener that opens them in the order they were sent keeps each fence its own.
    io.on("reportversion", () => this.fences.shift()?.());
    const version = `${io.version.major ?? "?"}.${io.version.minor ?? "?"}`;
    const fw = io.firmware.name ?? "unknown";
    const fwVersion = io.firmware.version ? `${io.firmware.version.major}.${io.firmware.version.minor}` : "?";
    this.identity = {
      backend: "firmata",
      model: config.model,
      serial: config.serial || `${fw}@${link.path}`,
      firmwareVersion: `${fw} ${fwVersion}`,
      protocolVersion: `Firmata ${version}`,
      rows: config.rows,
      cols: config.cols,
      limits: boardLimits(config),
      capabilities: {
        readArray: true,
        mvmForward: true,
        mvmTransposed: true,
        mvmMethod: "reads",
        parallelPulse: false,
        halfSelectSchemes: [],
      },
    };
  }

  /** Checks the board can do what the config wires, sets the pins up, grounds every line. */
  static async start(link: FirmataLink, config: BoardConfig): Promise<FirmataBoard> {
    const b = new FirmataBoard(link, config);
    checkPins(link.io, config, link.path);
    link.transport.on("close", (err?: Error | null) => b.watch.linkLost(`port closed${err?.message ? ` (${err.message})` : ""}`));
    link.transport.on("error", (err: Error) => b.watch.linkLost(`port error: ${err.message}`));
    link.io.on("analog-read", (r: { pin: number; value: number }) => b.samples.onSample(r.pin, r.value));
    for (const l of [...config.rowLines, ...config.colLines]) link.board.pinMode(l.pin, PWM_MODE);
    const ms = Math.round(config.samplingIntervalSeconds * 1000);
    // firmata-io's setSamplingInterval clamps at 10 ms; StandardFirmata accepts 1 ms, so send it raw.
    link.io.sysexCommand([SAMPLING_INTERVAL, ms & 0x7f, (ms >> 7) & 0x7f]);
    for (const d of config.devices) link.io.reportAnalogPin(d.analogChannel, 1);
    await b.serial(() => b.drive(restPattern(config), true));
    await b.serial(() => b.barrier());
    b.safeAcknowledged = true;
    return b;
  }

  async identify(): Promise<DeviceIdentity> {
    return structuredClone(this.identity);
  }

  readCell(row: number, col: number, readVolts: number = this.config.defaultReadVolts): Promise<Measured<number>> {
    checkCell(this.identity, row, col);
    checkReadVolts(this.identity, readVolts);
    this.checkReadPolarity(readVolts);
    return this.serial(async () => {
      const r = await this.measure(readRowPattern(this.config, row, readVolts), "readCell");
      const energy = zeroEnergy();
      for (const d of this.config.devices) {
        if (d.row !== row) continue;
        const b = r.readings.get(d.analogChannel)!;
        const joules = b.memristorWatts * r.onSeconds;
        if (d.col === col) energy.cell += joules;
        else energy.halfSelected += joules; // same row line: driven at the read voltage too
        energy.peripheral += b.senseResistorWatts * r.onSeconds;
      }
      const d = this.deviceAt(row, col);
      return { value: r.readings.get(d.analogChannel)!.siemens, energy, durationSeconds: r.durationSeconds };
    });
  }

  readArray(readVolts: number = this.config.defaultReadVolts): Promise<Measured<Float64Array>> {
    checkReadVolts(this.identity, readVolts);
    this.checkReadPolarity(readVolts);
    return this.serial(() => this.readAll(readVolts, "readArray"));
  }

  /**
   * Not a physical product: one parallel read of every device at the board's read voltage, then
   * I = Gᵀ·V (forward) or G·V (transposed) on the host. Energy and duration are the read's.
   */
  mvm(request: MvmRequest): Promise<Measured<Float64Array>> {
    checkMvm(this.identity, request);
    return this.serial(async () => {
      const read = await this.readAll(this.config.defaultReadVolts, "mvm");
      const { rows, cols } = this.config;
      const g = read.value;
      const vectors = request.vectors ?? 1;
      const forward = request.direction === "forward";
      const nIn = forward ? rows : cols;
      const nOut = forward ? cols : rows;
      const out = new Float64Array(vectors * nOut);
      for (let k = 0; k < vectors; k++) {
        for (let o = 0; o < nOut; o++) {
          let s = 0;
          for (let i = 0; i < nIn; i++) s += (forward ? g[i * cols + o]! : g[o * cols + i]!) * request.volts[k * nIn + i]!;
          out[k * nOut + o] = s;
        }
      }
      return { value: out, energy: read.energy, durationSeconds: read.durationSeconds };
    });
  }

  program(pulses: Pulse[]): Promise<Measured<ProgramReport>> {
    checkPulses(this.identity, pulses);
    return this.serial(async () => {
      const t0 = performance.now() / 1000;
      const energy = zeroEnergy();
      let applied = 0;
      let trips = 0;
      for (const p of pulses) {
        if (p.kind !== "cell") throw new LimitError("pulses.kind", p.kind, "this board has no parallel pulses"); // checkPulses refuses these first
        const stages = cellPulseStages(this.config, p.row, p.col, p.volts);
        for (let n = 0; n < p.count; n++) {
          const r = await this.pulseOnce(stages, p.widthSeconds);
          for (const d of this.config.devices) {
            const b = r.readings.get(d.analogChannel);
            if (!b) continue;
            const joules = b.memristorWatts * r.onSeconds;
            if (d.row === p.row && d.col === p.col) {
              energy.cell += joules;
              if (Math.abs(b.amperes) > this.config.limits.complianceAmperes) trips++;
            } else {
              energy.halfSelected += joules;
            }
            energy.peripheral += b.senseResistorWatts * r.onSeconds;
          }
          applied++;
          // Lines back to 0 V between pulses, long enough to settle, so two pulses never merge into one.
          if (n + 1 < p.count) await this.watch.sleep(this.settleSeconds());
        }
      }
      return { value: { pulsesApplied: applied, complianceTrips: trips }, energy, durationSeconds: performance.now() / 1000 - t0 };
    });
  }

  async reset(): Promise<Measured<void>> {
    if (this.watch.lost) {
      if (!this.config.poweredFromUsb) throw new DeviceLinkError(`reset: ${this.watch.lost.message}`);
      return { value: undefined, energy: zeroEnergy(), durationSeconds: 0 };
    }
    return this.serial(async () => {
      const t0 = performance.now() / 1000;
      this.drive(restPattern(this.config), true);
      await this.barrier();
      this.safeAcknowledged = true;
      return { value: undefined, energy: zeroEnergy(), durationSeconds: performance.now() / 1000 - t0 };
    });
  }

  async isSafe(): Promise<boolean> {
    // A USB-powered board that lost its link lost its power: every line is at 0 V.
    if (this.watch.lost) return this.config.poweredFromUsb;
    return this.safeAcknowledged && this.codes.every((c) => c === 0);
  }

  /**
   * Grounds the lines, turns off every analog report it turned on, and closes the port once the board has
   * acknowledged all of it. The port drops writes still queued when it closes, and a board left reporting
   * keeps streaming (24 bytes every sampling interval) into the next connection's handshake.
   */
  async close(): Promise<void> {
    if (this.watch.closed) return;
    this.watch.closed = true;
    const t = this.link.transport as unknown as { isOpen?: boolean; close?: (cb: (e?: Error | null) => void) => void; drain?: (cb: (e?: Error | null) => void) => void };
    if (!this.watch.lost) {
      try {
        await this.reset();
        await this.serial(async () => {
          for (const d of this.config.devices) this.link.io.reportAnalogPin(d.analogChannel, 0);
          // The board answers in order: once it answers, it has processed every report-off before the query.
          await this.barrier();
        });
        await new Promise<void>((resolve) => (t.drain ? t.drain(() => resolve()) : resolve()));
      } catch {
        // the link went while closing: nothing more can reach the board
      }
    }
    await new Promise<void>((resolve) => {
      if (t.close && t.isOpen !== false) t.close(() => resolve());
      else resolve();
    });
  }

  // --- measurement primitives -----------------------------------------------------------------

  private async readAll(readVolts: number, what: string): Promise<Measured<Float64Array>> {
    const r = await this.measure(readAllPattern(this.config, readVolts), what);
    const g = new Float64Array(this.config.rows * this.config.cols);
    const energy = zeroEnergy();
    for (const d of this.config.devices) {
      const b = r.readings.get(d.analogChannel)!;
      g[d.row * this.config.cols + d.col] = b.siemens;
      energy.cell += b.memristorWatts * r.onSeconds;
      energy.peripheral += b.senseResistorWatts * r.onSeconds;
    }
    return { value: g, energy, durationSeconds: r.durationSeconds };
  }

  /**
   * Drives `pattern`, waits for the lines to settle, takes one sample of every sense node that the board
   * took after settling, grounds the lines. Samples are fenced by version queries: the board answers in
   * order, so a report arriving after the answer was sampled after the board applied the writes before it.
   */
  private async measure(pattern: LinePattern, what: string): Promise<{ readings: Map<number, BranchReading>; onSeconds: number; durationSeconds: number }> {
    const start = performance.now() / 1000;
    this.watch.guard(what);
    const actual = this.drive(pattern, false);
    const tOn = performance.now() / 1000;
    await this.barrier();
    await this.watch.sleep(this.settleSeconds());
    await this.barrier();
    const rec = this.samples.record();
    try {
      await this.samples.untilEveryChannel(rec);
    } finally {
      this.samples.stop(rec);
    }
    const readings = this.samples.readingsOf(actual, rec, "first");
    this.drive(restPattern(this.config), true);
    await this.barrier();
    // Off when the board acknowledged the grounding write: the on-time is an upper bound (it includes the link latency).
    const tOff = performance.now() / 1000;
    this.safeAcknowledged = true;
    return { readings, onSeconds: tOff - tOn, durationSeconds: performance.now() / 1000 - start };
  }

  /**
   * One pulse: lines on (in the stages of cellPulseStages, so no half-selected device ever sees more than V/3),
   * held `width` from the board's acknowledgement of the drive writes, grounded in the reverse order. Energy from
   * the samples taken while settled.
   */
  private async pulseOnce(stages: readonly LinePattern[], widthSeconds: number): Promise<{ readings: Map<number, BranchReading>; onSeconds: number }> {
    this.watch.guard("program");
    const rec = this.samples.record();
    let tOn = 0;
    let tOff = 0;
    try {
      let actual = this.applied;
      for (const stage of stages) actual = this.drive(stage, false);
      tOn = performance.now() / 1000;
      // The width is held from the answer saying the board applied the drive writes: at least the width on the board
      // however late they arrived (a round trip more, counted in the on-time; timers can fire early on the fine clock).
      // Reports behind the answer to a query sent settleSeconds later were sampled settled, however bytes bunched.
      const applied = this.barrier();
      let settledSeq = Infinity;
      const settledFence = applied
        .then(() => this.watch.sleep(this.settleSeconds()))
        .then(() => this.barrier())
        .then((seq) => void (settledSeq = seq));
      settledFence.catch(() => undefined); // awaited below, where a lost link rejects the pulse
      await applied;
      const tApplied = performance.now() / 1000;
      for (let left = widthSeconds; left > 0; left = widthSeconds - (performance.now() / 1000 - tApplied)) await this.watch.sleep(left);
      // A version query just before the grounding writes fences the samples: the board answers in order, so
      // every report arriving before its answer (by arrival order, not by when a busy host ran its callbacks:
      // reports behind the answer in one chunk were sampled grounded) was sampled while the pulse was on.
      const fence = this.barrier();
      for (const stage of stages.slice(0, -1).reverse()) this.drive(stage, false);
      this.drive(restPattern(this.config), true);
      const groundedSeq = await fence;
      this.samples.stop(rec);
      await settledFence;
      // The mean over each node's settled samples (the device switches while on); failing those, the last.
      const readings = this.samples.readingsOf(actual, rec.filter((x) => x.seq >= settledSeq && x.seq < groundedSeq), "mean");
      for (const [ch, b] of this.samples.readingsOf(actual, rec.filter((x) => x.seq < groundedSeq), "last")) if (!readings.has(ch)) readings.set(ch, b);
      if (readings.size < this.config.devices.length) this.pulsesWithoutSample++;
      await this.barrier();
      // Off when the board acknowledged the grounding write: an upper bound on the on-time.
      tOff = performance.now() / 1000;
      this.safeAcknowledged = true;
      return { readings, onSeconds: tOff - tOn };
    } finally {
      this.samples.stop(rec);
    }
  }

  /** Commands every line whose code changes; returns the voltages the codes really produce. */
  private drive(pattern: LinePattern, all: boolean): LinePattern {
    const c = this.config;
    const lines = [...c.rowLines, ...c.colLines];
    const volts = [...pattern.rowVolts, ...pattern.colVolts];
    const actual: number[] = [];
    // One burst: the writes of a pattern leave in one write() so the lines move together (a write
    // arriving late would leave a half-selected device at the full voltage for a moment).
    const stream = this.link.transport as unknown as { cork?: () => void; uncork?: () => void };
    stream.cork?.();
    lines.forEach((l, i) => {
      const { code, volts: v } = lineCode(l, volts[i]!, c.supplyVolts);
      actual.push(v);
      if (all || this.codes[i] !== code) {
        if (code !== 0) this.safeAcknowledged = false;
        this.link.board.analogWrite(l.pin, code);
        this.codes[i] = code;
      }
    });
    stream.uncork?.();
    this.applied = { rowVolts: actual.slice(0, c.rows), colVolts: actual.slice(c.rows) };
    return this.applied;
  }

  /** Resolves, with the count of analog reports that arrived before its answer, once the board has processed everything written before it (a version query, answered in order). */
  private barrier(): Promise<number> {
    this.watch.guard("barrier");
    const timeout = 2 + 10 * this.config.samplingIntervalSeconds;
    return this.watch.untilAnswered(
      new Promise<number>((resolve, reject) => {
        const open = (): void => void (clearTimeout(t), resolve(this.samples.arrivals));
        const t = setTimeout(() => {
          const i = this.fences.indexOf(open);
          if (i >= 0) this.fences.splice(i, 1);
          reject(new DeviceLinkError(`firmata board on ${this.link.path} stopped answering (no version report within ${timeout} s)`));
        }, timeout * 1000);
        this.fences.push(open);
        this.link.io.reportVersion(() => undefined);
      }),
      this.probeLink,
    );
  }

  /** Writes the sampling interval again: no answer, no effect on the board, but a write fails on a link that went. */
  private readonly probeLink = (): void => {
    const ms = Math.round(this.config.samplingIntervalSeconds * 1000);
    this.link.io.sysexCommand([SAMPLING_INTERVAL, ms & 0x7f, (ms >> 7) & 0x7f]);
  };

  // --- bookkeeping ----------------------------------------------------------------------------

  /** Runs operations one at a time, in call order. */
  private serial<T>(op: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private settleSeconds(): number {
    const c = this.config;
    return c.settleTimeConstants * Math.max(...c.rowLines.map((l) => l.settleTauSeconds), ...c.colLines.map((l) => l.settleTauSeconds));
  }

  private deviceAt(row: number, col: number) {
    return this.config.devices.find((d) => d.row === row && d.col === col)!;
  }

  /** Lines are single-ended (0 … supply) and reads drive rows only, so a read voltage must be ≥ 0. */
  private checkReadPolarity(readVolts: number): void {
    if (readVolts < 0) throw new LimitError("readVolts", readVolts, "this board reads with positive row voltages only");
  }
}
