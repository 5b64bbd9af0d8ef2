// The sweep configuration: a grid over n, C, label mode, protocol, training budget and seeds, plus the base
// training config and the device. Each grid point becomes one ordinary run directory with a name derived from it.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { LABEL_MODE_PATTERN, parseTrainConfig, TrainConfigSchema, type TrainConfig } from "../train/config.js";
import { BASE_PROTOCOL, CONTROL_LABELS } from "./point.js";
import { UserError } from "../hal/user-error.js";

/** The protocol asks for at least this many seeds per cell; fewer is allowed only in a sweep marked `pilot`. */
export const MIN_SEEDS_PER_CELL = 10;

const positiveInt = z.number().int().min(1);

const NGridSchema = z.union(
  [
    z.array(positiveInt).min(1),
    z.strictObject({
      /** Log-spaced sample counts from `from` to `to` inclusive, rounded to integers (duplicates removed). */
      logspace: z.strictObject({ from: positiveInt, to: positiveInt, count: z.number().int().min(1) }),
    }),
  ],
  { error: 'expected a list of sample counts (positive integers) or {"logspace": {"from": N, "to": N, "count": K}}' },
);

export const BudgetSchema = z.union(
  [
  z.strictObject({ epochs: positiveInt }),
  /** About this many weight updates (one per batch): the whole number of epochs nearest to it, at least one. */
  z.strictObject({ updates: positiveInt }),
  /**
   * Train until the running train accuracy of an epoch reaches `trainAccuracy`, at most `maxEpochs`.
   * Refused for now: runTraining has no way to end a run early with status success (only abort).
   */
  z.strictObject({ criterion: z.strictObject({ trainAccuracy: z.number().gt(0).max(1), maxEpochs: positiveInt }) }),
  ],
  { error: 'expected one of {"epochs": K}, {"updates": U} or {"criterion": {"trainAccuracy": a, "maxEpochs": K}}' },
);
export type Budget = z.infer<typeof BudgetSchema>;

/** The train config's label modes, and the control even where the train config does not know it yet. */
const LabelsSchema = z
  .string()
  .refine((s) => s === CONTROL_LABELS || LABEL_MODE_PATTERN.test(s), "expected a label mode: real, random, control, teacher or teacher:p with 0 ≤ p ≤ 1");

/** Keys every point's grid coordinates set: refused in `base` and in a protocol's `base`. */
const GRID_KEYS = ["samples", "classes", "labels", "epochs", "seed"];

export const ProtocolSchema = z.strictObject({
  /** Part of every run directory name of the protocol's points. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, "expected a name of letters, digits, '.' and '-' (it becomes part of run directory names)"),
  /** TrainConfig overrides merged over the top-level base (objects key by key), e.g. {"crossbar": {"maxPulsesPerUpdate": 1}}. */
  base: z.record(z.string(), z.unknown()),
});
export type Protocol = z.infer<typeof ProtocolSchema>;

