// A synthetic sweep directory shaped like the pipeline's real output (examples/sweep-verdict.json), for report
// tests without training anything: three label modes with the control's bracket [0, 0], two protocols, two
// budgets; run summaries with E_learn, overhead and total; metrics.csv per epoch; a checkpoint per epoch whose
// store keeps the conductances at session.store.conductancesSiemens. As on the simulated ReRAM, E_learn follows
// the updates and the protocol, not the labels.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../../src/random/rng.js";
import { expandGrid, parseSweepConfig, type SweepPoint } from "../../src/experiment/sweep-config.js";

export const FIXTURE_CONFIG = {
  name: "fixture",
  device: "sim:reram?rows=16&cols=16&seed=1",
  base: { dataset: "toy:2d", weights: "crossbar", layers: [] },
  grid: {
    n: [16, 64],
    classes: [2, 4],
    labels: ["random", "teacher", "control"],
    protocols: [
      { name: "dense", base: { crossbar: { update: "dense" } } },
      { name: "threshold", base: { crossbar: { update: "threshold" } } },
    ],
    budgets: [{ epochs: 2 }, { epochs: 4 }],
    seeds: 10,
  },
  analysis: { bootstrapResamples: 200, seed: 1, errorVarianceRatio: 1 },
};

const BATCH = 4;
/** Joules per update: the threshold protocol writes fewer pulses. */
const JOULES_PER_UPDATE: Record<string, number> = { dense: 3e-8, threshold: 2e-8 };
const OVERHEAD = 5e-3;
/** Conductances of every checkpoint before the last: one value, so a reader of the wrong one is caught. */
export const EARLY_CONDUCTANCE_SIEMENS = 1e-6;

export function writeFixtureSweep(dir: string): void {
  const config = parseSweepConfig(FIXTURE_CONFIG, "fixture");
  mkdirSync(join(dir, "runs"), { recursive: true });
  writeFileSync(join(dir, "sweep.json"), JSON.stringify(config, null, 2) + "\n");
  const rng = new Rng(3);
  for (const p of expandGrid(config)) writeFixtureRun(join(dir, "runs", p.name), p, rng);
}

/** The bracket as the pipeline writes it: the control's [0, 0], teacher's lower end 0, some estimates at 0. */
function bracket(p: SweepPoint, rng: Rng) {
  const upper = p.n * Math.log2(p.classes);
  if (p.labels === "control") {
    const control = { bits: 0, method: "control: training labels redrawn every epoch", bound: "control", confidence: null };
    return { lower: control, estimate: { bits: 0, method: "control", bound: "control", confidence: null }, upper: control };
  }
  const share = p.labels === "random" ? 0.25 : 0.05;
  // A quarter of random-label runs and a fifth of teacher runs learn nothing the code length can see.
  const blank = p.labels === "random" ? p.seed % 4 === 0 : p.seed % 5 === 0;
  const estimate = blank ? 0 : share * upper * Math.exp(0.2 * rng.normal());
  const lower = p.labels === "random" && p.n === 64 ? 0.5 * estimate : 0;
  return {
    lower: p.labels === "random" ? { bits: lower, method: "Fano, n·[log2 C − h2(ε) − ε·log2(C−1)]", bound: "fano", confidence: 0.95 } : { bits: 0, method: "none applies: I ≥ 0", bound: "none", confidence: null },
    estimate: { bits: estimate, method: "prequential", bound: "prequential", confidence: null },
    upper: { bits: upper, method: `n·log2 C = ${p.n}·log2 ${p.classes}`, bound: "label_entropy", confidence: null },
  };
}

export function writeFixtureRun(run: string, p: SweepPoint, rng: Rng): void {
  mkdirSync(join(run, "checkpoints"), { recursive: true });
  const epochs = "epochs" in p.budget ? p.budget.epochs : 1;
  const updates = epochs * Math.ceil(p.n / BATCH);
  const learning = JOULES_PER_UPDATE[p.protocol]! * updates * Math.exp(0.05 * rng.normal());
  const overhead = OVERHEAD * (1 + 0.01 * rng.normal());
  const total = learning + overhead;
  const trained = p.labels === "control" ? 0.5 : p.labels === "random" ? 0.7 : 0.9;
  const summary = {
    status: "success",
    accuracy: { train: trained, test: p.labels === "teacher" ? 0.8 : 0.5 },
    energy_joules: {
      total,
      learning,
      overhead,
      groups: { learning: ["freeRead", "nudgedRead", "program", "verifyRead", "refresh"], overhead: ["reset", "initialise", "characterise"] },
      by_activity: { freeRead: 0.03 * learning, nudgedRead: 0, program: 0.97 * learning, verifyRead: 0, refresh: 0, reset: 0, initialise: 0.02 * overhead, characterise: 0.98 * overhead },
      by_physical_component: { cell: 0.06 * total, halfSelected: 0.93 * total, peripheral: 0.01 * total },
    },
    bits_learned: { ...bracket(p, rng), all: [] },
    temperature_kelvin: 300,
    n: p.n,
    classes: p.classes,
    label_mode: p.labels,
    devices: 4 * p.classes,
    updates,
    pulses: 10 * updates,
    weight_path_l1: 0.02 * updates * Math.exp(0.3 * rng.normal()),
    epochs,
    seed: p.seed,
    device_uri: FIXTURE_CONFIG.device,
  };
  writeFileSync(join(run, "summary.json"), JSON.stringify(summary, null, 2));
  writeFileSync(join(run, "records.jsonl"), [{ type: "start" }, { type: "stop", exit_status: "success" }].map((r) => JSON.stringify(r)).join("\n") + "\n");
  writeFileSync(join(run, "sweep-point.json"), JSON.stringify({ name: p.name, n: p.n, classes: p.classes, labels: p.labels, protocol: p.protocol, budgetLabel: p.budgetLabel, seed: p.seed }));
  const rows = ["epoch,train_loss,train_accuracy,updates,device_joules_learning"];
  for (let k = 1; k <= epochs; k++) rows.push(`${k},${(1 / k).toFixed(3)},${(trained - 0.3 / k).toFixed(3)},${(updates * k) / epochs},${(learning * k) / epochs}`);
  writeFileSync(join(run, "metrics.csv"), rows.join("\n") + "\n");
  for (let k = 1; k <= epochs; k++) {
    const g = Array.from({ length: 4 * p.classes }, () => (k === epochs ? 1e-6 * (5 + 50 * Math.abs(rng.normal())) : EARLY_CONDUCTANCE_SIEMENS));
    writeFileSync(join(run, "checkpoints", `epoch-${k}.json`), JSON.stringify({ schema_version: 1, epoch: k, session: { store: { kind: "crossbar", conductancesSiemens: g } } }));
  }
}
