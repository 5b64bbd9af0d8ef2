// The simulated crossbar: an R×C array of pulsed devices with its periphery, implementing the Crossbar contract.
//
// Physics, so a test can recompute every figure:
// - Reads and products: Ohm's law per cell and Kirchhoff's current law per line. Energy Σ V²·G·t over every
//   conducting cell, t = settlingSeconds (the integration time). Read noise is relative to G per cell;
//   in a product it is summed per output as rms σ_read·sqrt(Σ_i V_i² · mean_i G_ij²) (the exact variance
//   when a line's conductances are equal), plus TIA noise, then ADC quantization.
// - Pulses, half-select and disturb: line-pulse.ts. A single-cell pulse uses peripherals.cellPulseScheme.
// - Peripherals: one DAC conversion per driven line per read, product or pulse; one ADC conversion per sensed line.
// - Clock: a read or product takes settlingSeconds per vector (per row for readArray); a pulse round w + pulseGapSeconds.
import type {
  Crossbar, DeviceCapabilities, DeviceIdentity, DeviceState, DeviceLimits, EnergyBreakdown, HalfSelectScheme, LinePulse, Measured,
  MvmRequest, ProgramReport, Pulse, BackendKind,
} from "../../src/hal/crossbar.js";
import { checkCell, checkMvm, checkPulses, checkReadVolts, LimitError } from "../../src/hal/limits.js";
import { Rng } from "../../src/random/rng.js";
import { createDeviceModel, type DeviceModel } from "../devices/models.js";
import { validateDeviceParams, DeviceParamsError, type DeviceParams } from "../devices/params.js";
import { drawPopulation, initialConductances, type DevicePopulation } from "../devices/population.js";
import { DEFAULT_PERIPHERALS, validatePeripherals, type PeripheralParams } from "./peripherals.js";
import { MvmEngine } from "./mvm-engine.js";
import { loadSimState, saveSimState, type SimStateParts } from "./device-state.js";
import { ConductanceSums } from "./line-sums.js";
import { LinePulsePhysics } from "./line-pulse.js";
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
  private readonly sums: ConductanceSums;
  private readonly pulses: LinePulsePhysics;
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
  /** Output-noise deviates of one product. */
  private readonly noiseScratch: Float64Array;

  constructor(options: SimulatedCrossbarOptions) {
    const { rows, cols } = options;
    for (const [f, v] of [["rows", rows], ["cols", cols]] as const) {
      if (!Number.isInteger(v) || v < 1 || v > 4096) throw new DeviceParamsError(f, v, "must be an integer in [1, 4096]");
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
    this.sums = new ConductanceSums(rows, cols, this.g, this.engine);
    let ceiling = 0;
    for (let i = 0; i < this.population.size; i++) ceiling = Math.max(ceiling, this.population.gMax[i]!);
    this.gCeiling = ceiling;
    // Converter constants, computed once (Math.pow per product showed in profiles); same values as computed per call.
    this.dacStep = this.peripherals.quantize ? (2 * this.device.maxReadVolts) / (2 ** this.peripherals.dacBits - 1) : 0;
    this.adcHalfCodes = 2 ** (this.peripherals.adcBits - 1);
    this.noiseScratch = new Float64Array(Math.max(rows, cols));
    this.pulses = new LinePulsePhysics(this.sums, () => this.device, this.model, this.population, this.peripherals, this.writeRng);
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
    if (values.length !== this.g.length) throw new DeviceParamsError("conductances.length", values.length, `must be rows × cols = ${this.g.length}`);
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) throw new DeviceParamsError(`conductances[${i}]`, v, "must be finite");
    }
    for (let i = 0; i < values.length; i++) this.g[i] = Math.min(Math.max(values[i]!, this.population.gMin[i]!), this.population.gMax[i]!);
    this.sums.resum();
  }

  /** The whole state (conductances, wear, line sums, noise streams, clock): see device-state.ts. */
  async saveState(): Promise<DeviceState> {
    this.assertOpen();
    return saveSimState(this.stateParts());
  }

  async loadState(state: DeviceState): Promise<void> {
    this.assertOpen();
    const s = loadSimState(state, this.stateParts());
    this.sums.totalG = s.totalG!;
    this.sums.changesSinceResum = s.changesSinceResum!;
    this.clockSeconds = s.clockSeconds!;
    // The float32 read-out mirror follows G; the line sums came back as saved (bit-identical energies).
    this.sums.mirror();
  }

  private stateParts(): SimStateParts {
    return {
      kind: `${this.identity.model} ${this.rows}x${this.cols} serial ${this.identity.serial}`,
      floats: { g: this.g, pulses: this.population.pulses, rowSum: this.sums.rowSum, colSum: this.sums.colSum, rowSumSq: this.sums.rowSumSq, colSumSq: this.sums.colSumSq },
      bytes: { state: this.population.state },
      rngs: { write: this.writeRng, read: this.readRng },
      scalars: { totalG: this.sums.totalG, changesSinceResum: this.sums.changesSinceResum, clockSeconds: this.clockSeconds },
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
    return this.measured(out, { cell: readVolts * readVolts * this.sums.totalG * t, halfSelected: 0, peripheral: this.conversions(this.rows, this.rows * this.cols) }, this.rows * t);
  }

  async mvm(request: MvmRequest): Promise<Measured<Float64Array>> {
    this.assertOpen();
    checkMvm(this.identity, request);
    const forward = request.direction === "forward";
    const vectors = request.vectors ?? 1;
    const nIn = forward ? this.rows : this.cols;
    const nOut = forward ? this.cols : this.rows;
    const inSum = forward ? this.sums.rowSum : this.sums.colSum;
    const outSumSq = forward ? this.sums.colSumSq : this.sums.rowSumSq;
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
        duration += this.pulses.apply(line, energy, report);
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
}

export type { HalfSelectScheme };
