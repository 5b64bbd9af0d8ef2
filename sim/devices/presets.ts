// Device presets: instances of DeviceParams fitted to (or after) published devices, each citing its source.
import type { PeripheralParams } from "../crossbar/peripherals.js";
import { IDEAL_PERIPHERALS } from "../crossbar/peripherals.js";
import type { ArrayParams } from "../crossbar/array-params.js";
import { CELL_PITCH_F, WIRE_45NM, energyTable, type EnergyTable, type EnergyTableRow } from "../crossbar/energy-table.js";
import { validateDeviceParams, type DeviceParams } from "./params.js";

export interface DevicePreset {
  name: string;
  /** The paper (or tool) the numbers come from. */
  source: string;
  device: DeviceParams;
  /** Periphery overrides for this preset (the rest from DEFAULT_PERIPHERALS). */
  peripherals: Partial<PeripheralParams>;
  /** Access devices and wires (the rest from DEFAULT_ARRAY). */
  array: Partial<ArrayParams>;
  /** Where every periphery and wire energy of this preset comes from (empty for the ideal reference). */
  energyTable: EnergyTableRow[];
}

/** A preset's energy table from its device: the DAC's full scale is its largest programming voltage. */
function tableFor(d: DeviceParams, settlingSeconds: number, access: ArrayParams["access"], k: number, accessSource: string): EnergyTable {
  const oneT = access === "1T1R";
  const pitchF = oneT ? CELL_PITCH_F.oneTransistor : CELL_PITCH_F.crossPoint;
  const vMax = Math.max(d.maxProgramVoltsPositive, d.maxProgramVoltsNegative);
  return energyTable({
    access,
    halfSelectNonlinearity: k,
    halfSelectSource: accessSource,
    pitchMetres: pitchF * WIRE_45NM.widthMetres,
    pitchSource: `${pitchF}F ${oneT ? "1T1R" : "cross-point"} cell (NeuroSim) at F = 80 nm (NeuroSim 45 nm wires; assumed node)`,
    dacBits: 8,
    adcBits: 12,
    dacFullScaleVolts: vMax,
    settlingSeconds,
    ...(oneT ? { wordLineVolts: vMax, wordLineSource: "the largest programming voltage, so the access transistor passes the write current (assumed)" } : {}),
  });
}

/** NeuroSim's cross-point I–V nonlinearity NL = I(Vw)/I(Vw/2) = 10 (Chen, Peng & Yu, IEEE TCAD 2018; its device defaults). */
const NEUROSIM_NL = 10;

/** Builds a preset from its device, periphery and access: the energy table fills in the periphery and wires. */
function withEnergy(p: Omit<DevicePreset, "array" | "energyTable">, access: ArrayParams["access"], k: number, accessSource: string): DevicePreset {
  const t = tableFor(p.device, p.peripherals.settlingSeconds ?? 100e-9, access, k, accessSource);
  return { ...p, peripherals: { ...t.peripherals, ...p.peripherals }, array: t.array, energyTable: t.rows };
}

/** Everything not said by a preset: a quiet, symmetric device with no spreads. */
const BASE: Omit<DeviceParams, "model" | "gMinSiemens" | "gMaxSiemens" | "stepSiemens"> = {
  upDownAsymmetry: 0,
  stepSpreadD2d: 0,
  boundsSpreadD2d: 0,
  writeNoiseC2c: 0,
  readNoise: 0,
  stuckAtMinProbability: 0,
  stuckAtMaxProbability: 0,
  thresholdVoltsPositive: 1.0,
  thresholdVoltsNegative: 1.0,
  nominalVoltsPositive: 1.5,
  nominalVoltsNegative: 1.5,
  nominalPulseWidthSeconds: 100e-9,
  amplitudeExponent: 1,
  widthExponent: 1,
  gammaUp: 0,
  gammaDown: 0,
  endurancePulses: 1e9,
  initialConductance: "uniform",
  maxReadVolts: 0.5,
  maxProgramVoltsPositive: 2.0,
  maxProgramVoltsNegative: 2.0,
  minPulseWidthSeconds: 1e-9,
  maxPulseWidthSeconds: 1e-3,
  complianceAmperes: 1e-3,
};

/**
 * ReRAM after aihwkit's ReRamESPresetDevice (an ExpStep device fitted to Gong et al. 2018,
 * "Signal and noise extraction from analog memory elements for neuromorphic computing",
 * Nat. Commun. 9:2102): about 1,500 steps across the range, device-to-device spread 0.2,
 * asymmetric up/down. Conductances mapped to 1–100 µS; thresholds chosen so V/2 half-select is safe.
 */
