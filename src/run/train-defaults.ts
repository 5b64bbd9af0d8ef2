// Training defaults in one place: the main job's settings (`mhil train` with no config), the memorization
// settings of `--draws`, and the defaults that depend on other settings, resolved here for every command that
// trains (`mhil train`, a sweep point). The schema (src/train/config.ts) holds the defaults that stand alone.
import { parseTrainConfig, TrainConfigSchema, type TrainConfig } from "../train/config.js";

/**
 * Settings `mhil train` uses when neither the config file nor a flag sets them: a crossbar-sized
 * network on downsampled digits that learns something real in seconds on this machine, and learns it
 * reproducibly. 49-10 as conductance pairs (49×20 cells) fits the default 64×64 `sim:` array; measured here
 * (seeds 1–6, reram): test 0.851–0.854 in about 3 s. A hidden layer is `--layers 16`: 49-16-10 scored lower
 * (0.80–0.84) and its runs are draws, ±1.2–1.7 points between seeds and between a device and its twin,
 * since most of its updates are a fraction of a pulse (docs/design.md). 4,000 test digits score to ±0.6 points.
 * (The schema's own defaults are the full 784-500-10 benchmark network.)
 */
export const QUICK_TRAIN_DEFAULTS: Record<string, unknown> = {
  dataset: "mnist:7x7",
  samples: 4000,
  testSamples: 4000,
  layers: Object.freeze([]),
  learningRates: [0.2],
  batchSize: 10,
  epochs: 15,
};

/**
 * What `--draws K` trains by default: each draw until every training label is reproduced (measured: 64
 * random 4-class labels on 7×7 digits memorized in 116–172 epochs, under 1.2 s each, seeds 1–3), since
 * Fano comes close to n·log2 C only for memorized labels. Without persistent particles: with them the
 * running accuracy reached 1 while the model relaxed from rest reproduced only 59–78% of the labels.
 */
export const MEMORIZE_DEFAULTS: Record<string, unknown> = {
  layers: Object.freeze([128]),
  learningRates: [0.3, 0.15],
  batchSize: 2,
  T1: 30,
  persistentParticles: false,
  testSamples: 200,
  epochs: 400,
  stopAtTrainAccuracy: 1,
};

/**
 * Persistent particles (free phases starting from each sample's last state, the prototype's setting) by
 * default only on ideal weights. On crossbar weights they left networks that classify only from their
 * remembered states: toy:2d ended at chance (0.49) on sim: with them and at 0.995 without; the default
 * digits score 0.849 with them and 0.850 without (measured, seed 1).
 */
export function persistentParticlesDefault(weights: TrainConfig["weights"]): boolean {
  return weights === "ideal";
}

/**
 * Whether the hidden layers are one of the defaults above, merged in untouched (the very array, not a copy a
 * file or flag gave): a default network is sized to a smaller device (fitLayers), a chosen one is not.
 */
function layersAreDefault(given: Record<string, unknown>): boolean {
  return given.layers === QUICK_TRAIN_DEFAULTS.layers || given.layers === MEMORIZE_DEFAULTS.layers;
}

/** The settings as given (a config file, flags, a sweep's base), with the dependent defaults filled in. */
export function withTrainingDefaults(given: Record<string, unknown>): Record<string, unknown> {
  const out = given.fitLayers === undefined && layersAreDefault(given) ? { ...given, fitLayers: true } : given;
  if (out.persistentParticles !== undefined) return out;
  const weights = TrainConfigSchema.shape.weights.safeParse(out.weights);
  return weights.success ? { ...out, persistentParticles: persistentParticlesDefault(weights.data) } : out;
}

/** Validates the settings as given, dependent defaults first; errors name `source` and the key. */
export function resolveTrainConfig(given: Record<string, unknown>, source: string): TrainConfig {
  return parseTrainConfig(withTrainingDefaults(given), source);
}

/** A config already validated from `given` (e.g. by the sweep), with the dependent defaults `given` left open. */
export function applyTrainingDefaults(config: TrainConfig, given: Record<string, unknown>): TrainConfig {
  return given.persistentParticles === undefined ? { ...config, persistentParticles: persistentParticlesDefault(config.weights) } : config;
}
