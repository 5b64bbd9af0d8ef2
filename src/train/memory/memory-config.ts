// The associative-memory configuration (`mhil recall`, sweep points of kind "recall"): one zod schema with
// defaults; bad input names the key.
import { z } from "zod";
import { UserError } from "../../hal/user-error.js";
import { CrossbarSettingsSchema } from "../config.js";

/** A memory configuration refused: names the source (file or flags) and the key (exit 2). */
export class MemoryConfigError extends UserError {}

export const STORAGE_RULES = ["hebbian", "learned", "modern"] as const;
export type StorageRule = (typeof STORAGE_RULES)[number];

const LearnedSchema = z.strictObject({
  /** Fraction of units flipped in each training cue, drawn afresh every epoch. */
  trainCorrupt: z.number().min(0).lt(0.5).default(0.1),
  /** Most EqProp epochs (fewer when every training cue of an epoch is recalled). */
  maxEpochs: z.number().int().min(1).default(100),
  batchSize: z.number().int().min(1).default(10),
  /** α of the EqProp update (both weight layers). */
  learningRate: z.number().positive().default(0.04),
  /** Nudging strength β; ε·(1 + β) ≤ 1 keeps the nudged step from overshooting. */
  beta: z.number().positive().default(1),
  T1: z.number().int().min(1).default(20),
  T2: z.number().int().min(1).default(4),
});

const ModernSchema = z.strictObject({
  /** β of softmax(β·Xᵀσ) (Ramsauer et al. 2020); the similarities are ±N-scaled overlaps. */
  inverseTemperature: z.number().positive().default(1),
  /** Weight each stored ±1 entry is written as (weight units; the device's range is crossbar.weightRange). */
  patternWeight: z.number().positive().default(0.5),
});

/**
 * Crossbar settings for the memory, defaults where the trainer's do not fit: one Hebbian increment is about
 * 2g/N weight units, several SET steps, so a device takes more pulses per update than a classifier's.
 */
const MemoryCrossbarSchema = CrossbarSettingsSchema.extend({
  maxPulsesPerUpdate: z.number().int().min(1).default(512),
});

export const MemoryConfigSchema = z.strictObject({
  weights: z.enum(["ideal", "crossbar"]).default("ideal"),
  /** N: units per pattern. */
  units: z.number().int().min(2).default(200),
  /** P: patterns stored. */
  patterns: z.number().int().min(1).default(10),
  /** Fraction f of every cue's units flipped (exactly round(f·N) of them). */
  corrupt: z.number().min(0).lt(0.5).default(0.1),
  rule: z.enum(STORAGE_RULES).default("hebbian"),
  /** Gain g of the units: W = 2g·J (hopfield.ts). */
  gain: z.number().positive().default(1),
  /** Relaxation step ε and recall steps. */
  epsilon: z.number().positive().max(1).default(0.5),
  recallSteps: z.number().int().min(1).default(50),
  learned: LearnedSchema.default(LearnedSchema.parse({})),
  modern: ModernSchema.default(ModernSchema.parse({})),
  crossbar: MemoryCrossbarSchema.default(MemoryCrossbarSchema.parse({})),
  /**
   * The update pulse on a crossbar: `default` (the store's choice, crossbar.setVolts and pulseWidthSeconds), or
   * `minimum-energy`: measured first (src/train/pulse-energy.ts, booked as characterisation), the shape with the
   * least joules per siemens at a ΔG of 5% of the range.
   */
  pulse: z.enum(["default", "minimum-energy"]).default("default"),
  temperatureKelvin: z.number().positive().default(300),
  seed: z.number().int().min(0).default(1),
});

export type MemoryConfig = z.infer<typeof MemoryConfigSchema>;
export type MemoryConfigInput = z.input<typeof MemoryConfigSchema>;

/** Validates and fills defaults; throws MemoryConfigError naming `source` and the first bad key. */
export function parseMemoryConfig(obj: unknown, source = "recall config"): MemoryConfig {
  const r = MemoryConfigSchema.safeParse(obj ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.map(String).join(".");
  const key = issue.code === "unrecognized_keys" ? [path, issue.keys[0]].filter((s) => s).join(".") : path;
  throw new MemoryConfigError(`${source}: ${key === "" ? "(top level)" : key}: ${issue.code === "unrecognized_keys" ? "unknown key" : issue.message}`);
}
