// Each preset's energy table: the periphery and wire costs, each derived from a published figure or a stated
// assumption, with the source beside the number (shown by `mhil devices --json` and the report).
import type { ArrayParams } from "./array-params.js";
import type { PeripheralParams } from "./peripherals.js";

/** One row of an energy table: a quantity, its value in SI units, and where it comes from. */
export interface EnergyTableRow {
  quantity: string;
  /** A number in `unit`, or a name (the access device). */
  value: number | string;
  unit: string;
  source: string;
}

/**
 * Walden figure of merit P/(2^ENOB·f_s), joules per conversion step: the median of the 74 Nyquist ADCs in
 * B. Murmann, "ADC Performance Survey 1997–2025" (ISSCC and VLSI Symposium data, github.com/bmurmann/ADC-survey,
 * xls/ADCsurvey_latest.xlsx, column FOMW_hf) published 2010–2025 with SNDR 55–75 dB at 1 MS/s–1 GS/s:
 * 21 fJ/conversion-step (quartiles ≈ 6 and 50 fJ; the best below 2 fJ). Walden 1999, IEEE JSAC 17:539, defines it.
 */
export const ADC_WALDEN_JOULES_PER_STEP = 21e-15;
const ADC_SOURCE = "Walden FoM 21 fJ/conv-step: median of 74 Nyquist ADCs, SNDR 55–75 dB, 1 MS/s–1 GS/s, ISSCC+VLSI 2010–2025 (Murmann, ADC Performance Survey 1997–2025); ENOB = bits − 1 (assumed)";

/** Median sampling capacitance of the same 74 designs (30 report it): 1.35 pF (Murmann survey, column Csamp). */
export const ADC_SAMPLING_FARADS = 1.35e-12;

/**
 * Transconductance efficiency of the amplifier's input pair, gm/I_D in S/A: 15, moderate inversion
 * (Jespers & Murmann 2017, "Systematic Design of Analog CMOS Circuits", Cambridge UP, ch. 2: 5–25 S/A
 * from strong to weak inversion).
 */
export const TIA_GM_OVER_ID = 15;

/** Supply of converters and amplifiers, volts: 1.0 V, NeuroSim's vdd for its 45 nm node (DNN+NeuroSim technology table). */
export const SUPPLY_VOLTS = 1.0;

/**
 * Wire capacitance per length, F/m: 0.2 fF/µm, NeuroSim's unitLengthWireCap (DNN+NeuroSim, Bus/HTree) and the
 * classic ≈2 pF/cm of on-chip wires (Ho, Mai & Horowitz 2001, "The future of wires", Proc. IEEE 89:490).
 */
export const WIRE_FARADS_PER_METRE = 0.2e-15 / 1e-6;

/**
 * Wires at NeuroSim's 45 nm node (DNN+NeuroSim technology table): width (= its feature size F) 80 nm, aspect
 * ratio 1.7, resistivity 3.31e-8 Ω·m (copper with size effects).
 */
export const WIRE_45NM = { widthMetres: 80e-9, aspectRatio: 1.7, ohmMetres: 3.31e-8 } as const;

/** Cell pitch in feature sizes: 2F for a cross-point cell, 4F for 1T1R (NeuroSim's cell dimensions). */
export const CELL_PITCH_F = { crossPoint: 2, oneTransistor: 4 } as const;

/**
 * Gate capacitance of one access transistor, farads: ≈0.2 fF, C_ox·W·L for a 45 nm device (C_ox ≈ 1.5e-2 F/m²,
 * i.e. ≈2.3 nm SiO2-equivalent oxide; W = 4F = 320 nm, L = 45 nm). Assumed, order of magnitude.
 */
export const ACCESS_GATE_FARADS = 0.2e-15;

/**
 * Unit capacitor of the binary-weighted charge-redistribution DAC, farads: 1 fF (assumed: near the matching
 * limit for 8 bits). One conversion charges its 2^bits unit capacitors to full scale, ≈2^bits·C_u·V² (the
 * order of the switching energy analysed by Saberi et al. 2011, IEEE TCAS-I 58:1736).
 */
export const DAC_UNIT_FARADS = 1e-15;

/**
 * Leakage of one line's driver and amplifier, watts: 1 nW = V_DD·I_off·W with a low-standby-power off current of
 * ≈1 nA/µm and 1 µm of off devices per line (assumed, order of magnitude).
 */
export const LEAKAGE_WATTS_PER_LINE = 1e-9;

export interface EnergyTableInputs {
  access: ArrayParams["access"];
  halfSelectNonlinearity: number;
  halfSelectSource: string;
  /** Cell pitch in metres (2F or 4F at the wire width). */
  pitchMetres: number;
  pitchSource: string;
  dacBits: number;
  adcBits: number;
  /** The DAC's full scale: the largest voltage it drives (the programming voltage). */
  dacFullScaleVolts: number;
  settlingSeconds: number;
  wordLineVolts?: number;
  wordLineSource?: string;
}

/** Walden energy of one conversion at ENOB = bits − 1. */
export const adcJoules = (bits: number): number => ADC_WALDEN_JOULES_PER_STEP * 2 ** (bits - 1);

