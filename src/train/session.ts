// A training session: EqProp epochs over a dataset on one weight store (ideal floats or a crossbar).
//
// Layered Equilibrium Propagation after Scellier & Bengio 2017, as in the numpy reference
// (eqprop_numpy.py, the benches' anchor); the relaxation step itself is in relaxation.ts (the reference's
// s − ε·(s − ρ'(s)·drive) with ρ'(s) = 1 on [0, 1], where the states always are).
// Free phase T1 steps at β = 0 (from the sample's persistent particle or from zero), nudged phase T2
// steps at β from the free state; ΔW_l = (α_l/β)·(ρ(s_l)ρ(s_{l+1})ᵀ|nudged − ρ(s_l)ρ(s_{l+1})ᵀ|free)/B.
// Centred nudging (Laborieux et al. 2021): two nudged phases at +β and −β, ΔW from their difference / 2β.
// The input drive ρ(x)·W_0 does not change during a batch's relaxation, so it is computed once per batch.
// Biases are kept digitally (in the host) for both stores.
import type { Crossbar } from "../hal/crossbar.js";
import type { EnergyLedger } from "../energy/ledger.js";
import type { Rng, RngState } from "../random/rng.js";
import { layerRates, type TrainConfig } from "./config.js";
import { loadDataset, type Dataset } from "./datasets.js";
import { controlEpochLabels } from "./control-labels.js";
import { IdealStore } from "./ideal-store.js";
import { log2ProbabilityOfClass } from "./probability.js";
import { copyStates, Relaxation } from "./relaxation.js";
import { applyEqPropUpdate } from "./eqprop-update.js";
import type { RestoreReport } from "./reprogram-drifted.js";
import { decodeFloat64, encodeFloat64, type StoreCheckpoint, type WeightStore } from "./store.js";
import { chooseUpdatePulse, type ChosenPulse } from "./update-pulse.js";

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  /** Running mean over this epoch's samples so far: ½‖ρ(o) − onehot(y)‖² at the free fixed point. */
  loss: number;
  /** Running fraction of this epoch's samples whose free-phase argmax was right. */
  accuracy: number;
  /** Programming pulses this batch applied (0 on ideal weights). */
  pulses: number;
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
  /** Samples trained on this epoch. */
  samples: number;
  /** True when shouldStop() cut the epoch short. */
  stopped: boolean;
}

export interface Evaluation {
  accuracy: number;
  loss: number;
  predictions: Int32Array;
  labels: Int32Array;
  /** log2 p(y_true|x) per sample, p = (1 − u)·softmax(gain·ρ(o)) + u/C (see probability.ts). */
  log2ProbTrue: Float64Array;
}

export interface SessionOptions {
  config: TrainConfig;
  /** The device for `weights: "crossbar"`; null for `ideal`. */
  crossbar: Crossbar | null;
  ledger: EnergyLedger;
  rng: Rng;
  /** Resume from this checkpoint: the store opens on it (no new characterisation), then the session state. */
  checkpoint?: SessionCheckpoint;
  /** The dataset, when the caller loaded it (with this `rng`, as create would): e.g. to size the device first. */
  dataset?: Dataset;
}

export interface SessionCheckpoint {
  version: 1;
  sizes: number[];
  epochsCompleted: number;
  store: StoreCheckpoint;
  /** Digital biases per layer, base64 Float64. */
  biases: string[];
  /** Persistent particles per state layer (n × size), base64 Float64; null when not persistent. */
  particles: string[] | null;
  rng: RngState;
  /** The update pulse chosen by a minimum-energy measurement (absent otherwise): a resume uses it, not a new measurement. */
  pulse?: { volts: number; widthSeconds: number };
}

export class TrainingSession {
  /** The minimum-energy update pulse and the trade-off it was chosen from (null when the config keeps the default). */
  updatePulse: ChosenPulse = { pulse: null, tradeOff: null };
  readonly dataset: Dataset;
  readonly config: TrainConfig;
  /** [d, h1, …, C]. */
  readonly sizes: readonly number[];
  private readonly store: WeightStore;
  private readonly biases: Float64Array[];
  private readonly particles: Float64Array[] | null;
  private readonly rates: number[];
  private readonly rng: Rng;
  private readonly relaxation: Relaxation;
  private epochsCompleted = 0;

