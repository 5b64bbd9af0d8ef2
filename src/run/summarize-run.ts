// The end-of-run summary of one training run: accuracy, the energy split, the bits bracket and per-bit figures.
import type { EnergyLedger } from "../energy/ledger.js";
import type { HostEnergyMeter } from "../energy/host-power.js";
import type { EpochResult, TrainingSession } from "../train/session.js";
import { bitsBracket, type BracketInput, type LabelMode } from "../info/bracket.js";
import { confusionTable } from "../info/mutual-information.js";
import { codeLengthBits } from "../info/prequential.js";
import { perBitFigures, type TrainingSummary } from "./summary.js";
import type { TrainConfig } from "../train/config.js";

export interface SummaryInputs {
  config: TrainConfig;
  deviceUri: string;
  /** Device joules spent after their checkpoints by killed or aborted attempts that resumes replaced. */
  interruptedJoules: number;
  /** Device joules resumes spent putting their checkpoints back on the device. */
  restoreJoules: number;
  runDir: string;
  session: TrainingSession;
  ledger: EnergyLedger;
  hostMeter: HostEnergyMeter;
  epochs: EpochResult[];
  train: Awaited<ReturnType<TrainingSession["evaluate"]>>;
  test: Awaited<ReturnType<TrainingSession["evaluate"]>> | null;
  wallSeconds: number;
}

export function summarizeRun(s: SummaryInputs): TrainingSummary {
  const { config } = s;
  const dataset = s.session.dataset;
  const n = dataset.trainY.length;
  const C = dataset.numClasses;
  const errorsOf = (e: { predictions: Int32Array; labels: Int32Array }) => {
    let errors = 0;
    for (let i = 0; i < e.predictions.length; i++) if (e.predictions[i] !== e.labels[i]) errors++;
    return { errors, trials: e.predictions.length };
  };
  const devices = s.session.deviceCount();
  // Ideal float64 weights: at most 2^64 values each; a crossbar store says what its preset can tell apart.
  const levels = s.session.levelsPerDevice() ?? (config.weights === "ideal" ? 2 ** 64 : null);
  const bitsInput: BracketInput = {
    labelMode: dataset.labelMode.kind as LabelMode,
    n,
    C,
    trainError: errorsOf(s.train),
    testError: s.test ? errorsOf(s.test) : null,
    confusion: confusionTable(s.train.labels, s.train.predictions, C),
    // The first pass codes each label before the model trained on it: the online code.
    prequentialBits: s.epochs[0]?.prequentialBits ?? null,
    finalCodeBits: codeLengthBits(s.train.log2ProbTrue),
    trainAcc: s.train.accuracy,
    testAcc: s.test?.accuracy ?? null,
    N: devices,
    L: levels,
    // The digital float64 biases are part of θ too (one per unit after the input layer).
    biases: { count: s.session.sizes.slice(1).reduce((a, k) => a + k, 0), bitsEach: 64 },
  };
  const bracket = bitsBracket(bitsInput);
  const energy = s.ledger.summary();
  const host = s.hostMeter.reading();
  return {
    run_dir: s.runDir,
    status: "success",
    accuracy: { train: s.train.accuracy, test: s.test?.accuracy ?? null },
    energy_joules: {
      total: energy.total_joules,
      learning: energy.learning_joules,
      overhead: energy.overhead_joules,
      groups: energy.groups,
      by_activity: energy.by_activity_joules,
      by_physical_component: energy.by_physical_component_joules,
      by_component: energy.by_component_joules,
      by_component_learning: energy.by_component_learning_joules,
      board_power: energy.board_power_joules,
      host_cpu: host.joules,
      host_cpu_unavailable_reason: host.unavailableReason,
      in_total: energy.in_total,
      interrupted: s.interruptedJoules,
      restore: s.restoreJoules,
    },
    bits_learned: bracket,
    bits_input: bitsInput,
    ...perBitFigures(bracket, energy.learning_joules, config.temperatureKelvin),
    temperature_kelvin: config.temperatureKelvin,
    n,
    classes: C,
    network: s.session.sizes.join("-"),
    label_mode: config.labels,
    devices,
    levels_per_device: levels,
    updates: s.epochs.reduce((a, e) => a + e.updates, 0),
    pulses: s.epochs.reduce((a, e) => a + e.pulses, 0),
    weight_path_l1: s.epochs.reduce((a, e) => a + e.weightPathL1, 0),
    epochs: s.epochs.length,
    seed: config.seed,
    device_uri: s.deviceUri,
    weights: config.weights,
    dataset: dataset.description,
    wall_seconds: s.wallSeconds,
    ...updatePulseFigures(s.session),
  };
}

function updatePulseFigures(session: TrainingSession): Pick<TrainingSummary, "update_pulse"> {
  const { pulse, tradeOff } = session.updatePulse;
  if (!pulse) return {};
  return { update_pulse: { volts: pulse.volts, width_seconds: pulse.widthSeconds, joules_per_siemens: tradeOff?.minimum?.joulesPerSiemens ?? null, shapes_measured: tradeOff?.points.length ?? null } };
}
