// The array's periphery: converters, transimpedance amplifier, read voltage and timing, with their costs.
import type { HalfSelectScheme } from "../../src/hal/crossbar.js";
import { DeviceParamsError } from "../devices/params.js";

export interface PeripheralParams {
  /** Row/column driver (input) resolution; inputs are quantized over ±maxReadVolts when `quantize`. */
  dacBits: number;
  /** Current-sense (output) resolution; outputs are quantized over ± the full-scale current when `quantize`. */
  adcBits: number;
  /** False: ideal converters (no quantization), for known-answer tests. */
  quantize: boolean;
  /** Transimpedance-amplifier noise: rms, relative to the ADC full-scale current, on every sensed output. */
  tiaNoise: number;
  /** Energy of one DAC conversion (one driven line, one level). */
  dacJoulesPerConversion: number;
  /** Energy of one ADC conversion (one sensed line). */
  adcJoulesPerConversion: number;
  /** Energy of one transimpedance (sense) amplifier holding one sensed line through one integration. */
  tiaJoulesPerSense: number;
  /** Static leakage of one line's driver and amplifier, watts, counted over the array's busy time (rows + cols lines). */
  leakageWattsPerLine: number;
  /**
   * Noise bandwidth Δf of a read, hertz: each conductance G adds Johnson–Nyquist current noise of variance
   * 4·k_B·T·G·Δf to its sensed line (T from the array's temperature). 0: no thermal noise.
   */
  readBandwidthHertz: number;
  /** Default read voltage (readCell/readArray). */
  readVolts: number;
  /** Integration (settling) time of one read or one matrix-vector product: the t in Σ V²·G·t. */
  settlingSeconds: number;
  /** Dead time between two programming pulses (line switching). */
  pulseGapSeconds: number;
  maxPulseCount: number;
  /** Half-select scheme a single-cell pulse uses for the rest of the array. */
  cellPulseScheme: HalfSelectScheme;
}

/**
 * The periphery every preset starts from. The converter, amplifier and leakage energies are not these defaults
 * but each preset's energy table (energy-table.ts, with their sources); these are the old flat costs, kept for
 * arrays built without a preset.
 */
export const DEFAULT_PERIPHERALS: Readonly<PeripheralParams> = Object.freeze({
  dacBits: 8,
  adcBits: 12,
  quantize: true,
  tiaNoise: 1e-4,
  dacJoulesPerConversion: 0.5e-12,
  adcJoulesPerConversion: 2e-12,
  tiaJoulesPerSense: 0,
  leakageWattsPerLine: 0,
  readBandwidthHertz: 0,
  readVolts: 0.2,
  settlingSeconds: 100e-9,
  pulseGapSeconds: 50e-9,
  maxPulseCount: 1000,
  cellPulseScheme: "V/2" as HalfSelectScheme,
});

/** Ideal periphery: exact converters, no amplifier noise, no conversion cost. */
export const IDEAL_PERIPHERALS: Partial<PeripheralParams> = Object.freeze({
  quantize: false,
  tiaNoise: 0,
  dacBits: 32,
  adcBits: 32,
  dacJoulesPerConversion: 0,
  adcJoulesPerConversion: 0,
  tiaJoulesPerSense: 0,
  leakageWattsPerLine: 0,
  readBandwidthHertz: 0,
});

export function validatePeripherals(p: PeripheralParams, maxReadVolts: number, at = "peripherals."): PeripheralParams {
  for (const f of ["dacBits", "adcBits", "maxPulseCount"] as const) {
    if (!Number.isInteger(p[f]) || p[f] < 1 || (f !== "maxPulseCount" && p[f] > 32)) throw new DeviceParamsError(`${at}${f}`, p[f], f === "maxPulseCount" ? "must be an integer ≥ 1" : "must be an integer in [1, 32]");
  }
  for (const f of ["tiaNoise", "dacJoulesPerConversion", "adcJoulesPerConversion", "tiaJoulesPerSense", "leakageWattsPerLine", "readBandwidthHertz", "readVolts", "settlingSeconds", "pulseGapSeconds"] as const) {
    if (typeof p[f] !== "number" || !Number.isFinite(p[f]) || p[f] < 0) throw new DeviceParamsError(`${at}${f}`, p[f], "must be a finite number ≥ 0");
  }
  if (typeof p.quantize !== "boolean") throw new DeviceParamsError(`${at}quantize`, p.quantize, "must be true or false");
  if (!(p.settlingSeconds > 0)) throw new DeviceParamsError(`${at}settlingSeconds`, p.settlingSeconds, "must be > 0");
  if (!(p.readVolts > 0) || p.readVolts > maxReadVolts) throw new DeviceParamsError(`${at}readVolts`, p.readVolts, `must be in (0, maxReadVolts = ${maxReadVolts}]`);
  if (p.cellPulseScheme !== "V/2" && p.cellPulseScheme !== "V/3") throw new DeviceParamsError(`${at}cellPulseScheme`, p.cellPulseScheme, 'must be "V/2" or "V/3"');
  return p;
}