const reram: DevicePreset = withEnergy({
  name: "reram",
  source: "aihwkit ReRamESPresetDevice, fit to Gong et al. 2018, Nat. Commun. 9:2102 (≈1500 steps, d2d 0.2)",
  device: {
    ...BASE,
    model: "expStep",
    gMinSiemens: 1e-6,
    gMaxSiemens: 100e-6,
    stepSiemens: (100e-6 - 1e-6) / 1481,
    upDownAsymmetry: 0.26,
    stepSpreadD2d: 0.2,
    boundsSpreadD2d: 0.05,
    writeNoiseC2c: 0.3,
    readNoise: 0.01,
    stuckAtMinProbability: 0.001,
    stuckAtMaxProbability: 0.001,
    gammaUp: 0.5,
    gammaDown: 1.0,
    thresholdVoltsPositive: 0.9,
    thresholdVoltsNegative: 0.9,
    nominalVoltsPositive: 1.2,
    nominalVoltsNegative: 1.2,
    nominalPulseWidthSeconds: 100e-9,
    maxProgramVoltsPositive: 1.6,
    maxProgramVoltsNegative: 1.6,
    minPulseWidthSeconds: 10e-9,
    maxPulseWidthSeconds: 10e-6,
    maxReadVolts: 0.3,
    endurancePulses: 1e9,
  },
  peripherals: { readVolts: 0.2 },
}, "1S1R", NEUROSIM_NL, "1S1R: a selector in series, K = 10, NeuroSim's default cross-point nonlinearity NL (the current ratio between Vw and Vw/2; Chen, Peng & Yu 2018); published selectors span about 10–10⁴");

/**
 * The NeuroSim V3 default synaptic device (Chen, Peng & Yu, "NeuroSim: A circuit-level macro model
 * for benchmarking neuro-inspired architectures", IEEE TCAD 2018; V3 defaults): 0.476–10 µS,
 * ±2 V, 80 ns pulses, 31 levels, nonlinear (NL 1.75 / −1.46) potentiation/depression.
 */
const neurosim: DevicePreset = withEnergy({
  name: "neurosim",
  source: "NeuroSim V3 default device (Chen, Peng & Yu, IEEE TCAD 2018): 0.476–10 µS, ±2 V, 80 ns, 31 levels",
  device: {
    ...BASE,
    model: "expStep",
    gMinSiemens: 0.476e-6,
    gMaxSiemens: 10e-6,
    stepSiemens: (10e-6 - 0.476e-6) / 30,
    gammaUp: 1.75,
    gammaDown: 1.46,
    writeNoiseC2c: 0.035,
    readNoise: 0.01,
    thresholdVoltsPositive: 1.2,
    thresholdVoltsNegative: 1.2,
    nominalVoltsPositive: 2.0,
    nominalVoltsNegative: 2.0,
    nominalPulseWidthSeconds: 80e-9,
    maxProgramVoltsPositive: 2.0,
    maxProgramVoltsNegative: 2.0,
    minPulseWidthSeconds: 10e-9,
    maxPulseWidthSeconds: 10e-6,
    maxReadVolts: 0.5,
  },
  peripherals: { readVolts: 0.1 },
}, "1T1R", 2, "1T1R: NeuroSim's default array is the pseudo-crossbar (cmosAccess = true: one transistor per cell, 4F×4F)");

/**
 * Ag:a-Si after Jo et al. 2010, "Nanoscale memristor device as synapse in neuromorphic systems",
 * Nano Lett. 10:1297 (the Ag:a-Si entry of NeuroSim): 3.08–38.5 nS, +3.2/−2.8 V, 300 µs pulses,
 * about 97 levels, strongly nonlinear (NL 2.4 / −4.88).
 */
const agsi: DevicePreset = withEnergy({
  name: "agsi",
  source: "Ag:a-Si, Jo et al. 2010, Nano Lett. 10:1297 (NeuroSim entry): 3.08–38.5 nS, +3.2/−2.8 V, 300 µs, ≈97 levels",
  device: {
    ...BASE,
    model: "expStep",
    gMinSiemens: 3.08e-9,
    gMaxSiemens: 38.5e-9,
    stepSiemens: (38.5e-9 - 3.08e-9) / 96,
    upDownAsymmetry: 0.05,
    gammaUp: 2.4,
    gammaDown: 4.88,
    writeNoiseC2c: 0.05,
    readNoise: 0.01,
    thresholdVoltsPositive: 2.0,
    thresholdVoltsNegative: 1.8,
    nominalVoltsPositive: 3.2,
    nominalVoltsNegative: 2.8,
    nominalPulseWidthSeconds: 300e-6,
    maxProgramVoltsPositive: 3.2,
    maxProgramVoltsNegative: 2.8,
    minPulseWidthSeconds: 1e-6,
    maxPulseWidthSeconds: 10e-3,
    maxReadVolts: 1.0,
    complianceAmperes: 1e-5,
  },
  peripherals: { readVolts: 1.0, settlingSeconds: 10e-6, pulseGapSeconds: 10e-6 },
}, "passive", NEUROSIM_NL, "passive cross-point, the device's own I–V: K = 10, NeuroSim's NL for this device in a cross-point array (Chen, Peng & Yu 2018)");

