// The simulated crossbar: an R×C array of pulsed devices with its periphery, implementing the Crossbar contract.
//
// Physics, so a test can recompute every figure:
// - Reads and products: Ohm's law per cell and Kirchhoff's current law per line (ideal wires; with array.irDrop
//   the node voltages of the resistive lines are solved, ir-drop.ts). Energy Σ V²·G·t over every conducting
//   cell, t = settlingSeconds (the integration time). Read noise is relative to G per cell; in a product it is
//   summed per output as rms σ_read·sqrt(Σ_i V_i² · mean_i G_ij²) (the exact variance when a line's conductances
//   are equal), plus Johnson–Nyquist noise 4·k_B·T·ΣG·Δf of the line's conductances, plus TIA noise, then ADC
//   quantization.
// - Pulses, half-select, access devices and disturb: line-pulse.ts. A single-cell pulse uses peripherals.cellPulseScheme.
// - Peripherals: one DAC conversion per driven line per read, product or pulse; one ADC conversion and one TIA
//   integration per sensed line; every driven line charged to its voltage (C·V², line-drive.ts), 1T1R word lines
//   too; leakage of every line's driver over the busy time. Each call answers its joules split by component.
// - Clock: a read or product takes settlingSeconds per vector (per row for readArray); a pulse round w + pulseGapSeconds.
import type {
  Crossbar, DeviceIdentity, DeviceState, HalfSelectScheme, LinePulse, Measured,
  MvmRequest, ProgramReport, Pulse, BackendKind,
} from "../../src/hal/crossbar.js";
import { BOLTZMANN_J_PER_K } from "../../src/hal/units.js";
import { checkCell, checkMvmShape, checkPulses, checkReadVolts, LimitError } from "../../src/hal/limits.js";
import { Rng } from "../../src/random/rng.js";
import { NormalFiller } from "../../src/random/normal-fill.js";
import { createDeviceModel, type DeviceModel } from "../devices/models.js";
import { validateDeviceParams, DeviceParamsError, type DeviceParams } from "../devices/params.js";
import { drawPopulation, initialConductances, placeStuckCells, placeSurveyedCells, type DevicePopulation, type StuckCell, type SurveyedCells } from "../devices/population.js";
import { DEFAULT_PERIPHERALS, validatePeripherals, type PeripheralParams } from "./peripherals.js";
import { MvmEngine, type ReadoutSettings } from "./mvm-engine.js";
import { senseBatches, senseThroughLines, type ReadNoiseSource } from "./sense-products.js";
import { loadSimState, saveSimState, type SimStateParts } from "./device-state.js";
import { ConductanceSums } from "./line-sums.js";
import { LinePulsePhysics } from "./line-pulse.js";
import { DEFAULT_ARRAY, validateArrayParams, type ArrayParams } from "./array-params.js";
import { EnergyParts, productEnergy } from "./energy-parts.js";
import { productGrid } from "./energy-grid.js";
import { lineDriveJoules, wordLineJoules } from "./line-drive.js";
import { LineResistanceSolver } from "./ir-drop.js";
import { simIdentity, SIM_FIRMWARE_VERSION, SIM_PROTOCOL_VERSION } from "./identity.js";

export interface SimulatedCrossbarOptions {
  rows: number;
  cols: number;
  device: DeviceParams;
  peripherals?: Partial<PeripheralParams>;
  /** Access devices, wires and line resistance (default: an Ohmic passive array of ideal wires). */
  array?: Partial<ArrayParams>;
  /** Temperature of the array, kelvin: sets the Johnson–Nyquist read noise (default 300 K). */
  temperatureKelvin?: number;
  /** Everything random (device draws, initial state, write and read noise) comes from this seed. */
  seed?: number | string;
  /** identify().model, e.g. "sim:reram". */
  model?: string;
  /** identify().backend: "sim", or "twin" for a simulator fitted to a real device. */
  backend?: Extract<BackendKind, "sim" | "twin">;
  serial?: string;
  /** Devices stuck at a bound by address (a twin of a surveyed array), in place of those the stuck fractions draw. */
  stuckCells?: readonly StuckCell[];
  /** A surveyed array's own bounds and steps by address (a twin), in place of their draws. */
  surveyedCells?: SurveyedCells;
}

