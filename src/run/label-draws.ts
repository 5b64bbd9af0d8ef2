// K label draws of one protocol, pooled into one bracket: each draw is an ordinary run (seed, seed+1, …)
// in DIR/draw-k; DIR/summary.json pools their training errors and confusion tables, so one command
// reaches a Fano bound close to n·log2 C (one memorized draw of n labels cannot: its confidence limit on
// the error rate stays wide). Bits and joules are per draw: I(Yⁿ;θ) of one draw, E_learn averaged.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { bitsBracket, type BracketInput } from "../info/bracket.js";
import { runDirName, writeJsonFile } from "./run-dir.js";
import { perBitFigures, type TrainingSummary } from "./summary.js";
import { runTraining, type RunTrainingOptions } from "./train-run.js";
import { makeFolders } from "../files/make-folders.js";

export interface DrawRecord {
  seed: number;
  run_dir: string;
  epochs: number;
  accuracy: TrainingSummary["accuracy"];
  learning_joules: number;
  train_errors: { errors: number; trials: number };
}

export type PooledSummary = TrainingSummary & { draws: DrawRecord[] };

/** Runs `count` draws one after the other (one device at a time) and writes the pooled summary. */
export async function runLabelDraws(opts: RunTrainingOptions, count: number): Promise<PooledSummary> {
  const parent = resolve(join(opts.outDir, opts.runDirName ?? `${runDirName()}-draws`));
  makeFolders(parent);
  const runs: TrainingSummary[] = [];
  for (let k = 0; k < count; k++) {
    const config = { ...opts.config, seed: opts.config.seed + k };
    runs.push(await runTraining({ ...opts, config, outDir: parent, runDirName: `draw-${k + 1}` }));
  }
  const pooled = poolDraws(runs, parent);
  writeJsonFile(join(parent, "summary.json"), pooled);
  return pooled;
}

const mean = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

/** Mean of every number in a record of numbers (by_activity, by_physical_component). */
function meanRecord(records: readonly Record<string, number>[]): Record<string, number> {
  return Object.fromEntries(Object.keys(records[0]!).map((k) => [k, mean(records.map((r) => r[k]!))]));
}

/** The pooled summary: errors and confusion summed over draws, code lengths and joules averaged. */
export function poolDraws(runs: readonly TrainingSummary[], dir: string): PooledSummary {
  if (runs.length === 0) throw new RangeError("poolDraws: no draws");
  const first = runs[0]!;
  const inputs = runs.map((r) => r.bits_input);
  const C = first.classes;
  const confusion = Array.from({ length: C }, (_, i) => Array.from({ length: C }, (_, j) => inputs.reduce((a, x) => a + (x.confusion?.[i]?.[j] ?? 0), 0)));
  const nullableMean = (xs: (number | null | undefined)[]) => (xs.every((x) => typeof x === "number") ? mean(xs as number[]) : null);
  const pooledInput: BracketInput = {
    ...first.bits_input,
    trainError: { errors: inputs.reduce((a, x) => a + x.trainError.errors, 0), trials: inputs.reduce((a, x) => a + x.trainError.trials, 0) },
    confusion,
    prequentialBits: nullableMean(inputs.map((x) => x.prequentialBits)),
    finalCodeBits: nullableMean(inputs.map((x) => x.finalCodeBits)),
    testError: inputs.every((x) => x.testError) ? { errors: inputs.reduce((a, x) => a + x.testError!.errors, 0), trials: inputs.reduce((a, x) => a + x.testError!.trials, 0) } : null,
    draws: runs.length,
  };
  const bracket = bitsBracket(pooledInput);
  const e = runs.map((r) => r.energy_joules);
  const learning = mean(e.map((x) => x.learning));
  return {
    ...first,
    run_dir: dir,
    accuracy: { train: mean(runs.map((r) => r.accuracy.train)), test: nullableMean(runs.map((r) => r.accuracy.test)) },
    energy_joules: {
      ...first.energy_joules,
      total: mean(e.map((x) => x.total)),
      learning,
      overhead: mean(e.map((x) => x.overhead)),
      by_activity: meanRecord(e.map((x) => x.by_activity)),
      by_physical_component: meanRecord(e.map((x) => x.by_physical_component)),
      by_component: meanRecord(e.map((x) => x.by_component)),
      by_component_learning: meanRecord(e.map((x) => x.by_component_learning)),
      board_power: nullableMean(e.map((x) => x.board_power)),
      host_cpu: nullableMean(e.map((x) => x.host_cpu)),
      interrupted: mean(e.map((x) => x.interrupted)),
      restore: mean(e.map((x) => x.restore)),
    },
    bits_learned: bracket,
    bits_input: pooledInput,
    ...perBitFigures(bracket, learning, first.temperature_kelvin),
    updates: mean(runs.map((r) => r.updates)),
    pulses: mean(runs.map((r) => r.pulses)),
    weight_path_l1: mean(runs.map((r) => r.weight_path_l1)),
    epochs: mean(runs.map((r) => r.epochs)),
    seed: first.seed,
    wall_seconds: runs.reduce((a, r) => a + r.wall_seconds, 0),
    draws: runs.map((r) => ({
      seed: r.seed,
      run_dir: r.run_dir,
      epochs: r.epochs,
      accuracy: r.accuracy,
      learning_joules: r.energy_joules.learning,
      train_errors: r.bits_input.trainError,
    })),
  };
}
