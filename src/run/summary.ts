// The end-of-run summary: the object `mhil train --json` prints and summary.json holds.
import type { BitsBracket, BitsEnd, BoundResult, BracketInput } from "../info/bracket.js";
import { landauerJoulesPerBit } from "../energy/landauer.js";
import type { Joules } from "../hal/units.js";
import type { ExitStatus } from "./records.js";

/** A per-bit figure at one end of the bits bracket, naming the bound it divided by. */
export interface PerBitFigure {
  /** null when the bits at that end are 0 (no finite figure). */
  value: number | null;
  /** The bits it divided by. */
  bits: number;
  bound_method: string;
}

export interface TrainingSummary {
  run_dir: string;
  status: ExitStatus;
  accuracy: { train: number; test: number | null };
  energy_joules: {
    /** Device total: learning + overhead (one full cycle). */
    total: Joules;
    /** E_learn: relaxation reads, update pulses, verify reads, refresh. Joules per bit and × Landauer use it. */
    learning: Joules;
    /** Reset, initialisation and characterisation: in the total, not in E_learn. */
    overhead: Joules;
    /** Which activities make up each group. */
    groups: Record<"learning" | "overhead", readonly string[]>;
    by_activity: Record<string, Joules>;
    by_physical_component: Record<string, Joules>;
    /** Where the total went in hardware: device SET/RESET/read, half-selected cells, ADC, DAC, TIA, lines, gates, leakage. */
    by_component: Record<string, Joules>;
    /** The same split of E_learn alone. */
    by_component_learning: Record<string, Joules>;
    /** Whole-board power monitor, when the backend has one (overlaps the total; not added). */
    board_power: Joules | null;
    /** Host CPU (RAPL), when readable; beside the total, not in it. */
    host_cpu: Joules | null;
    host_cpu_unavailable_reason: string | null;
    in_total: string[];
    /**
     * Spent after their last checkpoint by attempts that were killed or aborted and then resumed (up to each
     * one's last journaled batch): real joules whose work was redone, so beside the total, not in it.
     */
    interrupted: Joules;
    /** What resumes spent putting their checkpoints back on the device: beside the total, not in it. */
    restore: Joules;
  };
  bits_learned: { lower: BitsEnd; estimate: BitsEnd | null; upper: BitsEnd; all: BoundResult[]; notes: string[] };
  /** What the bracket was computed from (error counts, confusion table, code lengths), so draws can be pooled. */
  bits_input: BracketInput;
  /**
   * lower_end: energy ÷ the bracket's lower end in bits (the larger, conservative J/bit);
   * upper_end: energy ÷ the bracket's upper end (the smaller J/bit). Energy = E_learn (energy_joules.learning).
   */
  joules_per_bit: { lower_end: PerBitFigure; upper_end: PerBitFigure };
  /** R = E / (k_B·T·ln 2 · I) at each end of the bracket. */
  landauer_multiple: { lower_end: PerBitFigure; upper_end: PerBitFigure };
  temperature_kelvin: number;
  n: number;
  classes: number;
  /** The network trained, layer sizes from inputs to outputs (e.g. "49-10"), after any sizing to the device. */
  network: string;
  label_mode: string;
  /** Devices (weights) on the store: N of the N·log2 L bound. */
  devices: number;
  levels_per_device: number | null;
  updates: number;
  pulses: number;
  weight_path_l1: number;
  epochs: number;
  seed: number;
  device_uri: string;
  weights: string;
  dataset: string;
  wall_seconds: number;
  /** With `crossbar.pulse: minimum-energy`: the update pulse used and, on a fresh run, the trade-off measured. */
  update_pulse?: { volts: number; width_seconds: number; joules_per_siemens: number | null; shapes_measured: number | null };
}

/** J/bit and the Landauer multiple at both ends of the bracket. */
export function perBitFigures(
  bracket: BitsBracket,
  energyJoules: Joules,
  temperatureKelvin: number,
): Pick<TrainingSummary, "joules_per_bit" | "landauer_multiple"> {
  const floor = landauerJoulesPerBit(temperatureKelvin);
  const at = (end: BitsEnd, scale: number): PerBitFigure => ({
    value: end.bits > 0 ? energyJoules / end.bits / scale : null,
    bits: end.bits,
    bound_method: end.method,
  });
  return {
    joules_per_bit: { lower_end: at(bracket.lower, 1), upper_end: at(bracket.upper, 1) },
    landauer_multiple: { lower_end: at(bracket.lower, floor), upper_end: at(bracket.upper, floor) },
  };
}
