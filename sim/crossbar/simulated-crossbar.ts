// The simulated crossbar: an R×C array of pulsed devices with its periphery, implementing the Crossbar contract.
//
// Physics, so a test can recompute every figure:
// - Reads and products: Ohm's law per cell and Kirchhoff's current law per line. Energy Σ V²·G·t over every
//   conducting cell, t = settlingSeconds (the integration time). Read noise is relative to G per cell;
//   in a product it is summed per output as rms σ_read·sqrt(Σ_i V_i² · mean_i G_ij²) (the exact variance
//   when a line's conductances are equal), plus TIA noise, then ADC quantization.
// - Pulses: while a pulse of width w is on, a switching device's G ramps linearly from its value before
//   to its value after (constant switching rate), so its energy is ∫V·I dt = V²·w·(G_before + G_after)/2.
//   Compliance cuts the pulse where V·G reaches the compliance current.
// - Half-select: row-parallel V/2 drives the line at V, the selected crossing lines at 0 and every other
//   line at V/2 (half-selected cells see V/2, the rest 0); V/3 drives the others at V/3 (unselected rows)
//   and 2V/3 (unselected columns), so half-selected cells see V/3 and all other cells −V/3. A single-cell
//   pulse uses peripherals.cellPulseScheme. Every non-selected cell conducts V_cell²·G·w (halfSelected
//   energy) and switches only if V_cell is above its threshold (disturb).
// - Peripherals: one DAC conversion per driven line per read, product or pulse; one ADC conversion per sensed line.
// - Clock: a read or product takes settlingSeconds per vector (per row for readArray); a pulse round w + pulseGapSeconds.
import type {
  Crossbar, DeviceCapabilities, DeviceIdentity, DeviceState, DeviceLimits, EnergyBreakdown, HalfSelectScheme, LinePulse, Measured,
  MvmRequest, ProgramReport, Pulse, BackendKind,
} from "../../src/hal/crossbar.js";
import { checkCell, checkMvm, checkPulses, checkReadVolts, LimitError } from "../../src/hal/limits.js";
import { Rng } from "../../src/random/rng.js";
import { createDeviceModel, newTally, type DeviceModel, type PulseTally } from "../devices/models.js";
import { switchingRate, validateDeviceParams, ConfigError, type DeviceParams } from "../devices/params.js";
import { drawPopulation, initialConductances, type DevicePopulation } from "../devices/population.js";
import { DEFAULT_PERIPHERALS, validatePeripherals, type PeripheralParams } from "./peripherals.js";
import { MvmEngine } from "./mvm-engine.js";
import { loadSimState, saveSimState, type SimStateParts } from "./device-state.js";
import { newFloat64Array } from "../../src/hal/float64-slab.js";

export interface SimulatedCrossbarOptions {
  rows: number;
  cols: number;
  device: DeviceParams;
  peripherals?: Partial<PeripheralParams>;
  /** Everything random (device draws, initial state, write and read noise) comes from this seed. */
  seed?: number | string;
  /** identify().model, e.g. "sim:reram". */
  model?: string;
  /** identify().backend: "sim", or "twin" for a simulator fitted to a real device. */
  backend?: Extract<BackendKind, "sim" | "twin">;
  serial?: string;
}

export const SIM_FIRMWARE_VERSION = "sim-1";
export const SIM_PROTOCOL_VERSION = "1";

const CAPABILITIES: DeviceCapabilities = {
  readArray: true,
  mvmForward: true,
  mvmTransposed: true,
  parallelPulse: true,
  halfSelectSchemes: ["V/2", "V/3"],
};

/** Recompute the running line sums from scratch after this many incremental updates (bounds float drift). */
const RESUM_AFTER_CHANGES = 1 << 22;

