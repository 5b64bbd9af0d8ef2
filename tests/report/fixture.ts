// A synthetic sweep directory in the run-directory format, for report tests without training anything.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../../src/random/rng.js";
import { expandGrid, parseSweepConfig } from "../../src/experiment/sweep-config.js";

export const FIXTURE_CONFIG = {
  name: "fixture",
  device: "sim:ideal",
  base: { dataset: "toy:2d", layers: [4] },
  grid: { n: [16, 64, 256], classes: [2, 4], labels: ["random", "teacher"], budgets: [{ epochs: 4 }], seeds: 10 },
  analysis: { bootstrapResamples: 200, seed: 1, errorVarianceRatio: 1 },
};

/** Writes the sweep: E = 1e-12·I·noise, bits bracket [0.8·I, 1.25·I], metrics.csv and a conductance snapshot. */
export function writeFixtureSweep(dir: string): void {
  const config = parseSweepConfig(FIXTURE_CONFIG, "fixture");
  mkdirSync(join(dir, "runs"), { recursive: true });
  writeFileSync(join(dir, "sweep.json"), JSON.stringify(config, null, 2) + "\n");
  const rng = new Rng(3);
  for (const p of expandGrid(config)) {
    const run = join(dir, "runs", p.name);
    writeFixtureRun(run, p, rng);
    writeFileSync(join(run, "sweep-point.json"), JSON.stringify({ name: p.name, n: p.n, classes: p.classes, labels: p.labels, budgetLabel: p.budgetLabel, seed: p.seed }));
  }
}

export function writeFixtureRun(run: string, p: { n: number; classes: number; labels: string; seed: number }, rng: Rng): void {
  mkdirSync(run, { recursive: true });
  const bits = (p.labels === "random" ? 1 : 0.1) * p.n * Math.log2(p.classes) * Math.exp(0.05 * rng.normal());
  const e = 1e-12 * bits * Math.exp(0.1 * rng.normal());
  const summary = {
    run_dir: run,
    accuracy: { train: 0.9, test: 0.7 },
    energy_joules: {
      total: e,
      by_activity: { freeRead: 0.3 * e, nudgedRead: 0.1 * e, program: 0.55 * e, verifyRead: 0, reset: 0.05 * e },
      by_physical_component: { cell: 0.6 * e, halfSelected: 0.15 * e, peripheral: 0.25 * e },
    },
    bits_learned: { lower: { bits: 0.8 * bits, method: "fano" }, estimate: bits, upper: { bits: 1.25 * bits, method: "n·log2 C" }, all: [] },
    joules_per_bit: e / bits,
    landauer_multiple: e / (2.87e-21 * bits),
    temperature_kelvin: 300,
    n: p.n,
    classes: p.classes,
    label_mode: p.labels,
    devices: 16,
    updates: 4 * p.n,
    pulses: 40 * p.n,
    weight_path_l1: 0.01 * p.n * Math.exp(0.3 * rng.normal()),
    epochs: 4,
    seed: p.seed,
    device_uri: "sim:ideal",
  };
  writeFileSync(join(run, "summary.json"), JSON.stringify(summary, null, 2));
  writeFileSync(join(run, "records.jsonl"), [{ type: "start" }, { type: "stop", exit_status: "success" }].map((r) => JSON.stringify(r)).join("\n") + "\n");
  const rows = ["epoch,train_loss,train_accuracy,test_accuracy"];
  for (let k = 1; k <= 4; k++) rows.push(`${k},${(1 / k).toFixed(3)},${(1 - 0.5 / k).toFixed(3)},${(0.9 - 0.5 / k).toFixed(3)}`);
  writeFileSync(join(run, "metrics.csv"), rows.join("\n") + "\n");
  const g = Array.from({ length: 16 }, () => 1e-6 * (20 + 10 * rng.normal()));
  writeFileSync(join(run, "conductances-final.json"), JSON.stringify({ rows: 4, cols: 4, siemens: g }));
}