export const SweepConfigSchema = z.strictObject({
  name: z.string().min(1).default("sweep"),
  /**
   * What a point runs: a training run (absent, or "train"), or an associative-memory run ("recall":
   * recall-points.ts, n = patterns). Optional without a default, so sweep.json of older sweeps stays the same.
   */
  kind: z.enum(["train", "recall"]).optional(),
  /** Device URI every point trains on (see src/hal/uri.ts). */
  device: z.string().min(1).default("sim:"),
  /** TrainConfig keys shared by every point; the grid sets samples, classes, labels, epochs and seed. */
  base: z.record(z.string(), z.unknown()).default({}),
  grid: z.strictObject({
    n: NGridSchema,
    classes: z.array(z.number().int().min(2)).min(1),
    labels: z.array(LabelsSchema).min(1),
    /** Protocols (pulse schemes, network sizes, …) as named overrides of base; absent: base alone. */
    protocols: z.array(ProtocolSchema).min(1).optional(),
    budgets: z.array(BudgetSchema).min(1),
    /** A count (seeds 1..count) or the explicit list. */
    seeds: z.union([positiveInt, z.array(z.number().int().min(0)).min(1)], { error: "expected a count of seeds (a positive integer) or a list of seeds (non-negative integers)" }),
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
  /** A name from grid.protocols, or BASE_PROTOCOL when the sweep has none. */
  protocol: string;
  budget: Budget;
  budgetLabel: string;
  seed: number;
}

/** A sweep config refused; the message names the file and the field. Exit code 2, like other user errors. */
export class SweepConfigError extends UserError {}

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
  if (!r.success) throw new SweepConfigError(`${source}: ${describeIssue(r.error.issues[0]!, SweepConfigSchema, obj)}`);
  const c = r.data;
  for (const key of c.kind === "recall" ? [] : GRID_KEYS) {
    if (key in c.base) throw new SweepConfigError(`${source}: base.${key}: set by the grid; remove it from base`);
  }
  const protocolNames = new Set<string>();
  c.grid.protocols?.forEach((p, i) => {
    for (const key of c.kind === "recall" ? [] : GRID_KEYS) {
      if (key in p.base) throw new SweepConfigError(`${source}: grid.protocols[${i}].base.${key}: set by the grid; remove it from the protocol`);
    }
    if (protocolNames.has(p.name)) throw new SweepConfigError(`${source}: grid.protocols[${i}].name: "${p.name}" names two protocols; expected a unique name`);
    protocolNames.add(p.name);
  });
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

/**
 * The training settings of base and of each protocol's base against the training config's schema, before any
 * point runs: a refusal names the file, `base.KEY` (or `grid.protocols[i].base.KEY`) and what is expected.
 * (Whether the settings make a valid point, e.g. one learning rate per layer, pointTrainConfig says.)
 */
export function checkTrainSettings(c: SweepConfig, source = "sweep config"): void {
  const check = (settings: Record<string, unknown>, where: string) => {
    const r = TrainConfigSchema.safeParse(settings);
    if (!r.success) throw new SweepConfigError(`${source}: ${describeIssue(r.error.issues[0]!, TrainConfigSchema, settings, where)}`);
  };
  check(c.base, "base");
  c.grid.protocols?.forEach((p, i) => check(mergeOverrides(c.base, p.base), `grid.protocols[${i}].base`));
}

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/**
 * One zod issue as `path: what was expected, got what`: a type names the type, an unknown key the valid keys,
 * a union the alternatives (or, when the value's shape picks one, that alternative's own issue).
 */
export function describeIssue(issue: Issue, schema: z.ZodType, input: unknown, prefix = ""): string {
  const path: Path = issue.path;
  const value = valueAt(input, path);
  const got = value === undefined ? "missing" : `got ${JSON.stringify(value)}`;
  if (issue.code === "invalid_union") {
    // Alternatives the value's own type rules out (a string where a number or a list is expected) say nothing.
    const fitting = issue.errors.filter((branch) => !branch.some((i) => i.code === "invalid_type" && i.path.length === 0));
    if (fitting.length === 1 && fitting[0]!.length > 0) {
      const inner = fitting[0]![0]!;
      return describeIssue({ ...inner, path: [...path, ...inner.path] } as Issue, schema, input, prefix);
    }
    const types = issue.errors.flatMap((branch) => branch.filter((i) => i.code === "invalid_type" && i.path.length === 0).map((i) => (i as { expected: string }).expected));
    const expected = issue.message !== "Invalid input" ? issue.message : `expected ${[...new Set(types)].join(" or ") || "another value"}`;
    return `${where(prefix, path)}: ${expected}, ${got}`;
  }
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => JSON.stringify(k)).join(", ");
    const valid = keysAt(schema, path);
    return `${where(prefix, path)}: unrecognized key${issue.keys.length > 1 ? "s" : ""} ${keys}${valid ? ` (valid keys: ${valid.join(", ")})` : ""}`;
  }
  if (issue.code === "invalid_type") return value === undefined ? `${where(prefix, path)}: missing (expected ${issue.expected})` : `${where(prefix, path)}: expected ${issue.expected}, ${got}`;
  return `${where(prefix, path)}: ${issue.message.replace(/^Invalid input: /, "")}, ${got}`;
}

/** `base.grid.seeds[0]`-style: the path under `prefix`, "(top level)" for none. */
function where(prefix: string, path: Path): string {
  const text = path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
  return `${prefix}${prefix ? text : text.replace(/^\./, "")}` || "(top level)";
}

function valueAt(input: unknown, path: Path): unknown {
  let v = input;
  for (const p of path) v = v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/** The keys an object schema at `path` accepts (through defaults, optionals, arrays and unions). */
function keysAt(schema: z.ZodType, path: Path): string[] | null {
  const def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType; element?: z.ZodType; options?: z.ZodType[]; shape?: Record<string, z.ZodType> } } })._zod.def;
  if (def.innerType) return keysAt(def.innerType, path);
  if (def.type === "union") {
    for (const o of def.options ?? []) {
      const k = keysAt(o, path);
      if (k) return k;
    }
    return null;
  }
  if (path.length === 0) return def.type === "object" && def.shape ? Object.keys(def.shape) : null;
  const [head, ...rest] = path;
  if (def.type === "array" && typeof head === "number" && def.element) return keysAt(def.element, rest);
  const next = def.type === "object" ? def.shape?.[String(head)] : undefined;
  return next ? keysAt(next, rest) : null;
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