export { SIM_FIRMWARE_VERSION, SIM_PROTOCOL_VERSION };

export class SimulatedCrossbar implements Crossbar {
  readonly rows: number;
  readonly cols: number;
  readonly device: Readonly<DeviceParams>;
  readonly peripherals: Readonly<PeripheralParams>;
  readonly array: Readonly<ArrayParams>;
  readonly temperatureKelvin: number;
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
  private readonly readNoiseDeviates: NormalFiller;
  /** Johnson–Nyquist current variance per siemens of a sensed line, 4·k_B·T·Δf (A²/S). */
  private readonly thermalVariancePerSiemens: number;
  private forwardReadout: ReadoutSettings | null = null;
  private transposedReadout: ReadoutSettings | null = null;
  private readNoiseSource: ReadNoiseSource | null = null;
  /** The line-resistance solver, when array.irDrop is on. */
  private readonly lines: LineResistanceSolver | null;

  constructor(options: SimulatedCrossbarOptions) {
    const { rows, cols } = options;
    for (const [f, v] of [["rows", rows], ["cols", cols]] as const) {
      if (!Number.isInteger(v) || v < 1 || v > 4096) throw new DeviceParamsError(f, v, "must be an integer in [1, 4096]");
    }
    this.rows = rows;
    this.cols = cols;
    this.device = Object.freeze({ ...validateDeviceParams(options.device) });
    this.peripherals = Object.freeze(validatePeripherals({ ...DEFAULT_PERIPHERALS, ...options.peripherals }, this.device.maxReadVolts));
    this.array = Object.freeze(validateArrayParams({ ...DEFAULT_ARRAY, ...options.array }));
    const kelvin = options.temperatureKelvin ?? 300;
    if (typeof kelvin !== "number" || !Number.isFinite(kelvin) || kelvin < 0) throw new DeviceParamsError("temperatureKelvin", kelvin, "must be a finite number ≥ 0");
    this.temperatureKelvin = kelvin;
    this.thermalVariancePerSiemens = 4 * BOLTZMANN_J_PER_K * kelvin * this.peripherals.readBandwidthHertz;
    this.lines = this.array.irDrop ? new LineResistanceSolver(rows, cols, this.array.lineResistanceOhmsPerCell) : null;
    const seed = options.seed ?? 0;
    const root = new Rng(seed);
    this.population = drawPopulation(this.device, rows * cols, root.fork("devices"));
    if (options.stuckCells) placeStuckCells(this.population, options.stuckCells);
    if (options.surveyedCells) placeSurveyedCells(this.population, this.device, options.surveyedCells);
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
    this.readNoiseDeviates = new NormalFiller(this.engine.batchVectors * Math.max(rows, cols));
    this.pulses = new LinePulsePhysics(this.sums, () => this.device, this.model, this.population, this.peripherals, this.array, this.writeRng);
    this.identity = simIdentity({ backend: options.backend ?? "sim", model: options.model ?? `sim:${this.device.model}`, serial: options.serial ?? `sim-${String(seed)}`, rows, cols }, this.device, this.peripherals);
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
    const parts = new EnergyParts();
    let g = this.g[i]!;
    if (this.lines) {
      const s = this.readRowThroughLines(row, readVolts);
      g = s.outputs[col]! / readVolts;
      parts.cellRead = s.cellWatts * t;
      parts.lineResistance = s.wireWatts * t;
    } else {
      parts.cellRead = readVolts * readVolts * g * t;
    }
    const value = this.senseCell(g, readVolts);
    this.readLines(parts, 1, readVolts);
    return this.measured(value, parts, this.periphery(parts, 1, 1, t));
  }

  async readArray(readVolts: number = this.peripherals.readVolts): Promise<Measured<Float64Array>> {
    this.assertOpen();
    this.checkNonZeroRead(readVolts);
    const out = new Float64Array(this.g.length);
    const t = this.peripherals.settlingSeconds;
    const parts = new EnergyParts();
    // Row by row: one row driven at readVolts, every column sensed at virtual ground.
    if (this.lines) {
      for (let r = 0; r < this.rows; r++) {
        const s = this.readRowThroughLines(r, readVolts);
        for (let c = 0; c < this.cols; c++) out[r * this.cols + c] = this.senseCell(s.outputs[c]! / readVolts, readVolts);
        parts.cellRead += s.cellWatts * t;
        parts.lineResistance += s.wireWatts * t;
      }
    } else {
      this.senseCells(out, readVolts);
      parts.cellRead = readVolts * readVolts * this.sums.totalG * t;
    }
    this.readLines(parts, this.rows, readVolts);
    return this.measured(out, parts, this.periphery(parts, this.rows, this.rows * this.cols, this.rows * t));
  }