export class SimulatedCrossbar implements Crossbar {
  readonly rows: number;
  readonly cols: number;
  readonly device: Readonly<DeviceParams>;
  readonly peripherals: Readonly<PeripheralParams>;
  readonly model: DeviceModel;
  readonly population: DevicePopulation;
  private readonly identity: DeviceIdentity;
  /** True conductances, siemens, row-major. */
  private readonly g: Float64Array;
  private readonly engine: MvmEngine;
  /** Running per-line sums of G and G² (for energies and product noise without touching every cell). */
  private readonly rowSum: Float64Array;
  private readonly colSum: Float64Array;
  private readonly rowSumSq: Float64Array;
  private readonly colSumSq: Float64Array;
  private totalG = 0;
  private changesSinceResum = 0;
  private readonly writeRng: Rng;
  private readonly readRng: Rng;
  /** Largest device bound in the array: sets the ADC full scale. */
  private readonly gCeiling: number;
  /** DAC input step, volts (0 when converters are ideal). */
  private readonly dacStep: number;
  /** 2^(adcBits−1): ADC codes per polarity. */
  private readonly adcHalfCodes: number;
  private clockSeconds = 0;
  private driving = false;
  private closed = false;
  private cellsScratch: Int32Array;
  /** Output-noise deviates of one product. */
  private readonly noiseScratch: Float64Array;
  private oldScratch: Float64Array;

  constructor(options: SimulatedCrossbarOptions) {
    const { rows, cols } = options;
    for (const [f, v] of [["rows", rows], ["cols", cols]] as const) {
      if (!Number.isInteger(v) || v < 1 || v > 4096) throw new ConfigError(f, v, "must be an integer in [1, 4096]");
    }
    this.rows = rows;
    this.cols = cols;
    this.device = Object.freeze({ ...validateDeviceParams(options.device) });
    this.peripherals = Object.freeze(validatePeripherals({ ...DEFAULT_PERIPHERALS, ...options.peripherals }, this.device.maxReadVolts));
    const seed = options.seed ?? 0;
    const root = new Rng(seed);
    this.population = drawPopulation(this.device, rows * cols, root.fork("devices"));
    this.g = initialConductances(this.device, this.population, root.fork("initial"));
    this.writeRng = root.fork("write");
    this.readRng = root.fork("read");
    this.model = createDeviceModel(this.device);
    this.engine = new MvmEngine(rows, cols);
    this.rowSum = new Float64Array(rows);
    this.colSum = new Float64Array(cols);
    this.rowSumSq = new Float64Array(rows);
    this.colSumSq = new Float64Array(cols);
    this.resum();
    let ceiling = 0;
    for (let i = 0; i < this.population.size; i++) ceiling = Math.max(ceiling, this.population.gMax[i]!);
    this.gCeiling = ceiling;
    // Converter constants, computed once (Math.pow per product showed in profiles); same values as computed per call.
    this.dacStep = this.peripherals.quantize ? (2 * this.device.maxReadVolts) / (2 ** this.peripherals.dacBits - 1) : 0;
    this.adcHalfCodes = 2 ** (this.peripherals.adcBits - 1);
    this.cellsScratch = new Int32Array(Math.max(rows, cols));
    this.noiseScratch = new Float64Array(Math.max(rows, cols));
    this.oldScratch = new Float64Array(Math.max(rows, cols));
    const d = this.device, p = this.peripherals;
    const limits: DeviceLimits = {
      maxReadVolts: d.maxReadVolts,
      maxProgramVoltsPositive: d.maxProgramVoltsPositive,
      maxProgramVoltsNegative: d.maxProgramVoltsNegative,
      minPulseWidthSeconds: d.minPulseWidthSeconds,
      maxPulseWidthSeconds: d.maxPulseWidthSeconds,
      maxPulseCount: p.maxPulseCount,
      complianceAmperes: d.complianceAmperes,
      dacBits: p.dacBits,
      adcBits: p.adcBits,
    };
    this.identity = {
      backend: options.backend ?? "sim",
      model: options.model ?? `sim:${d.model}`,
      serial: options.serial ?? `sim-${String(seed)}`,
      firmwareVersion: SIM_FIRMWARE_VERSION,
      protocolVersion: SIM_PROTOCOL_VERSION,
      rows,
      cols,
      limits,
      capabilities: { ...CAPABILITIES, halfSelectSchemes: [...CAPABILITIES.halfSelectSchemes] },
      endurancePulses: d.endurancePulses,
    };
  }

  /** Simulated time spent by all calls so far, seconds. */
  get elapsedSeconds(): number {
    return this.clockSeconds;
  }

