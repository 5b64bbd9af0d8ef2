// The twin's periphery and array from the periphery measurement (procedures/periphery.ts), by inverting the
// simulator's accounting (sim/crossbar/simulated-crossbar.ts, line-pulse.ts, line-drive.ts):
// - a whole-array read drives `rows` lines one after another for t each and senses rows·cols outputs:
//   t = duration/rows, DAC = dac/rows, ADC = adc/(rows·cols), TIA = tia/(rows·cols), leakage = leakage/((rows+cols)·duration),
//   cell energy V²·ΣG·t gives the read voltage, line charging rows·cols·C·V² the line capacitance, word lines rows·cols·C_g·V_wl²;
// - a single-cell V/2 pulse: duration = w + gap; no half-selected energy but word-line energy is a 1T1R array;
//   otherwise each half-selected cell draws (2/K)·(V/2)²·G·w, so K = 2·w·(V/2)²·ΣG_half / E_half.
// A backend that does not split its peripheral joules by component has them all booked as the ADC (noted).
import type { DeviceIdentity } from "../src/hal/crossbar.js";
import type { ArrayParams } from "../sim/crossbar/array-params.js";
import type { PeripheralParams } from "../sim/crossbar/peripherals.js";
import type { PeripheryResult } from "./procedures/periphery.js";

/** The periphery a twin takes from the measurement (the rest, converters' bits and pulse count, from the identity). */
export type MeasuredPeripherals = Pick<PeripheralParams, "settlingSeconds" | "readVolts" | "dacJoulesPerConversion" | "adcJoulesPerConversion" | "tiaJoulesPerSense" | "leakageWattsPerLine" | "pulseGapSeconds" | "readBandwidthHertz">;
export type MeasuredArray = Pick<ArrayParams, "access" | "halfSelectNonlinearity" | "lineCapacitanceFaradsPerCell" | "gateCapacitanceFaradsPerCell" | "wordLineVolts">;

export interface PeripheryFit {
  peripherals: MeasuredPeripherals;
  array: MeasuredArray;
  notes: string[];
}

export function fitPeriphery(m: PeripheryResult, id: Pick<DeviceIdentity, "rows" | "cols" | "limits">): PeripheryFit {
  const { rows, cols } = id;
  const notes: string[] = [];
  const read = m.read, pulse = m.pulse;
  const c = read.energy.components ?? {};
  const sensed = rows * cols;
  const t = read.durationSeconds / rows;
  const cellRead = c.cellRead ?? read.energy.cell;
  const readVolts = Math.min(id.limits.maxReadVolts, Math.sqrt(cellRead / Math.max(1e-300, read.sumSiemens * t)));
  let adc = (c.adc ?? 0) / sensed;
  if (!read.energy.components) {
    adc = read.energy.peripheral / sensed;
    notes.push("the backend does not split its peripheral energy by component: all of a read's is booked as the ADC");
  }
  const vMax = Math.max(id.limits.maxProgramVoltsPositive, id.limits.maxProgramVoltsNegative);
  const gatePerCell = (c.gateLines ?? 0) / sensed;
  const oneT = gatePerCell > 0 || (pulse.energy.halfSelected === 0 && pulse.halfSelectedSiemens > 0);
  const w = pulse.widthSeconds, vHalf = pulse.volts / 2;
  const k = !oneT && pulse.energy.halfSelected > 0 ? (2 * w * vHalf * vHalf * pulse.halfSelectedSiemens) / pulse.energy.halfSelected : 2;
  if (!oneT && !(pulse.energy.halfSelected > 0)) notes.push("no half-selected energy measured on a pulse: half-select taken as Ohmic (K = 2)");
  return {
    peripherals: {
      settlingSeconds: t,
      readVolts,
      dacJoulesPerConversion: (c.dac ?? 0) / rows,
      adcJoulesPerConversion: adc,
      tiaJoulesPerSense: (c.tia ?? 0) / sensed,
      leakageWattsPerLine: (c.leakage ?? 0) / ((rows + cols) * read.durationSeconds),
      pulseGapSeconds: Math.max(0, pulse.durationSeconds - w),
      // Johnson–Nyquist noise over an integration of t: Δf = 1/(2t), the energy table's rule. The amplifier's own
      // noise is not told apart from the measured read noise: it stays the simulator's (peripherals.ts).
      readBandwidthHertz: 1 / (2 * t),
    },
    array: {
      // A selector in series (1S1R) and a passive cell differ to the twin only by K: both are passive here.
      access: oneT ? "1T1R" : "passive",
      halfSelectNonlinearity: oneT ? 2 : Math.max(1, k),
      lineCapacitanceFaradsPerCell: (c.lineCharging ?? 0) / (sensed * readVolts * readVolts),
      gateCapacitanceFaradsPerCell: oneT ? gatePerCell / (vMax * vMax) : 0,
      wordLineVolts: oneT ? vMax : 0,
    },
    notes,
  };
}