  private constructor(config: TrainConfig, dataset: Dataset, store: WeightStore, rng: Rng) {
    this.config = config;
    this.dataset = dataset;
    this.store = store;
    this.rng = rng;
    this.sizes = store.sizes;
    this.rates = layerRates(config);
    this.biases = this.sizes.slice(1).map((n) => new Float64Array(n));
    this.relaxation = new Relaxation(store, this.sizes, this.biases, config.epsilon);
    const n = dataset.trainY.length;
    this.particles = config.persistentParticles ? this.sizes.slice(1).map((k) => new Float64Array(n * k)) : null;
  }

  static async create(options: SessionOptions): Promise<TrainingSession> {
    const { config, crossbar, ledger, rng, checkpoint } = options;
    const dataset = options.dataset ?? (await loadDataset(config, rng));
    const sizes = [dataset.inputSize, ...config.layers, dataset.numClasses];
    let store: WeightStore;
    let pulse: ChosenPulse = { pulse: null, tradeOff: null };
    if (config.weights === "ideal") {
      store = new IdealStore(sizes, rng.fork("init"), kernelRoom(config, sizes, dataset));
      if (checkpoint) await store.restore(checkpoint.store);
    } else {
      if (crossbar === null) throw new Error('weights "crossbar" needs a crossbar device; none was given');
      const { CrossbarStore } = await import("./crossbar-store.js");
      const chosen = await chooseUpdatePulse(config.crossbar, crossbar, ledger, checkpoint?.pulse);
      const settings = chosen.pulse ? { ...config.crossbar, setVolts: chosen.pulse.volts, pulseWidthSeconds: chosen.pulse.widthSeconds } : config.crossbar;
      store = await CrossbarStore.create({ crossbar, sizes, settings, ledger, rng: rng.fork("crossbar"), ...(checkpoint ? { checkpoint: checkpoint.store } : {}) });
      pulse = chosen;
    }
    const session = new TrainingSession(config, dataset, store, rng);
    session.updatePulse = pulse;
    if (checkpoint) session.restoreSessionState(checkpoint);
    return session;
  }

  /** How a resume put the checkpoint's weights back on the device; null on ideal weights or a new run. */
  get restored(): RestoreReport | null {
    return this.store.restored ?? null;
  }

  /** Builds a session on a given dataset and store (tests, and callers that load data themselves). */
  static fromParts(config: TrainConfig, dataset: Dataset, store: WeightStore, rng: Rng): TrainingSession {
    const want = [dataset.inputSize, ...config.layers, dataset.numClasses];
    if (want.join("-") !== store.sizes.join("-")) throw new Error(`store network ${store.sizes.join("-")} is not the configured ${want.join("-")}`);
    return new TrainingSession(config, dataset, store, rng);
  }

  get weightStore(): WeightStore {
    return this.store;
  }

  /** Epochs finished so far (a stopped epoch does not count). */
  get epochs(): number {
    return this.epochsCompleted;
  }

