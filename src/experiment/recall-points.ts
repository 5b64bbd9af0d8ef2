// Sweep points of kind "recall": an associative-memory run per grid point, read by the same E-vs-I analysis.
//
// The grid's n is the number of patterns P (the units N are fixed in base, so n sets the load P/N), a
// protocol names the storage rule and its settings (MemoryConfig overrides), a budget's epochs are the most
// EqProp epochs the learned rule may take; classes and labels are 2 and "random" (random ±1 patterns).
// The run directory holds config.json, summary.json (src/run/recall-summary.ts) and records.jsonl.
import { join } from "node:path";
import { mkdirSync, writeFileSync } from "node:fs";
import type { Crossbar } from "../hal/crossbar.js";
import { runRecall } from "../run/recall-run.js";
import { MemoryConfigError, MemoryConfigSchema, parseMemoryConfig, type MemoryConfig } from "../train/memory/memory-config.js";
import type { WearStore } from "../wear/store.js";
import type { PointJob } from "./point-job.js";
import { describeIssue, mergeOverrides, SweepConfigError, type SweepConfig, type SweepPoint } from "./sweep-config.js";

/** Keys the grid sets on a recall point: refused in base and in a protocol's base. */
const RECALL_GRID_KEYS = ["patterns", "seed"];

/** Base and every protocol's base against the memory config's schema, before any point runs. */
export function checkRecallSettings(c: SweepConfig, source = "sweep config"): void {
  const check = (settings: Record<string, unknown>, where: string) => {
    for (const key of RECALL_GRID_KEYS) if (key in settings) throw new SweepConfigError(`${source}: ${where}.${key}: set by the grid (n is the number of patterns); remove it`);
    const r = MemoryConfigSchema.safeParse(settings);
    if (!r.success) throw new SweepConfigError(`${source}: ${describeIssue(r.error.issues[0]!, MemoryConfigSchema, settings, where)}`);
  };
  check(c.base, "base");
  c.grid.protocols?.forEach((p, i) => check(mergeOverrides(c.base, p.base), `grid.protocols[${i}].base`));
  if (c.grid.classes.some((k) => k !== 2)) throw new SweepConfigError(`${source}: grid.classes: a recall sweep stores ±1 patterns; expected [2]`);
  if (c.grid.labels.some((l) => l !== "random")) throw new SweepConfigError(`${source}: grid.labels: a recall sweep stores random patterns; expected ["random"]`);
  c.grid.budgets.forEach((b, i) => {
    if (!("epochs" in b)) throw new SweepConfigError(`${source}: grid.budgets[${i}]: a recall sweep's budget is {"epochs": K} (the most EqProp epochs the learned rule takes)`);
  });
}

/** The validated memory config of a point: base, its protocol, then P = n, the seed and the epoch budget. */
export function pointRecallConfig(c: SweepConfig, p: SweepPoint, source = "sweep config"): MemoryConfig {
  const protocol = c.grid.protocols?.find((q) => q.name === p.protocol);
  const base = protocol ? mergeOverrides(c.base, protocol.base) : c.base;
  const maxEpochs = "epochs" in p.budget ? p.budget.epochs : undefined;
  const input = mergeOverrides(base, { patterns: p.n, seed: p.seed, ...(maxEpochs ? { learned: { maxEpochs } } : {}) });
  try {
    return parseMemoryConfig(input, `${source} (point ${p.name})`);
  } catch (e) {
    throw e instanceof MemoryConfigError ? new SweepConfigError(e.message) : e;
  }
}

/** Runs one recall point into runsDir/<name>: config.json, summary.json, and records.jsonl ending in a success stop. */
export async function runRecallPoint(job: PointJob & { recall: MemoryConfig }, device: { crossbar?: Crossbar; wear?: WearStore; stopOnTrip?: boolean } = {}): Promise<void> {
  const dir = join(job.runsDir, job.point.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify({ kind: "recall", config: job.recall, device_uri: job.deviceUri }, null, 2) + "\n");
  const records = join(dir, "records.jsonl");
  writeFileSync(records, JSON.stringify({ type: "start", kind: "recall", point: job.point.name, time: new Date().toISOString() }) + "\n");
  const summary = await runRecall({
    config: job.recall,
    deviceUri: job.deviceUri,
    ...(device.crossbar ? { crossbar: device.crossbar } : {}),
    ...(device.wear ? { wear: { store: device.wear } } : {}),
    ...(device.stopOnTrip ? { stopOnTrip: true } : {}),
  });
  writeFileSync(join(dir, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
  writeFileSync(records, JSON.stringify({ type: "stop", exit_status: "success", reason: `stored ${job.recall.patterns} patterns, overlap ${summary.overlap}` }) + "\n", { flag: "a" });
}
