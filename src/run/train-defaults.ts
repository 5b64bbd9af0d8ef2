// Training defaults that depend on other settings, resolved in one place for every command that trains
// (`mhil train`, a sweep point). The schema (src/train/config.ts) holds the defaults that stand alone.
import { parseTrainConfig, TrainConfigSchema, type TrainConfig } from "../train/config.js";

/**
 * Persistent particles (free phases starting from each sample's last state, the prototype's setting) by
 * default only on ideal weights. On crossbar weights they left networks that classify only from their
 * remembered states: toy:2d ended at chance (0.49) on sim: with them and at 0.995 without; the default
 * digits reach 0.827 without them, 0.821 with (measured, seed 1).
 */
export function persistentParticlesDefault(weights: TrainConfig["weights"]): boolean {
  return weights === "ideal";
}

/** The settings as given (a config file, flags, a sweep's base), with the dependent defaults filled in. */
export function withTrainingDefaults(given: Record<string, unknown>): Record<string, unknown> {
  if (given.persistentParticles !== undefined) return given;
  const weights = TrainConfigSchema.shape.weights.safeParse(given.weights);
  return weights.success ? { ...given, persistentParticles: persistentParticlesDefault(weights.data) } : given;
}

/** Validates the settings as given, dependent defaults first; errors name `source` and the key. */
export function resolveTrainConfig(given: Record<string, unknown>, source: string): TrainConfig {
  return parseTrainConfig(withTrainingDefaults(given), source);
}

/** A config already validated from `given` (e.g. by the sweep), with the dependent defaults `given` left open. */
export function applyTrainingDefaults(config: TrainConfig, given: Record<string, unknown>): TrainConfig {
  return given.persistentParticles === undefined ? { ...config, persistentParticles: persistentParticlesDefault(config.weights) } : config;
}