  async runEpoch(onBatch?: (p: BatchProgress) => void, shouldStop?: () => boolean): Promise<EpochResult> {
    const c = this.config;
    const ds = this.dataset;
    const n = ds.trainY.length;
    const d = ds.inputSize;
    const C = ds.numClasses;
    const L = this.sizes.length - 1;
    const B = c.batchSize;
    const epoch = this.epochsCompleted + 1;
    const order = Int32Array.from({ length: n }, (_, i) => i);
    if (c.shuffle) this.rng.shuffle(order);
    const batches = Math.ceil(n / B);
    const free = this.relaxation.work("free", B);
    const plus = this.relaxation.work("plus", B);
    const minus = c.centredNudging ? this.relaxation.work("minus", B) : null;
    const result: EpochResult = { epoch, trainLoss: 0, trainAccuracy: 0, updates: 0, pulses: 0, weightPathL1: 0, prequentialBits: 0, samples: 0, stopped: false };
    let lossSum = 0;
    let correct = 0;
    const labels = new Int32Array(B);
    const trainY = ds.labelMode.kind === "control" ? controlEpochLabels(n, C, c.seed, epoch) : ds.trainY;
    for (let bi = 0; bi < batches; bi++) {
      if (shouldStop?.()) {
        result.stopped = true;
        break;
      }
      const start = bi * B;
      const m = Math.min(B, n - start);
      // Inputs ρ(x) and the starting states.
      for (let k = 0; k < m; k++) {
        const r = order[start + k]!;
        labels[k] = trainY[r]!;
        const src = r * d;
        for (let j = 0; j < d; j++) {
          const v = ds.trainX[src + j]!;
          free.x[k * d + j] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
        for (let l = 1; l <= L; l++) {
          const size = this.sizes[l]!;
          if (this.particles) free.s[l]!.set(this.particles[l - 1]!.subarray(r * size, (r + 1) * size), k * size);
          else free.s[l]!.fill(0, k * size, (k + 1) * size);
        }
      }
      await this.store.forward(0, free.x, m, free.inputDrive, "free");
      await this.relaxation.relax(free, m, c.T1, 0, labels, "free");
      if (this.particles) {
        for (let k = 0; k < m; k++) {
          const r = order[start + k]!;
          for (let l = 1; l <= L; l++) {
            const size = this.sizes[l]!;
            this.particles[l - 1]!.set(free.s[l]!.subarray(k * size, (k + 1) * size), r * size);
          }
        }
      }
      // What the model said before it trained on these samples.
      const out = free.s[L]!;
      for (let k = 0; k < m; k++) {
        const y = labels[k]!;
        let best = 0;
        let loss = 0;
        for (let j = 0; j < C; j++) {
          const o = out[k * C + j]!;
          if (o > out[k * C + best]!) best = j;
          const e = o - (j === y ? 1 : 0);
          loss += 0.5 * e * e;
        }
        lossSum += loss;
        if (best === y) correct++;
        result.prequentialBits -= log2ProbabilityOfClass(out, k * C, C, y, c.probabilityGain, c.uniformMix);
      }
      // Nudged phase(s) from the free state; the input drive is unchanged.
      copyStates(free, plus, m, this.sizes);
      await this.relaxation.relax(plus, m, c.T2, c.beta, labels, "nudged");
      let low = free;
      let twoSided: 1 | 2 = 1;
      if (minus) {
        copyStates(free, minus, m, this.sizes);
        await this.relaxation.relax(minus, m, c.T2, -c.beta, labels, "nudged");
        low = minus;
        twoSided = 2;
      }
      const pulsesBefore = result.pulses;
      await applyEqPropUpdate(this.store, this.biases, this.rates, free, plus, low, m, c.beta, twoSided, result);
      const batchPulses = result.pulses - pulsesBefore;
      result.updates++;
      result.samples += m;
      result.trainLoss = lossSum / result.samples;
      result.trainAccuracy = correct / result.samples;
      onBatch?.({ epoch, batch: bi + 1, batches, loss: result.trainLoss, accuracy: result.trainAccuracy, pulses: batchPulses });
    }
    if (!result.stopped) this.epochsCompleted++;
    return result;
  }

  /**
   * Free-phase prediction of every sample of a split: evalSteps relaxation steps from zero states.
   * loss = mean ½‖ρ(o) − onehot(y)‖²; probabilities by probability.ts.
   */
  async evaluate(split: "train" | "test"): Promise<Evaluation> {
    const ds = this.dataset;
    const X = split === "train" ? ds.trainX : ds.testX;
    const Y = split === "train" ? ds.trainY : ds.testY;
    const n = Y.length;
    const d = ds.inputSize;
    const C = ds.numClasses;
    const L = this.sizes.length - 1;
    const chunk = evalChunk(n);
    const w = this.relaxation.work("eval", chunk);
    const predictions = new Int32Array(n);
    const log2ProbTrue = new Float64Array(n);
    let lossSum = 0;
    let correct = 0;
    const labels = new Int32Array(chunk);
    for (let start = 0; start < n; start += chunk) {
      const m = Math.min(chunk, n - start);
      for (let k = 0; k < m * d; k++) {
        const v = X[start * d + k]!;
        w.x[k] = v < 0 ? 0 : v > 1 ? 1 : v;
      }
      for (let l = 1; l <= L; l++) w.s[l]!.fill(0);
      await this.store.forward(0, w.x, m, w.inputDrive, "evaluate");
      await this.relaxation.relax(w, m, this.config.evalSteps, 0, labels, "evaluate");
      const out = w.s[L]!;
      for (let k = 0; k < m; k++) {
        const y = Y[start + k]!;
        let best = 0;
        for (let j = 0; j < C; j++) {
          const o = out[k * C + j]!;
          if (o > out[k * C + best]!) best = j;
          const e = o - (j === y ? 1 : 0);
          lossSum += 0.5 * e * e;
        }
        predictions[start + k] = best;
        if (best === y) correct++;
        log2ProbTrue[start + k] = log2ProbabilityOfClass(out, k * C, C, y, this.config.probabilityGain, this.config.uniformMix);
      }
    }
    return {
      accuracy: n === 0 ? 0 : correct / n,
      loss: n === 0 ? 0 : lossSum / n,
      predictions,
      labels: Int32Array.from(Y),
      log2ProbTrue,
    };
  }

  /** N: devices holding the weights (crossbar: two per weight, a conductance pair; ideal: one per weight). Biases are digital, not counted. */
  deviceCount(): number {
    return this.store.deviceCount();
  }

  /** Weights (pairs on a crossbar). */
  weightCount(): number {
    return this.store.weightCount();
  }

  /** L: distinguishable levels per weight when known from the device preset, else null. */
  levelsPerDevice(): number | null {
    return this.store.levelsPerDevice();
  }

  /** The digital biases of weight layer l (a copy). */
  biasesOf(l: number): Float64Array {
    return Float64Array.from(this.biases[l]!);
  }

  async checkpoint(): Promise<SessionCheckpoint> {
    return {
      version: 1,
      sizes: [...this.sizes],
      epochsCompleted: this.epochsCompleted,
      store: await this.store.checkpoint(this.epochsCompleted < this.config.epochs),
      biases: this.biases.map(encodeFloat64),
      particles: this.particles ? this.particles.map(encodeFloat64) : null,
      rng: this.rng.getState(),
      ...(this.updatePulse.pulse ? { pulse: this.updatePulse.pulse } : {}),
    };
  }

  async restore(cpIn: object): Promise<void> {
    const cp = cpIn as SessionCheckpoint;
    this.checkCompatible(cp);
    await this.store.restore(cp.store);
    this.restoreSessionState(cp);
  }

  private checkCompatible(cp: SessionCheckpoint): void {
    if (cp.version !== 1) throw new Error(`checkpoint version ${String(cp.version)} is not 1`);
    if (cp.sizes.join("-") !== this.sizes.join("-")) throw new Error(`checkpoint network ${cp.sizes.join("-")} is not ${this.sizes.join("-")}`);
  }

  /** Biases, particles, the generator and the epoch count (the store is restored by whoever opened it). */
  private restoreSessionState(cp: SessionCheckpoint): void {
    this.checkCompatible(cp);
    cp.biases.forEach((s, l) => this.biases[l]!.set(decodeFloat64(s, this.biases[l]!.length, `biases[${l}]`)));
    if (this.particles) {
      if (!cp.particles) throw new Error("checkpoint has no persistent particles but the config uses them");
      cp.particles.forEach((s, l) => this.particles![l]!.set(decodeFloat64(s, this.particles![l]!.length, `particles[${l}]`)));
    }
    this.rng.setState(cp.rng);
    this.epochsCompleted = cp.epochsCompleted;
  }
}

/** Samples relaxed at once when evaluating a split of n samples. */
function evalChunk(n: number): number {
  return Math.min(Math.max(1, n), 250);
}

/** Room in the ideal store's kernel heap for every relaxation buffer a session allocates, and its batch. */
function kernelRoom(config: TrainConfig, sizes: readonly number[], dataset: Dataset): { workBytes: number; batch: number } {
  const B = config.batchSize;
  const roles = config.centredNudging ? 3 : 2;
  const chunks = new Set([evalChunk(dataset.trainY.length), evalChunk(dataset.testY.length)]);
  let workBytes = roles * Relaxation.workBytes(sizes, B);
  for (const c of chunks) workBytes += Relaxation.workBytes(sizes, c);
  return { workBytes, batch: B };
}