  /** A copy of the true conductances (no read noise, no cost): for tests and fitting, not a measurement. */
  trueConductances(): Float64Array {
    return this.g.slice();
  }

  /** Sets the true conductances (e.g. a twin restoring a calibrated state); each is clipped to its device's bounds. */
  loadConductances(values: Float64Array): void {
    if (values.length !== this.g.length) throw new ConfigError("conductances.length", values.length, `must be rows × cols = ${this.g.length}`);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) throw new ConfigError(`conductances[${i}]`, v, "must be finite");
    }
    for (let i = 0; i < values.length; i++) this.g[i] = Math.min(Math.max(values[i]!, this.population.gMin[i]!), this.population.gMax[i]!);
    this.resum();
  }

  /** The whole state (conductances, wear, line sums, noise streams, clock): see device-state.ts. */
  async saveState(): Promise<DeviceState> {
    this.assertOpen();
    return saveSimState(this.stateParts());
  }

  async loadState(state: DeviceState): Promise<void> {
    this.assertOpen();
    const s = loadSimState(state, this.stateParts());
    this.totalG = s.totalG!;
    this.changesSinceResum = s.changesSinceResum!;
    this.clockSeconds = s.clockSeconds!;
    // The float32 read-out mirror follows G; the line sums came back as saved (bit-identical energies).
    const { g32, stride } = this.engine;
    for (let r = 0; r < this.rows; r++) for (let c = 0; c < this.cols; c++) g32[r * stride + c] = this.g[r * this.cols + c]!;
  }

  private stateParts(): SimStateParts {
    return {
      kind: `${this.identity.model} ${this.rows}x${this.cols} serial ${this.identity.serial}`,
      floats: { g: this.g, pulses: this.population.pulses, rowSum: this.rowSum, colSum: this.colSum, rowSumSq: this.rowSumSq, colSumSq: this.colSumSq },
      bytes: { state: this.population.state },
      rngs: { write: this.writeRng, read: this.readRng },
      scalars: { totalG: this.totalG, changesSinceResum: this.changesSinceResum, clockSeconds: this.clockSeconds },
    };
  }

  async identify(): Promise<DeviceIdentity> {
    this.assertOpen();
    return structuredClone(this.identity);
  }

  async readCell(row: number, col: number, readVolts: number = this.peripherals.readVolts): Promise<Measured<number>> {
    this.assertOpen();
    checkCell(this.identity, row, col);
    this.checkNonZeroRead(readVolts);
    const i = row * this.cols + col;
    const t = this.peripherals.settlingSeconds;
    const value = this.senseCell(this.g[i]!, readVolts);
    return this.measured(value, { cell: readVolts * readVolts * this.g[i]! * t, halfSelected: 0, peripheral: this.conversions(1, 1) }, t);
  }

  async readArray(readVolts: number = this.peripherals.readVolts): Promise<Measured<Float64Array>> {
    this.assertOpen();
    this.checkNonZeroRead(readVolts);
    const out = new Float64Array(this.g.length);
    for (let i = 0; i < out.length; i++) out[i] = this.senseCell(this.g[i]!, readVolts);
    const t = this.peripherals.settlingSeconds;
    // Row by row: one row driven at readVolts, every column sensed at virtual ground.
    return this.measured(out, { cell: readVolts * readVolts * this.totalG * t, halfSelected: 0, peripheral: this.conversions(this.rows, this.rows * this.cols) }, this.rows * t);
  }

  async mvm(request: MvmRequest): Promise<Measured<Float64Array>> {
    this.assertOpen();
    checkMvm(this.identity, request);
    const forward = request.direction === "forward";
    const vectors = request.vectors ?? 1;
    const nIn = forward ? this.rows : this.cols;
    const nOut = forward ? this.cols : this.rows;
    const inSum = forward ? this.rowSum : this.colSum;
    const outSumSq = forward ? this.colSumSq : this.rowSumSq;
    const { engine } = this;
    const p = this.peripherals;
    const vMax = this.device.maxReadVolts;
    const { dacStep, adcHalfCodes } = this;
    const fullScale = vMax * this.gCeiling * nIn;
    const adcStep = p.quantize ? fullScale / adcHalfCodes : 0;
    const adcMaxCode = adcHalfCodes - 1;
    const adcMinCode = -adcMaxCode - 1;
    const readNoise = this.device.readNoise;
    const tiaRms = p.tiaNoise * fullScale;
    const t = p.settlingSeconds;
    const out = newFloat64Array(vectors * nOut);
    const input = engine.input, output = engine.output;
    let cellJoules = 0;
    for (let k = 0; k < vectors; k++) {
      const off = k * nIn;
      let sumV2 = 0;
      let joules = 0;
      const volts = request.volts;
      for (let i = 0; i < nIn; i++) {
        let v = volts[off + i]!;
        if (dacStep > 0) v = Math.round(v / dacStep) * dacStep; // division, not ×1/step: the serial twin quantizes with this exact expression
        input[i] = v;
        const v2 = v * v;
        sumV2 += v2;
        joules += v2 * inSum[i]!;
      }
      for (let i = nIn; i < engine.stride; i++) input[i] = 0; // the kernels read padding columns
      cellJoules += joules * t;
      if (forward) engine.forward();
      else engine.transposed();
      const o = k * nOut;
      const noisy = readNoise > 0 || tiaRms > 0;
      const rn2 = (readNoise * readNoise * sumV2) / nIn;
      const tia2 = tiaRms * tiaRms;
      const z = this.noiseScratch;
      if (noisy) this.readRng.fillNormal(z, 0, nOut);
      for (let j = 0; j < nOut; j++) {
        let current = output[j]!;
        if (noisy) current += Math.sqrt(rn2 * outSumSq[j]! + tia2) * z[j]!;
        if (adcStep > 0) {
          let code = Math.floor(current / adcStep + 0.5); // = Math.round without its −0 (which deoptimizes this loop)
          if (code > adcMaxCode) code = adcMaxCode;
          else if (code < adcMinCode) code = adcMinCode;
          current = code * adcStep;
        }
        out[o + j] = current;
      }
    }
    return this.measured(out, { cell: cellJoules, halfSelected: 0, peripheral: vectors * this.conversions(nIn, nOut) }, vectors * t);
  }

  async program(pulses: Pulse[]): Promise<Measured<ProgramReport>> {
    this.assertOpen();
    checkPulses(this.identity, pulses);
    const energy: EnergyBreakdown = { cell: 0, halfSelected: 0, peripheral: 0 };
    const report: ProgramReport = { pulsesApplied: 0, complianceTrips: 0 };
    let duration = 0;
    this.driving = true;
    try {
      for (const p of pulses) {
        const line: LinePulse = p.kind === "cell"
          ? { kind: "row", line: p.row, selected: [p.col], counts: [p.count], volts: p.volts, widthSeconds: p.widthSeconds, scheme: this.peripherals.cellPulseScheme }
          : p;
        duration += this.applyLinePulse(line, energy, report);
      }
    } finally {
      this.driving = false;
    }
    return this.measured(report, energy, duration > 0 ? duration : this.peripherals.pulseGapSeconds || this.peripherals.settlingSeconds);
  }

  async reset(): Promise<Measured<void>> {
    if (this.closed) return this.measured(undefined, { cell: 0, halfSelected: 0, peripheral: 0 }, 0);
    this.driving = false;
    return this.measured(undefined, { cell: 0, halfSelected: 0, peripheral: 0 }, this.peripherals.settlingSeconds);
  }

  async isSafe(): Promise<boolean> {
    return !this.driving;
  }

  async close(): Promise<void> {
    this.driving = false;
    this.closed = true;
  }

  // --- internals ---

  private assertOpen(): void {
    if (this.closed) throw new Error(`${this.identity.model}: crossbar is closed`);
  }

  private checkNonZeroRead(readVolts: number): void {
    checkReadVolts(this.identity, readVolts);
    if (readVolts === 0) throw new LimitError("readVolts", readVolts, "must be non-zero to sense a current");
  }

  private measured<T>(value: T, energy: EnergyBreakdown, durationSeconds: number): Measured<T> {
    this.clockSeconds += durationSeconds;
    return { value, energy, durationSeconds };
  }

  private conversions(dac: number, adc: number): number {
    return dac * this.peripherals.dacJoulesPerConversion + adc * this.peripherals.adcJoulesPerConversion;
  }

  /** One cell read: Ohm's law with read noise, TIA noise and ADC quantization over ±maxReadVolts·gCeiling. */
  private senseCell(g: number, volts: number): number {
    const p = this.peripherals;
    const fullScale = this.device.maxReadVolts * this.gCeiling;
    let current = volts * g;
    if (this.device.readNoise > 0) current += volts * g * this.device.readNoise * this.readRng.normal();
    if (p.tiaNoise > 0) current += p.tiaNoise * fullScale * this.readRng.normal();
    if (p.quantize) {
      const step = fullScale / 2 ** (p.adcBits - 1);
      const maxCode = 2 ** (p.adcBits - 1) - 1;
      current = Math.min(maxCode, Math.max(-maxCode - 1, Math.round(current / step))) * step;
    }
    return current / volts;
  }

  /** Applies one row- or column-parallel pulse (a cell pulse is a row pulse with one selected column). Returns its duration. */
  private applyLinePulse(p: LinePulse, energy: EnergyBreakdown, report: ProgramReport): number {
    const rowKind = p.kind === "row";
    const { rows, cols } = this;
    const nCross = rowKind ? cols : rows;
    const nLines = rowKind ? rows : cols;
    const lineSums = rowKind ? this.rowSum : this.colSum;
    const crossSums = rowKind ? this.colSum : this.rowSum;
    const cellOf = rowKind ? (x: number) => p.line * cols + x : (x: number) => x * cols + p.line;
    const V = p.volts;
    const w = p.widthSeconds;
    const sign = V >= 0 ? 1 : -1;
    const third = p.scheme === "V/3";
    const vHalf = third ? V / 3 : V / 2;
    const vOther = third ? -V / 3 : 0;
    const rate = switchingRate(this.device, V, w);
    const rateHalf = switchingRate(this.device, vHalf, w);
    const rateOther = vOther === 0 ? 0 : switchingRate(this.device, vOther, w);
    const gComp = (v: number) => (v === 0 ? Infinity : this.device.complianceAmperes / Math.abs(v));
    // Rounds: in round k the selected lines are those with counts[j] > k; group rounds with the same selection.
    const order = p.selected.map((_, j) => j).sort((a, b) => p.counts[a]! - p.counts[b]!);
    let done = 0;
    let rounds = 0;
    const maxCount = p.counts.reduce((m, c) => Math.max(m, c), 0);
    let first = 0;
    while (done < maxCount) {
      while (first < order.length && p.counts[order[first]!]! <= done) first++;
      const next = p.counts[order[first]!]!;
      const span = next - done;
      const m = order.length - first;
      const cells = this.cellsScratch;
      for (let k = 0; k < m; k++) cells[k] = cellOf(p.selected[order[first + k]!]!);
      // Half-selected conductance sums (unchanged by the selected cells' own switching).
      let sumOnLine = lineSums[p.line]!;
      let sumOnCross = 0;
      for (let k = 0; k < m; k++) {
        const gi = this.g[cells[k]!]!;
        sumOnLine -= gi;
        sumOnCross += crossSums[p.selected[order[first + k]!]!]! - gi;
      }
      const sumOther = this.totalG - lineSums[p.line]! - sumOnCross;
      const disturb = rateHalf > 0 || rateOther > 0;
      const steps = disturb ? span : 1;
      const countPerStep = disturb ? 1 : span;
      for (let s = 0; s < steps; s++) {
        const tally = newTally();
        this.pulseCells(cells, m, countPerStep, sign, rate, gComp(V), tally);
        energy.cell += V * V * w * tally.conductanceSum;
        report.pulsesApplied += tally.applied;
        report.complianceTrips += tally.trips;
        if (disturb) {
          energy.halfSelected += this.disturb(p, cells, m, vHalf, rateHalf, vOther, rateOther, w, gComp);
        } else {
          energy.halfSelected += countPerStep * w * (vHalf * vHalf * (sumOnLine + sumOnCross) + vOther * vOther * sumOther);
        }
      }
      rounds += span;
      done = next;
      void nLines;
    }
    energy.peripheral += rounds * (rows + cols) * this.peripherals.dacJoulesPerConversion;
    return rounds * (w + this.peripherals.pulseGapSeconds);
  }

  /** Pulses the cells in cells[0..m) and keeps the mirror and line sums in step. */
  private pulseCells(cells: Int32Array, m: number, count: number, sign: number, rate: number, gCompliance: number, tally: PulseTally): void {
    if (m === 0) return;
    const old = this.oldScratch.length >= m ? this.oldScratch : (this.oldScratch = new Float64Array(m));
    for (let k = 0; k < m; k++) old[k] = this.g[cells[k]!]!;
    this.model.pulse(this.g, this.population, cells, 0, m, count, sign, rate, gCompliance, this.writeRng, tally);
    this.syncChanged(cells, old, m);
  }

  private syncChanged(cells: Int32Array, old: Float64Array, m: number): void {
    const cols = this.cols, stride = this.engine.stride;
    const g = this.g, g32 = this.engine.g32;
    for (let k = 0; k < m; k++) {
      const i = cells[k]!;
      const g1 = g[i]!, g0 = old[k]!;
      if (g1 === g0) continue;
      const r = (i / cols) | 0, c = i - r * cols;
      g32[r * stride + c] = g1;
      const d = g1 - g0, d2 = g1 * g1 - g0 * g0;
      this.rowSum[r] += d;
      this.colSum[c] += d;
      this.rowSumSq[r] += d2;
      this.colSumSq[c] += d2;
      this.totalG += d;
    }
    this.changesSinceResum += m;
    if (this.changesSinceResum > RESUM_AFTER_CHANGES) this.resum();
  }

  /** One round of half-select disturb on every non-selected cell above threshold; returns their energy. */
  private disturb(p: LinePulse, cells: Int32Array, m: number, vHalf: number, rateHalf: number, vOther: number, rateOther: number, w: number, gComp: (v: number) => number): number {
    const { rows, cols } = this;
    const selectedCells = new Set<number>();
    for (let k = 0; k < m; k++) selectedCells.add(cells[k]!);
    const rowKind = p.kind === "row";
    const selectedCross = new Set<number>();
    for (let k = 0; k < m; k++) {
      const i = cells[k]!;
      selectedCross.add(rowKind ? i % cols : (i / cols) | 0);
    }
    const half: number[] = [];
    const other: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c;
        if (selectedCells.has(i)) continue;
        const onLine = rowKind ? r === p.line : c === p.line;
        const onCross = selectedCross.has(rowKind ? c : r);
        (onLine || onCross ? half : other).push(i);
      }
    }
    let joules = 0;
    for (const [list, v, rate] of [[half, vHalf, rateHalf], [other, vOther, rateOther]] as const) {
      if (list.length === 0 || v === 0) continue;
      const idx = Int32Array.from(list);
      const old = new Float64Array(idx.length);
      for (let k = 0; k < idx.length; k++) old[k] = this.g[idx[k]!]!;
      const tally = newTally();
      this.model.pulse(this.g, this.population, idx, 0, idx.length, 1, v >= 0 ? 1 : -1, rate, gComp(v), this.writeRng, tally);
      this.syncChanged(idx, old, idx.length);
      joules += v * v * w * tally.conductanceSum;
    }
    return joules;
  }

  /** Recomputes the line sums and rewrites the float32 mirror from the true conductances. */
  private resum(): void {
    const { rows, cols, g } = this;
    const { g32, stride } = this.engine;
    this.rowSum.fill(0);
    this.colSum.fill(0);
    this.rowSumSq.fill(0);
    this.colSumSq.fill(0);
    let total = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = g[r * cols + c]!;
        g32[r * stride + c] = v;
        this.rowSum[r] += v;
        this.colSum[c] += v;
        this.rowSumSq[r] += v * v;
        this.colSumSq[c] += v * v;
        total += v;
      }
    }
    this.totalG = total;
    this.changesSinceResum = 0;
  }
}

export type { HalfSelectScheme };
