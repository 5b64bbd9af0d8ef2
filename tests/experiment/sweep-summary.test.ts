// summary.json of a sweep written as the pipeline writes it: run directories with E_learn and overhead, the
// control's [0, 0] bracket, protocols; read back and summarised per end and against the control.
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expandGrid, parseSweepConfig } from "../../src/experiment/sweep-config.js";
import { summarizeSweep } from "../../src/experiment/sweep-summary.js";

const root = mkdtempSync(join(tmpdir(), "mhil-sweep-summary-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CONFIG = parseSweepConfig({
  name: "known",
  base: { dataset: "toy:2d", layers: [] },
  grid: {
    n: [16, 64, 256],
    classes: [2, 4],
    labels: ["random", "teacher", "control"],
    protocols: [{ name: "pulse1", base: { crossbar: { maxPulsesPerUpdate: 1 } } }, { name: "pulse4", base: {} }],
    budgets: [{ epochs: 2 }, { epochs: 8 }],
    seeds: 3,
  },
  pilot: true,
  analysis: { bootstrapResamples: 200 },
});
const OVERHEAD = 4e-9;
const SHARE: Record<string, number> = { random: 0.9, teacher: 0.25, control: 0 };

/** E_learn = 2e-13 J per update (whatever was learned), and 5e-13 per update under pulse4. */
function writeSweep(dir: string): void {
  for (const p of expandGrid(CONFIG)) {
    const run = join(dir, "runs", p.name);
    mkdirSync(run, { recursive: true });
    const upper = p.n * Math.log2(p.classes);
    const bits = SHARE[p.labels]! * upper * (1 + 0.01 * p.seed);
    const updates = ("epochs" in p.budget ? p.budget.epochs : 1) * Math.ceil(p.n / 8);
    const learning = (p.protocol === "pulse4" ? 5e-13 : 2e-13) * updates * (1 + 0.002 * p.seed);
    const control = p.labels === "control";
    const summary = {
      energy_joules: { total: learning + OVERHEAD, learning, overhead: OVERHEAD, by_activity: { program: learning, characterise: OVERHEAD }, by_physical_component: {} },
      bits_learned: {
        lower: p.labels === "random" ? { bits: 0.75 * bits, method: "Fano, …", bound: "fano", confidence: 0.95 } : { bits: 0, method: control ? "control" : "none applies: I ≥ 0", bound: control ? "control" : "none" },
        estimate: { bits, method: "prequential" },
        upper: control ? { bits: 0, method: "control", bound: "control" } : { bits: upper, method: `n·log2 C = ${p.n}·log2 ${p.classes}`, bound: "label_entropy" },
      },
      n: p.n,
      classes: p.classes,
      label_mode: p.labels,
      devices: 2 * p.classes * (p.protocol === "pulse4" ? 3 : 1),
      updates,
      weight_path_l1: 0.01 * updates * (1 + 0.1 * p.seed),
      epochs: "epochs" in p.budget ? p.budget.epochs : 1,
      seed: p.seed,
      accuracy: { train: 0.9, test: 0.5 },
    };
    writeFileSync(join(run, "summary.json"), JSON.stringify(summary));
    writeFileSync(join(run, "records.jsonl"), JSON.stringify({ type: "stop", exit_status: "success" }) + "\n");
    writeFileSync(join(run, "sweep-point.json"), JSON.stringify({ name: p.name, n: p.n, classes: p.classes, labels: p.labels, protocol: p.protocol, budgetLabel: p.budgetLabel, seed: p.seed }));
  }
}

describe("the sweep summary", () => {
  it("reports per end the runs at I = 0, the binding bounds and the VIF; E_learn against the control; overhead and total beside E_learn", () => {
    const dir = join(root, "a");
    writeSweep(dir);
    const s = summarizeSweep(dir, CONFIG);
    const runs = 3 * 2 * 3 * 2 * 2 * 3;
    expect(s.schema).toBe("mhil.sweep-summary/2");
    expect(s.points).toMatchObject({ grid: runs, analysed: runs, not_finished: [] });
    expect("beta_training_only" in s).toBe(false);
    expect(s.ends.upper).toMatchObject({ runs, used: 144, zero_i: 72, zero_i_by_labels: { control: 72 }, bounds: { label_entropy: 144, control: 72 }, label_blind: true });
    expect(s.ends.lower).toMatchObject({ used: 72, zero_i: 144, zero_i_by_labels: { teacher: 72, control: 72 }, bounds: { fano: 72, none: 72, control: 72 } });
    expect(s.ends.estimate!.vif).toBeGreaterThan(1);
    expect(s.beta.estimate!.vif).toBe(s.ends.estimate!.vif);
    expect(s.energy_joules.overhead).toMatchObject({ min: OVERHEAD, max: OVERHEAD });
    expect(s.energy_joules.overhead.mean).toBeCloseTo(OVERHEAD, 20);
    expect(s.energy_joules.total.mean).toBeCloseTo(s.energy_joules.learning.mean + OVERHEAD, 20);
    // E_learn does not depend on the labels: against the control it costs nothing, while I falls to 0 in every cell.
    const pooled = s.control_contrasts.find((c) => c.labels === "random" && c.match === "pooled")!;
    expect(pooled.runs).toEqual({ labels: 72, control: 72 });
    expect(pooled.e_learn_difference_joules.estimate).toBeCloseTo(0, 20);
    expect(pooled.e_learn_ratio!.estimate).toBeCloseTo(1, 12);
    expect(pooled.i_falls_to_zero_cells).toEqual({ lower: 24, estimate: 24, upper: 24 });
    expect(s.control_contrasts.filter((c) => c.labels === "teacher")).toHaveLength(25);
    expect(s.verdict).toBe("refutes");
    expect(s.reasons[0]).toMatch(/^matched contrast labels random vs control .*E_learn does not follow I/);
    expect(s.reasons.join("\n")).toMatch(/matched contrast protocol pulse1 vs pulse4 .*E_learn\(pulse1\)\/E_learn\(pulse4\): ×0\.4 \[95% CI ×0\.4, ×0\.4\] over 36 cell\(s\), at least ×2 .*the protocol moves E_learn at fixed I/);
    expect(s.reasons.at(-1)).toMatch(/^pilot sweep: 3 seeds per cell/);
  });
});
