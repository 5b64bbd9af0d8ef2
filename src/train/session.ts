// A training session: EqProp epochs over a dataset on one weight store (ideal floats or a crossbar).
import type { Crossbar } from "../hal/crossbar.js";
import type { EnergyLedger } from "../energy/ledger.js";
import type { Rng } from "../random/rng.js";
import type { TrainConfig } from "./config.js";
import type { Dataset } from "./datasets.js";

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  /** Running mean over this epoch's batches so far: ½‖ρ(o) − onehot(y)‖² at the free fixed point. */
  loss: number;
  /** Running fraction of this epoch's samples whose free-phase argmax was right. */
  accuracy: number;
}

export interface EpochResult {
  /** 1-based epoch number. */
  epoch: number;
  trainLoss: number;
  /** Running accuracy on the free phase, before each batch's update. */
  trainAccuracy: number;
  /** Weight updates applied (one per batch). */
  updates: number;
  /** Programming pulses applied (0 for the ideal store). */
  pulses: number;
  /** Σ‖Δθ‖₁ this epoch in weight units (weights and biases). */
  weightPathL1: number;
  /** Σ −log2 p(y|model before it trained on the sample), over this epoch's samples (online code length). */
  prequentialBits: number;
  /** True when shouldStop() cut the epoch short. */
  stopped: boolean;
}

export interface Evaluation {
  accuracy: number;
  loss: number;
  predictions: Int32Array;
  labels: Int32Array;
  /** log2 p(y_true|x) per sample, p = (1 − u)·softmax(gain·ρ(o)) + u/C. */
  log2ProbTrue: Float64Array;
}

export interface SessionOptions {
  config: TrainConfig;
  /** The device for `weights: "crossbar"`; null for `ideal`. */
  crossbar: Crossbar | null;
  ledger: EnergyLedger;
  rng: Rng;
}

export class TrainingSession {
  readonly dataset: Dataset;
  readonly config: TrainConfig;

  private constructor(config: TrainConfig, dataset: Dataset) {
    this.config = config;
    this.dataset = dataset;
  }

  static async create(options: SessionOptions): Promise<TrainingSession> {
    const { loadDataset } = await import("./datasets.js");
    const dataset = await loadDataset(options.config, options.rng);
    return new TrainingSession(options.config, dataset);
  }

  async runEpoch(_onBatch?: (p: BatchProgress) => void, _shouldStop?: () => boolean): Promise<EpochResult> {
    throw new Error("TrainingSession.runEpoch: not implemented yet");
  }

  async evaluate(_split: "train" | "test"): Promise<Evaluation> {
    throw new Error("TrainingSession.evaluate: not implemented yet");
  }

  /** N: weights on the store (biases excluded when kept digitally). */
  deviceCount(): number {
    throw new Error("not implemented yet");
  }

  /** L: distinguishable levels per device when known from the preset, else null. */
  levelsPerDevice(): number | null {
    return null;
  }

  async checkpoint(): Promise<object> {
    throw new Error("not implemented yet");
  }

  async restore(_cp: object): Promise<void> {
    throw new Error("not implemented yet");
  }
}