/**
 * A TIA settling its load (line plus the ADC's sampling capacitor) to bits + 1 time constants (error below half
 * an LSB) within the integration time t needs gm = (bits+1)·ln2·C/t; its bias gm/(gm/I_D) from the supply for t
 * costs V_DD·(bits+1)·ln2·C/(gm/I_D), whatever t is.
 */
export const tiaJoules = (bits: number, loadFarads: number): number => (SUPPLY_VOLTS * (bits + 1) * Math.LN2 * loadFarads) / TIA_GM_OVER_ID;

export const dacJoules = (bits: number, fullScaleVolts: number): number => 2 ** bits * DAC_UNIT_FARADS * fullScaleVolts * fullScaleVolts;

/** Wire resistance of one cell pitch, ohms: ρ·pitch/(width·width·aspect ratio). */
export const wireOhmsPerCell = (pitchMetres: number): number =>
  (WIRE_45NM.ohmMetres * pitchMetres) / (WIRE_45NM.widthMetres * WIRE_45NM.widthMetres * WIRE_45NM.aspectRatio);

export interface EnergyTable {
  peripherals: Partial<PeripheralParams>;
  array: Partial<ArrayParams>;
  rows: EnergyTableRow[];
}

/** The periphery and array parameters of a preset, and the table that says where each comes from. */
export function energyTable(i: EnergyTableInputs): EnergyTable {
  const lineFarads = WIRE_FARADS_PER_METRE * i.pitchMetres;
  const oneT = i.access === "1T1R";
  const gateFarads = oneT ? lineFarads + ACCESS_GATE_FARADS : 0;
  const ohms = wireOhmsPerCell(i.pitchMetres);
  const adc = adcJoules(i.adcBits);
  const dac = dacJoules(i.dacBits, i.dacFullScaleVolts);
  const tia = tiaJoules(i.adcBits, ADC_SAMPLING_FARADS);
  const bandwidth = 1 / (2 * i.settlingSeconds);
  const rows: EnergyTableRow[] = [
    { quantity: "access device", value: i.access, unit: "", source: i.halfSelectSource },
    ...(oneT ? [] : [{ quantity: "half-select nonlinearity K = I(V)/I(V/2)", value: i.halfSelectNonlinearity, unit: "1", source: i.halfSelectSource }]),
    { quantity: "ADC energy per conversion", value: adc, unit: "J", source: `${i.adcBits} bits; ${ADC_SOURCE}` },
    { quantity: "DAC energy per conversion", value: dac, unit: "J", source: `2^${i.dacBits}·C_u·V², C_u = 1 fF (assumed; Saberi et al. 2011, IEEE TCAS-I 58:1736), V = ${i.dacFullScaleVolts} V full scale` },
    { quantity: "TIA energy per sensed line", value: tia, unit: "J", source: `V_DD·(bits+1)·ln2·C/(gm/I_D): V_DD 1.0 V (NeuroSim 45 nm), C = 1.35 pF ADC sampling capacitor (Murmann survey median), gm/I_D 15 S/A (Jespers & Murmann 2017)` },
    { quantity: "line capacitance per cell", value: lineFarads, unit: "F", source: `0.2 fF/µm (NeuroSim unitLengthWireCap; Ho, Mai & Horowitz 2001) × pitch ${+(i.pitchMetres * 1e9).toFixed(0)} nm (${i.pitchSource})` },
    ...(oneT
      ? [
          { quantity: "word-line capacitance per cell", value: gateFarads, unit: "F", source: "wire per pitch + access-transistor gate ≈0.2 fF (C_ox·W·L at 45 nm, assumed)" },
          { quantity: "word-line voltage", value: i.wordLineVolts ?? 0, unit: "V", source: i.wordLineSource ?? "" },
        ]
      : []),
    { quantity: "leakage per line", value: LEAKAGE_WATTS_PER_LINE, unit: "W", source: "V_DD·I_off·W: 1 nA/µm low-standby-power off current × 1 µm per line (assumed, order of magnitude)" },
    { quantity: "read noise bandwidth Δf", value: bandwidth, unit: "Hz", source: "1/(2t) for an integration over the settling time t (Johnson–Nyquist variance 4·k_B·T·G·Δf)" },
    { quantity: "line resistance per cell (IR drop, when on)", value: ohms, unit: "Ω", source: "ρ·pitch/(w²·AR): NeuroSim 45 nm wires (w 80 nm, AR 1.7, ρ 3.31e-8 Ω·m)" },
  ];
  return {
    peripherals: { adcJoulesPerConversion: adc, dacJoulesPerConversion: dac, tiaJoulesPerSense: tia, leakageWattsPerLine: LEAKAGE_WATTS_PER_LINE, readBandwidthHertz: bandwidth },
    array: {
      access: i.access,
      halfSelectNonlinearity: oneT ? 2 : i.halfSelectNonlinearity,
      lineCapacitanceFaradsPerCell: lineFarads,
      gateCapacitanceFaradsPerCell: gateFarads,
      wordLineVolts: oneT ? i.wordLineVolts ?? 0 : 0,
      lineResistanceOhmsPerCell: ohms,
      irDrop: false,
    },
    rows,
  };
}
