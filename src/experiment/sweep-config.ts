// The sweep configuration: a grid over n, C, label mode, training budget and seeds, plus the base training
// config and the device. Each grid point becomes one ordinary run directory with a name derived from it.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { LABEL_MODE_PATTERN, parseTrainConfig, type TrainConfig } from "../train/config.js";

/** The protocol asks for at least this many seeds per cell; fewer is allowed only in a sweep marked `pilot`. */
export const MIN_SEEDS_PER_CELL = 10;

const positiveInt = z.number().int().min(1);

const NGridSchema = z.union([
  z.array(positiveInt).min(1),
  z.strictObject({
    /** Log-spaced sample counts from `from` to `to` inclusive, rounded to integers (duplicates removed). */
    logspace: z.strictObject({ from: positiveInt, to: positiveInt, count: z.number().int().min(1) }),
  }),
]);

export const BudgetSchema = z.union([
  z.strictObject({ epochs: positiveInt }),
  /** About this many weight updates (one per batch): the whole number of epochs nearest to it, at least one. */
  z.strictObject({ updates: positiveInt }),
  /**
   * Train until the running train accuracy of an epoch reaches `trainAccuracy`, at most `maxEpochs`.
   * Refused for now: runTraining has no way to end a run early with status success (only abort).
   */
  z.strictObject({ criterion: z.strictObject({ trainAccuracy: z.number().gt(0).max(1), maxEpochs: positiveInt }) }),
]);
export type Budget = z.infer<typeof BudgetSchema>;

export const SweepConfigSchema = z.strictObject({
  name: z.string().min(1).default("sweep"),
  /** Device URI every point trains on (see src/hal/uri.ts). */
  device: z.string().min(1).default("sim:"),
  /** TrainConfig keys shared by every point; the grid sets samples, classes, labels, epochs and seed. */
  base: z.record(z.string(), z.unknown()).default({}),
  grid: z.strictObject({
    n: NGridSchema,
    classes: z.array(z.number().int().min(2)).min(1),
    labels: z.array(z.string().regex(LABEL_MODE_PATTERN, "must be real, random, teacher or teacher:p with 0 ≤ p ≤ 1")).min(1),
    budgets: z.array(BudgetSchema).min(1),
    /** A count (seeds 1..count) or the explicit list. */
    seeds: z.union([positiveInt, z.array(z.number().int().min(0)).min(1)]),
  }),
  /** A pilot sweep may have fewer than 10 seeds per cell; its summary says so. */
  pilot: z.boolean().default(false),
  analysis: z
    .strictObject({
      /** δ = Var(error in log E)/Var(error in log I) for the Deming fit. */
      errorVarianceRatio: z.number().positive().default(1),
      bootstrapResamples: z.number().int().min(100).default(2000),
      seed: z.number().int().min(0).default(1),
    })
    .default({ errorVarianceRatio: 1, bootstrapResamples: 2000, seed: 1 }),
});
export type SweepConfig = z.infer<typeof SweepConfigSchema>;

export interface SweepPoint {
  /** Run directory name, derived from the coordinates only. */
  name: string;
  n: number;
  classes: number;
  labels: string;
  budget: Budget;
  budgetLabel: string;
  seed: number;
}

/** A sweep config refused; the message names the file and the field. Exit code 2, like other user errors. */
export class SweepConfigError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export function readSweepConfig(path: string): SweepConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new SweepConfigError(`${path}: cannot read the sweep config (${(e as Error).message})`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new SweepConfigError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return parseSweepConfig(obj, path);
}