/**
 * Every grid point, in a fixed order (n, C, labels, protocol, budget, seed): shards and resume depend on it.
 * The protocol is in a point's name only when the sweep lists protocols, so older sweeps keep their names.
 */
export function expandGrid(c: SweepConfig): SweepPoint[] {
  const points: SweepPoint[] = [];
  const protocols = c.grid.protocols?.map((p) => p.name) ?? [BASE_PROTOCOL];
  for (const n of nValues(c)) {
    for (const classes of c.grid.classes) {
      for (const labels of c.grid.labels) {
        for (const protocol of protocols) {
          const protocolSlug = c.grid.protocols ? `_${protocol}` : "";
          for (const budget of c.grid.budgets) {
            for (const seed of seedList(c)) {
              const name = `n${n}_C${classes}_${labels.replace(":", "-p")}${protocolSlug}_${budgetSlug(budget)}_seed${seed}`;
              points.push({ name, n, classes, labels, protocol, budget, budgetLabel: budgetLabel(budget), seed });
            }
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

/** `over` merged into `base`: plain objects key by key (a protocol can set one crossbar setting), anything else replaced. */
export function mergeOverrides(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlainObject(b) && isPlainObject(v) ? mergeOverrides(b, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The validated TrainConfig of a point: base, its protocol's overrides, then the grid's coordinates, with the
 * epochs of its budget (an update budget becomes the nearest whole number of epochs; the analysis uses the
 * updates the run counted).
 */
export function pointTrainConfig(c: SweepConfig, p: SweepPoint, source = "sweep config"): TrainConfig {
  const protocol = c.grid.protocols?.find((q) => q.name === p.protocol);
  const base = protocol ? mergeOverrides(c.base, protocol.base) : c.base;
  const input = { ...base, samples: p.n, classes: p.classes, labels: p.labels, seed: p.seed, epochs: 1 };
  const probe = parseTrainConfig(input, `${source} (base${protocol ? ` + protocol ${protocol.name}` : ""}, point ${p.name})`);
  let epochs: number;
  if ("epochs" in p.budget) epochs = p.budget.epochs;
  else if ("updates" in p.budget) epochs = Math.max(1, Math.round(p.budget.updates / Math.ceil(p.n / probe.batchSize)));
  else epochs = p.budget.criterion.maxEpochs;
  return { ...probe, epochs };
}