  async mvm(request: MvmRequest): Promise<Measured<Float64Array>> {
    this.assertOpen();
    checkMvmShape(this.identity, request); // the volts: in the sensing pass, before anything is drawn
    const forward = request.direction === "forward";
    const vectors = request.vectors ?? 1;
    const nIn = forward ? this.rows : this.cols;
    const nOut = forward ? this.cols : this.rows;
    const p = this.peripherals;
    const settings = forward ? (this.forwardReadout ??= this.readoutSettings(nIn, nOut)) : (this.transposedReadout ??= this.readoutSettings(nIn, nOut));
    const noise = (this.readNoiseSource ??= { filler: this.readNoiseDeviates, rng: this.readRng });
    const sensed = this.lines
      ? senseThroughLines(this.engine, this.lines, this.g, forward ? this.sums.colSum : this.sums.rowSum, forward ? this.sums.colSumSq : this.sums.rowSumSq, request, settings, noise)
      : senseBatches(this.engine, request, settings, noise);
    // Every input line charged to its volts once per vector (Σ_k Σ_i C_line·v_i² = C_line·Σ v²), every word line switched on.
    const gateLines = vectors * this.rows * settings.grid.wordLineJoules;
    const array = { cellRead: sensed.cellJoules, lineResistance: sensed.wireJoules, lineCharging: settings.grid.lineChargingJoulesPerV2 * sensed.sumV2, gateLines };
    const energy = productEnergy(p, this.rows + this.cols, array, vectors * nIn, vectors * nOut, vectors * p.settlingSeconds, sensed.cellOnGrid, sensed.peripheralOnGrid);
    const durationSeconds = vectors * settings.grid.seconds; // on the grid, as the parts are: energy-grid.ts
    this.clockSeconds += durationSeconds;
    return { value: sensed.currents, energy, durationSeconds };
  }

  /** How a product from `nIn` onto `nOut` lines is sensed and accounted: fixed by the array, built once per direction. */
  private readoutSettings(nIn: number, nOut: number): ReadoutSettings {
    const p = this.peripherals;
    const fullScale = this.device.maxReadVolts * this.gCeiling * nIn;
    const tiaRms = p.tiaNoise * fullScale;
    const readNoise = this.device.readNoise, thermal = this.thermalVariancePerSiemens;
    const adcMaxCode = this.adcHalfCodes - 1;
    return {
      dacStep: this.dacStep, seconds: p.settlingSeconds, noisy: readNoise > 0 || tiaRms > 0 || thermal > 0,
      readNoise, tia2: tiaRms * tiaRms, thermal,
      adcStep: p.quantize ? fullScale / this.adcHalfCodes : 0, adcMaxCode, adcMinCode: -adcMaxCode - 1, maxReadVolts: this.identity.limits.maxReadVolts,
      grid: productGrid(p, this.array, { rows: this.rows, cols: this.cols, nIn, nOut, maxReadVolts: this.identity.limits.maxReadVolts, gCeilingSiemens: this.gCeiling }),
    };
  }

  async program(pulses: Pulse[]): Promise<Measured<ProgramReport>> {
    this.assertOpen();
    checkPulses(this.identity, pulses);
    const energy = new EnergyParts();
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
    const seconds = duration > 0 ? duration : this.peripherals.pulseGapSeconds || this.peripherals.settlingSeconds;
    return this.measured(report, energy, this.periphery(energy, 0, 0, seconds));
  }