export function parseSweepConfig(obj: unknown, source = "sweep config"): SweepConfig {
  const r = SweepConfigSchema.safeParse(obj);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
    const keys = issue.code === "unrecognized_keys" ? ` ${issue.keys.join(", ")}` : "";
    throw new SweepConfigError(`${source}: ${path || "(top level)"}: ${issue.message}${keys}`);
  }
  const c = r.data;
  for (const key of ["samples", "classes", "labels", "epochs", "seed"]) {
    if (key in c.base) throw new SweepConfigError(`${source}: base.${key}: set by the grid; remove it from base`);
  }
  c.grid.budgets.forEach((b, i) => {
    if ("criterion" in b) {
      throw new SweepConfigError(`${source}: grid.budgets[${i}]: a criterion budget is not supported yet (runTraining cannot end a run early with status success); use {"epochs": K} or {"updates": U}`);
    }
  });
  const seeds = seedList(c);
  if (seeds.length < MIN_SEEDS_PER_CELL && !c.pilot) {
    throw new SweepConfigError(`${source}: grid.seeds: ${seeds.length} seeds per cell; the protocol needs at least ${MIN_SEEDS_PER_CELL} (or mark the sweep "pilot": true)`);
  }
  if (new Set(seeds).size !== seeds.length) throw new SweepConfigError(`${source}: grid.seeds: repeated seed`);
  return c;
}

export function nValues(c: SweepConfig): number[] {
  const g = c.grid.n;
  if (Array.isArray(g)) return [...new Set(g)].sort((a, b) => a - b);
  const { from, to, count } = g.logspace;
  if (count === 1) return [from];
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.round(from * (to / from) ** (i / (count - 1))));
  return [...out].sort((a, b) => a - b);
}

export function seedList(c: SweepConfig): number[] {
  const s = c.grid.seeds;
  return typeof s === "number" ? Array.from({ length: s }, (_, i) => i + 1) : [...s];
}

export function budgetLabel(b: Budget): string {
  if ("epochs" in b) return `epochs=${b.epochs}`;
  if ("updates" in b) return `updates=${b.updates}`;
  return `criterion=${b.criterion.trainAccuracy}/max-epochs=${b.criterion.maxEpochs}`;
}

function budgetSlug(b: Budget): string {
  if ("epochs" in b) return `ep${b.epochs}`;
  if ("updates" in b) return `up${b.updates}`;
  return `acc${b.criterion.trainAccuracy}-max${b.criterion.maxEpochs}`;
}

/** Every grid point, in a fixed order (n, C, labels, budget, seed): shards and resume depend on it. */
export function expandGrid(c: SweepConfig): SweepPoint[] {
  const points: SweepPoint[] = [];
  for (const n of nValues(c)) {
    for (const classes of c.grid.classes) {
      for (const labels of c.grid.labels) {
        for (const budget of c.grid.budgets) {
          for (const seed of seedList(c)) {
            const name = `n${n}_C${classes}_${labels.replace(":", "-p")}_${budgetSlug(budget)}_seed${seed}`;
            points.push({ name, n, classes, labels, budget, budgetLabel: budgetLabel(budget), seed });
          }
        }
      }
    }
  }
  return points;
}

/** The points of shard `index` of `count` (0-based): every count-th point, so shards are balanced. */
export function shardPoints(points: readonly SweepPoint[], index: number, count: number): SweepPoint[] {
  return points.filter((_, i) => i % count === index);
}

/** Parses "i/K" (0 ≤ i < K). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new SweepConfigError(`--shard: "${text}" is not i/K (e.g. 0/4)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new SweepConfigError(`--shard: ${text}: need 0 ≤ i < K`);
  return { index, count };
}

/**
 * The validated TrainConfig of a point: base, then the grid's coordinates, with the epochs of its budget
 * (an update budget becomes the nearest whole number of epochs; the analysis uses the updates the run counted).
 */
export function pointTrainConfig(c: SweepConfig, p: SweepPoint, source = "sweep config"): TrainConfig {
  const input = { ...c.base, samples: p.n, classes: p.classes, labels: p.labels, seed: p.seed, epochs: 1 };
  const probe = parseTrainConfig(input, `${source} (base, point ${p.name})`);
  let epochs: number;
  if ("epochs" in p.budget) epochs = p.budget.epochs;
  else if ("updates" in p.budget) epochs = Math.max(1, Math.round(p.budget.updates / Math.ceil(p.n / probe.batchSize)));
  else epochs = p.budget.criterion.maxEpochs;
  return { ...probe, epochs };
}
