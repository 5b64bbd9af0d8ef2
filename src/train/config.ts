// The training configuration: one zod schema with defaults; bad input names the file and the key path.
import { UserError } from "../hal/user-error.js";
import { z } from "zod";

/**
 * Labels: `real` (the dataset's own), `random` (uniform over C classes, inputs fixed),
 * `teacher` (argmax of a fixed random network), `teacher:p` (teacher labels, a fraction p replaced at random),
 * `control` (random labels kept fixed for evaluation, but training sees labels redrawn every epoch: the
 * zero-information control, whose weights can learn nothing about the fixed labels).
 */
export const LABEL_MODE_PATTERN = /^(real|random|control|teacher(:(0(\.\d+)?|1(\.0+)?|\.\d+))?)$/;

export const CrossbarSettingsSchema = z.strictObject({
  /** Row voltage that encodes ρ = 1 in a relaxation mvm; null = the device's maxReadVolts (the converters' full scale). */
  readVolts: z.number().positive().nullable().default(null),
  /** SET (potentiating) update pulse amplitude; null = 0.75 × the device's maxProgramVoltsPositive. */
  setVolts: z.number().positive().nullable().default(null),
  /** RESET (depressing) pulse magnitude for refresh and initialisation; null = the device's maxProgramVoltsNegative. */
  resetVolts: z.number().positive().nullable().default(null),
  /** Update pulse width; null = √(minPulseWidthSeconds · maxPulseWidthSeconds) of the device. */
  pulseWidthSeconds: z.number().positive().nullable().default(null),
  /**
   * How updates become pulses (src/train/update-protocol.ts): `dense` (every update, pulse counts by
   * `quantization`), `stochastic` (one pulse with probability |ΔW|/step) or `threshold` (summed on the host,
   * written when the sum crosses the device's noise floor).
   */
  update: z.enum(["dense", "stochastic", "threshold"]).default("dense"),
  /** dense: pulse-count quantization of ΔW / (weight per pulse): round to nearest, or stochastic rounding (unbiased). */
  quantization: z.enum(["round", "stochastic"]).default("stochastic"),
  /** Most pulses one device receives in one update (clipped). */
  maxPulsesPerUpdate: z.number().int().min(1).default(4),
  /** After each update, write-verify the pulsed devices: read back, correct once towards the intended conductance (SET or RESET), read to confirm (src/train/write-verify.ts). */
  writeVerify: z.boolean().default(false),
  /** Refresh a pair (re-centre G⁺ and G⁻, keeping G⁺ − G⁻) when either device passes this fraction of its range. */
  refreshThreshold: z.number().gt(0).max(1).default(0.9),
  /** |W| represented by a full-range conductance difference Gmax − Gmin (weight units). */
  weightRange: z.number().positive().default(1),
  /**
   * The SET update pulse: `default` (setVolts, pulseWidthSeconds above) or `minimum-energy`: the pulse-energy
   * trade-off is measured first (src/train/pulse-energy.ts, booked as characterisation) and the shape with the
   * least joules per siemens at ΔG = pulseTargetFraction of the range replaces setVolts and pulseWidthSeconds.
   */
  pulse: z.enum(["default", "minimum-energy"]).default("default"),
  /** The conductance change, as a fraction of the measured range, at which the minimum-energy pulse is chosen. */
  pulseTargetFraction: z.number().gt(0).max(0.5).default(0.05),
});
export type CrossbarSettings = z.infer<typeof CrossbarSettingsSchema>;

