// The summary of one associative-memory run: what `mhil recall --json` prints and a sweep point's summary.json
// holds. Besides the memory's own figures it carries the fields the E-vs-I analysis reads from a training run
// (bits_learned with its ends, energy_joules.learning, updates, weight_path_l1, devices), so a recall sweep
// feeds the same analysis and report.
import { landauerJoulesPerBit } from "../energy/landauer.js";
import type { EnergyLedger } from "../energy/ledger.js";
import { recallBits, type RecallBits } from "../info/recall-bits.js";
import type { MemoryOutcome } from "../train/memory/associative-memory.js";
import type { MemoryConfig } from "../train/memory/memory-config.js";
import type { PulseEnergyResult } from "../train/pulse-energy.js";

export interface RecallSummary {
  kind: "recall";
  status: "success";
  weights: MemoryConfig["weights"];
  device_uri: string | null;
  rule: MemoryConfig["rule"];
  units: number;
  patterns: number;
  /** P/N. */
  load: number;
  corrupt: number;
  seed: number;
  /** Mean final overlap over the patterns, each recalled from its own corrupted cue. */
  overlap: number;
  overlaps: { min: number; max: number; fraction_below_half: number; per_pattern: number[] };
  bit_error_rate: { value: number; lower: number; upper: number; confidence: number };
  /** I = P·N·(1 − h2(ε)) with the bracket from ε's Clopper–Pearson limits; weights_lower: beyond the cue. */
  bits_stored: { lower: number; estimate: number; upper: number; weights_lower: number; confidence: number; method: string };
  energy_joules: {
    /** E_learn: storing (pulses, and the reads the rule needs); what joules per bit divide. */
    learning: number;
    /** The recalls' reads, after storing. */
    recall: number;
    /** Characterising the array and writing W = 0 (crossbar), grounding the lines. */
    overhead: number;
    total: number;
    by_activity: Record<string, number>;
    by_physical_component: Record<string, number>;
    host_cpu: number | null;
    host_cpu_unavailable_reason: string | null;
  };
  /** E_learn per stored bit at each end of the bracket (null at 0 bits). */
  joules_per_bit: { lower_end: number | null; estimate: number | null; upper_end: number | null };
  landauer_multiple: { lower_end: number | null; estimate: number | null; upper_end: number | null };
  energy_per_pattern_joules: number;
  storage: { updates: number; pulses: number; weight_path_l1: number; epochs: number; converged: boolean };
  /** The update pulse; with `minimum-energy`, the measured trade-off it was chosen from. */
  pulse: { choice: MemoryConfig["pulse"]; volts: number | null; width_seconds: number | null; trade_off: PulseEnergyResult | null };
  devices: number;
  levels_per_device: number | null;
  temperature_kelvin: number;
  wall_seconds: number;
  // The analysis's view (src/experiment/run-dir.ts): n = P, the bits bracket, the competitors.
  n: number;
  classes: number;
  label_mode: string;
  updates: number;
  weight_path_l1: number;
  bits_learned: {
    lower: { bits: number; method: string; bound: string; confidence: number };
    estimate: { bits: number; method: string };
    upper: { bits: number; method: string; bound: string; confidence: number };
  };
  accuracy: { train: number; test: null };
}

export interface RecallSummaryInputs {
  config: MemoryConfig;
  deviceUri: string | null;
  outcome: MemoryOutcome;
  ledger: EnergyLedger;
  host: { joules: number | null; unavailableReason: string | null };
  wallSeconds: number;
}

export function summarizeRecall(s: RecallSummaryInputs): RecallSummary {
  const { config: c, outcome: o } = s;
  const overlaps = o.scores.map((r) => r.overlap);
  const bitErrors = o.scores.reduce((a, r) => a + r.bitErrors, 0);
  const bits: RecallBits = recallBits({ patterns: c.patterns, units: c.units, bitErrors, cueFlips: o.cueFlips });
  const e = s.ledger.summary();
  const learning = o.storageJoules;
  const floor = landauerJoulesPerBit(c.temperatureKelvin);
  const per = (b: number, scale: number) => (b > 0 ? learning / b / scale : null);
  const overlap = mean(overlaps);
  return {
    kind: "recall",
    status: "success",
    weights: c.weights,
    device_uri: s.deviceUri,
    rule: c.rule,
    units: c.units,
    patterns: c.patterns,
    load: c.patterns / c.units,
    corrupt: c.corrupt,
    seed: c.seed,
    overlap,
    overlaps: { min: Math.min(...overlaps), max: Math.max(...overlaps), fraction_below_half: overlaps.filter((m) => m < 0.5).length / overlaps.length, per_pattern: overlaps },
    bit_error_rate: { value: bits.epsilon, lower: bits.epsilonLower, upper: bits.epsilonUpper, confidence: bits.confidence },
    bits_stored: { lower: bits.lower, estimate: bits.estimate, upper: bits.upper, weights_lower: bits.weightsLower, confidence: bits.confidence, method: bits.method },
    energy_joules: {
      learning,
      recall: o.recallJoules,
      overhead: e.overhead_joules,
      total: e.total_joules,
      by_activity: e.by_activity_joules,
      by_physical_component: e.by_physical_component_joules,
      host_cpu: s.host.joules,
      host_cpu_unavailable_reason: s.host.unavailableReason,
    },
    joules_per_bit: { lower_end: per(bits.lower, 1), estimate: per(bits.estimate, 1), upper_end: per(bits.upper, 1) },
    landauer_multiple: { lower_end: per(bits.lower, floor), estimate: per(bits.estimate, floor), upper_end: per(bits.upper, floor) },
    energy_per_pattern_joules: learning / c.patterns,
    storage: { updates: o.storage.updates, pulses: o.storage.pulses, weight_path_l1: o.storage.weightPathL1, epochs: o.storage.epochs, converged: o.storage.converged },
    pulse: {
      choice: c.pulse,
      volts: o.pulseEnergy?.minimum?.volts ?? c.crossbar.setVolts,
      width_seconds: o.pulseEnergy?.minimum?.widthSeconds ?? c.crossbar.pulseWidthSeconds,
      trade_off: o.pulseEnergy,
    },
    devices: o.devices,
    levels_per_device: o.levelsPerDevice,
    temperature_kelvin: c.temperatureKelvin,
    wall_seconds: s.wallSeconds,
    n: c.patterns,
    classes: 2,
    label_mode: "random",
    updates: o.storage.updates,
    weight_path_l1: o.storage.weightPathL1,
    bits_learned: {
      lower: { bits: bits.lower, method: `recall_bsc, ε ≤ ${bits.epsilonUpper.toPrecision(3)}`, bound: "recall_bsc", confidence: (1 + bits.confidence) / 2 },
      estimate: { bits: bits.estimate, method: `recall_bsc, ε = ${bits.epsilon.toPrecision(3)}` },
      upper: { bits: bits.upper, method: `recall_bsc, ε ≥ ${bits.epsilonLower.toPrecision(3)}`, bound: "recall_bsc", confidence: (1 + bits.confidence) / 2 },
    },
    // The fraction of units recalled right plays the part of training accuracy in the report.
    accuracy: { train: 1 - bits.epsilon, test: null },
  };
}

function mean(a: number[]): number {
  return a.reduce((s, v) => s + v, 0) / a.length;
}