  async reset(): Promise<Measured<void>> {
    const parts = new EnergyParts();
    if (this.closed) return this.measured(undefined, parts, 0);
    this.driving = false;
    return this.measured(undefined, parts, this.periphery(parts, 0, 0, this.peripherals.settlingSeconds));
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

  private measured<T>(value: T, parts: EnergyParts, durationSeconds: number): Measured<T> {
    this.clockSeconds += durationSeconds;
    return { value, energy: parts.breakdown(), durationSeconds };
  }

  /** Converters, amplifiers and leakage of a call with `dac` driven and `sensed` sensed lines lasting `seconds`; returns seconds. */
  private periphery(parts: EnergyParts, dac: number, sensed: number, seconds: number): number {
    const p = this.peripherals;
    parts.dac += dac * p.dacJoulesPerConversion;
    parts.adc += sensed * p.adcJoulesPerConversion;
    parts.tia += sensed * p.tiaJoulesPerSense;
    parts.leakage += (this.rows + this.cols) * p.leakageWattsPerLine * seconds;
    return seconds;
  }

  /** What one more sensed line costs in converters and amplifier (the serial twin reads a row cell by cell). */
  get senseJoulesPerLine(): number {
    return this.peripherals.adcJoulesPerConversion + this.peripherals.tiaJoulesPerSense;
  }

  /** `rowsRead` rows driven to `volts` one after another (each a line of `cols` cells), with their word lines. */
  private readLines(parts: EnergyParts, rowsRead: number, volts: number): void {
    parts.lineCharging += rowsRead * lineDriveJoules(this.array, this.cols, volts);
    parts.gateLines += rowsRead * wordLineJoules(this.array, this.cols);
  }

  /** Row `row` driven to `volts`, the others grounded, every column at virtual ground, through the resistive lines. */
  private readRowThroughLines(row: number, volts: number) {
    const inputs = new Float64Array(this.rows);
    inputs[row] = volts;
    return this.lines!.solve(this.g, inputs, true);
  }

  /**
   * out[i] = senseCell(g[i], volts) for every cell, with the deviates drawn in chunks: the same draws in the
   * same order (per cell, read noise when it has any, then TIA noise), counted first so none is drawn ahead.
   */
  private senseCells(out: Float64Array, volts: number): void {
    const p = this.peripherals, d = this.device, g = this.g;
    const fullScale = d.maxReadVolts * this.gCeiling;
    const tiaRms = p.tiaNoise * fullScale;
    const thermalPerSiemens = this.thermalVariancePerSiemens;
    const step = fullScale / 2 ** (p.adcBits - 1);
    const maxCode = 2 ** (p.adcBits - 1) - 1, minCode = -maxCode - 1;
    const filler = this.readNoiseDeviates;
    const chunk = Math.floor(filler.capacity / 2);
    for (let c0 = 0; c0 < out.length; c0 += chunk) {
      const c1 = Math.min(out.length, c0 + chunk);
      let draws = 0;
      for (let i = c0; i < c1; i++) draws += (thermalPerSiemens * g[i]! > 0 || d.readNoise > 0 ? 1 : 0) + (p.tiaNoise > 0 ? 1 : 0);
      const z = draws > 0 ? filler.fill(this.readRng, draws) : filler.deviates;
      let at = 0;
      for (let i = c0; i < c1; i++) {
        const gi = g[i]!;
        let current = volts * gi;
        const thermal = thermalPerSiemens * gi;
        if (thermal > 0) current += Math.sqrt((volts * gi * d.readNoise) ** 2 + thermal) * z[at++]!;
        else if (d.readNoise > 0) current += volts * gi * d.readNoise * z[at++]!;
        if (p.tiaNoise > 0) current += tiaRms * z[at++]!;
        if (p.quantize) current = Math.min(maxCode, Math.max(minCode, Math.round(current / step))) * step;
        out[i] = current / volts;
      }
    }
  }

  /** One cell read: Ohm's law with read noise, TIA noise and ADC quantization over ±maxReadVolts·gCeiling. */
  private senseCell(g: number, volts: number): number {
    const p = this.peripherals;
    const fullScale = this.device.maxReadVolts * this.gCeiling;
    let current = volts * g;
    const thermal = this.thermalVariancePerSiemens * g;
    if (thermal > 0) current += Math.sqrt((volts * g * this.device.readNoise) ** 2 + thermal) * this.readRng.normal();
    else if (this.device.readNoise > 0) current += volts * g * this.device.readNoise * this.readRng.normal();
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