export const TrainConfigSchema = z.strictObject({
  /** `mnist` (the mnist package's 10,000 digits), `mnist:14x14`, `mnist:7x7`, `idx:DIR`, `csv:PATH`, `toy:2d`. */
  dataset: z.string().min(1).default("mnist"),
  /** Average-pool images to a smaller side (MNIST-shaped data only); `mnist:14x14` sets the same. */
  downsample: z.enum(["none", "14x14", "7x7"]).default("none"),
  /** Training samples n. */
  samples: z.number().int().min(1).default(8000),
  /** Test samples. */
  testSamples: z.number().int().min(0).default(2000),
  labels: z.string().regex(LABEL_MODE_PATTERN, "must be real, random, control, teacher or teacher:p with 0 ≤ p ≤ 1").default("real"),
  /** Classes C. With real labels only samples of classes 0..C−1 are kept. */
  classes: z.number().int().min(2).default(10),
  /** Hidden layer sizes; [] is a single-layer network (inputs straight to outputs). */
  layers: z.array(z.number().int().min(1)).default([500]),
  /**
   * On a crossbar too small for `layers`, train the widest network that fits (the hidden layers narrowed, then
   * none) and say so, instead of refusing (src/run/network-fit.ts). `mhil train` sets it when `layers` is its default.
   */
  fitLayers: z.boolean().default(false),
  /** Free-phase relaxation steps. */
  T1: z.number().int().min(1).default(20),
  /** Nudged-phase relaxation steps. */
  T2: z.number().int().min(1).default(4),
  /** Nudging strength β. */
  beta: z.number().positive().default(0.5),
  /** Relaxation step ε. */
  epsilon: z.number().positive().max(1).default(0.5),
  /** One learning rate per weight layer (layers.length + 1), or one number for all. */
  learningRates: z.union([z.number().positive(), z.array(z.number().positive()).min(1)]).default([0.1, 0.05]),
  batchSize: z.number().int().min(1).default(20),
  epochs: z.number().int().min(1).default(10),
  /**
   * End the run (status success) after the first epoch whose training set the model, relaxed from rest as
   * the final evaluation does, classifies with at least this accuracy; `epochs` is then the most it may
   * take. 1 = train until every label is memorized (what Fano needs to come close to n·log2 C).
   */
  stopAtTrainAccuracy: z.number().gt(0).max(1).nullable().default(null),
  /**
   * Start each free phase from the sample's last free state (per-sample particles), as the prototype does.
   * Every command that trains leaves them off for crossbar weights unless the settings say so (src/run/train-defaults.ts).
   */
  persistentParticles: z.boolean().default(true),
  /** Centred nudging: two nudged phases at +β and −β, update from their difference (Laborieux et al. 2021). */
  centredNudging: z.boolean().default(false),
  /** Shuffle the training order each epoch (the anchor does not). */
  shuffle: z.boolean().default(false),
  /** Relaxation steps from zero state when evaluating. */
  evalSteps: z.number().int().min(1).default(100),
  /** p(y|x) = (1 − u)·softmax(gain·ρ(o))_y + u/C: the gain. */
  probabilityGain: z.number().positive().default(8),
  /** … and the uniform mix u, so every code length is finite. */
  uniformMix: z.number().gt(0).lt(1).default(0.01),
  weights: z.enum(["ideal", "crossbar"]).default("crossbar"),
  crossbar: CrossbarSettingsSchema.default(CrossbarSettingsSchema.parse({})),
  temperatureKelvin: z.number().positive().default(300),
  seed: z.number().int().min(0).default(1),
});

export type TrainConfig = z.infer<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;

/** A configuration refused: names the source (file) and the key path. */
export class TrainConfigError extends UserError {
  constructor(
    readonly source: string,
    readonly keyPath: string,
    detail: string,
  ) {
    super(`${source}: ${keyPath === "" ? "(top level)" : keyPath}: ${detail}`);
  }
}

/** Validates `obj` (parsed JSON) and fills defaults. Throws TrainConfigError naming `sourceName` and the first bad key. */
export function parseTrainConfig(obj: unknown, sourceName = "config"): TrainConfig {
  const r = TrainConfigSchema.safeParse(obj ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    let path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
    let detail = issue.message;
    if (issue.code === "unrecognized_keys") {
      const key = issue.keys[0]!;
      path = path === "" ? key : `${path}.${key}`;
      detail = `unknown key (known: ${knownKeys(issue.path).join(", ")})`;
    }
    throw new TrainConfigError(sourceName, path, detail);
  }
  const c = r.data;
  const nRates = c.layers.length + 1;
  if (Array.isArray(c.learningRates) && c.learningRates.length !== 1 && c.learningRates.length !== nRates) {
    throw new TrainConfigError(
      sourceName,
      "learningRates",
      `has ${c.learningRates.length} rates but the network has ${nRates} weight layers (layers ${JSON.stringify(c.layers)} + output)`,
    );
  }
  return c;
}

/** One learning rate per weight layer, broadcasting a single number. */
export function layerRates(c: TrainConfig): number[] {
  const n = c.layers.length + 1;
  const r = c.learningRates;
  if (typeof r === "number") return new Array<number>(n).fill(r);
  if (r.length === 1) return new Array<number>(n).fill(r[0]!);
  return [...r];
}

/** The parsed labels setting. */
export type LabelMode = { kind: "real" } | { kind: "random" } | { kind: "control" } | { kind: "teacher"; replaceFraction: number };

export function parseLabelMode(text: string): LabelMode {
  if (text === "real") return { kind: "real" };
  if (text === "random") return { kind: "random" };
  if (text === "control") return { kind: "control" };
  if (text.startsWith("teacher")) {
    const p = text.includes(":") ? Number(text.slice(text.indexOf(":") + 1)) : 0;
    return { kind: "teacher", replaceFraction: p };
  }
  throw new TrainConfigError("labels", "labels", `"${text}" is not real, random, control, teacher or teacher:p`);
}

function knownKeys(path: readonly PropertyKey[]): string[] {
  if (path.length === 1 && path[0] === "crossbar") return Object.keys(CrossbarSettingsSchema.shape);
  return Object.keys(TrainConfigSchema.shape);
}