/**
 * TaOx/HfOx 1T1R after Yao et al. 2020, "Fully hardware-implemented memristor convolutional neural
 * network", Nature 577:641: 32 conductance levels, 50 ns programming pulses.
 */
const taox: DevicePreset = withEnergy({
  name: "taox",
  source: "TaOx/HfOx, Yao et al. 2020, Nature 577:641: 32 levels, 50 ns pulses",
  device: {
    ...BASE,
    model: "linearStep",
    gMinSiemens: 2e-6,
    gMaxSiemens: 20e-6,
    stepSiemens: (20e-6 - 2e-6) / 31,
    upDownAsymmetry: 0.1,
    stepSpreadD2d: 0.1,
    boundsSpreadD2d: 0.03,
    writeNoiseC2c: 0.1,
    readNoise: 0.02,
    thresholdVoltsPositive: 1.1,
    thresholdVoltsNegative: 1.2,
    nominalVoltsPositive: 1.5,
    nominalVoltsNegative: 1.6,
    nominalPulseWidthSeconds: 50e-9,
    maxProgramVoltsPositive: 2.0,
    maxProgramVoltsNegative: 2.2,
    minPulseWidthSeconds: 10e-9,
    maxPulseWidthSeconds: 1e-6,
    maxReadVolts: 0.3,
  },
  peripherals: { readVolts: 0.2 },
}, "1T1R", 2, "1T1R: one transistor per cell, rows gated by word lines (Yao et al. 2020, Nature 577:641)");

/**
 * Al2O3/TiO2−x after Prezioso et al. 2015, "Training and operation of an integrated neuromorphic
 * network based on metal-oxide memristors", Nature 521:61: 10–100 µS, ±1.3 V, V/2 half-select.
 */
const prezioso: DevicePreset = withEnergy({
  name: "prezioso",
  source: "Al2O3/TiO2−x, Prezioso et al. 2015, Nature 521:61: 10–100 µS, ±1.3 V",
  device: {
    ...BASE,
    model: "softBounds",
    gMinSiemens: 10e-6,
    gMaxSiemens: 100e-6,
    stepSiemens: (100e-6 - 10e-6) / 100,
    upDownAsymmetry: 0.15,
    stepSpreadD2d: 0.3,
    boundsSpreadD2d: 0.05,
    writeNoiseC2c: 0.1,
    readNoise: 0.005,
    amplitudeExponent: 2,
    thresholdVoltsPositive: 0.8,
    thresholdVoltsNegative: 0.8,
    nominalVoltsPositive: 1.2,
    nominalVoltsNegative: 1.2,
    nominalPulseWidthSeconds: 500e-6,
    maxProgramVoltsPositive: 1.3,
    maxProgramVoltsNegative: 1.3,
    minPulseWidthSeconds: 1e-6,
    maxPulseWidthSeconds: 10e-3,
    maxReadVolts: 0.3,
    complianceAmperes: 1e-3,
  },
  peripherals: { readVolts: 0.2, settlingSeconds: 1e-6, pulseGapSeconds: 1e-6 },
}, "passive", 2, "passive cross-point without selector (Prezioso et al. 2015); taken as Ohmic, K = 2: no half-select nonlinearity is credited (an upper bound on half-select energy)");

/** Ideal devices and ideal periphery: the known-answer reference for tests (not a physical device). */
const ideal: DevicePreset = {
  name: "ideal",
  source: "none: ideal linear device with exact converters, for known-answer tests",
  device: {
    ...BASE,
    model: "ideal",
    gMinSiemens: 1e-6,
    gMaxSiemens: 100e-6,
    stepSiemens: 1e-7,
  },
  peripherals: { ...IDEAL_PERIPHERALS },
  array: {},
  energyTable: [],
};

export const PRESETS: Readonly<Record<string, DevicePreset>> = Object.freeze(
  Object.fromEntries([reram, neurosim, agsi, taox, prezioso, ideal].map((p) => [p.name, p])),
);

export const DEFAULT_PRESET = "reram";

/** The five physical presets (ideal is for tests). */
export const PHYSICAL_PRESETS = ["reram", "neurosim", "agsi", "taox", "prezioso"] as const;

for (const p of Object.values(PRESETS)) validateDeviceParams(p.device, `presets.${p.name}.device.`);

export function presetNamed(name: string): DevicePreset | undefined {
  return Object.prototype.hasOwnProperty.call(PRESETS, name) ? PRESETS[name] : undefined;
}
