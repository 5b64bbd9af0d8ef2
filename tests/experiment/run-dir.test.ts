import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { energySplit, experimentPointFromRun } from "../../src/experiment/run-dir.js";

const root = mkdtempSync(join(tmpdir(), "mhil-run-dir-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeRun(name: string, summary: object, point?: object): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "summary.json"), JSON.stringify(summary));
  if (point) writeFileSync(join(dir, "sweep-point.json"), JSON.stringify(point));
  return dir;
}

const common = { n: 32, classes: 4, label_mode: "random", devices: 16, updates: 40, weight_path_l1: 2.5, epochs: 5, seed: 3, accuracy: { train: 0.9, test: 0.3 } };

describe("reading a run directory back as an analysis point", () => {
  it("takes E_learn, overhead and total from a summary that has them, and the bound names and confidences", () => {
    const dir = writeRun(
      "new",
      {
        ...common,
        energy_joules: { total: 10, learning: 4, overhead: 6, by_activity: { program: 3, freeRead: 1, reset: 1, characterise: 5 }, by_physical_component: { cell: 10 } },
        bits_learned: {
          lower: { bits: 50, method: "Fano, n·[…] with ε = 0.1", bound: "fano", confidence: 0.95 },
          estimate: { bits: 60, method: "prequential" },
          upper: { bits: 64, method: "n·log2 C = 32·log2 4", bound: "label_entropy" },
        },
      },
      { name: "p", n: 32, classes: 4, labels: "random", protocol: "pulse1", budgetLabel: "epochs=5", seed: 3 },
    );
    const p = experimentPointFromRun(dir, "p");
    expect(p).toMatchObject({ energyJoules: 4, overheadJoules: 6, totalJoules: 10, protocol: "pulse1", labelMode: "random", budget: "epochs=5" });
    expect(p.cell).toBe("n=32|C=4|labels=random|protocol=pulse1|epochs=5");
    expect(p.bits).toEqual({ lower: 50, estimate: 60, upper: 64 });
    expect(p.bitsBound).toEqual({ lower: "fano", upper: "label_entropy" });
    expect(p.bitsConfidence).toEqual({ lower: 0.95, upper: null });
    expect(p.energyByComponentJoules).toMatchObject({ "activity:program": 3, "physical:cell": 10 });
  });

  it("an older summary: E_learn = total − reset, the bound named from its method, the protocol 'base'", () => {
    const dir = writeRun("old", {
      ...common,
      energy_joules: { total: 10, by_activity: { program: 7, reset: 3 } },
      bits_learned: { lower: { bits: 0, method: "none applies: I ≥ 0" }, estimate: null, upper: { bits: 64, method: "n·log2 C = 32·log2 4" } },
    });
    const p = experimentPointFromRun(dir, "old");
    expect(p).toMatchObject({ energyJoules: 7, overheadJoules: 3, totalJoules: 10, protocol: "base", n: 32, classes: 4 });
    expect(p.bitsBound).toEqual({ lower: "none applies: I ≥ 0", upper: "n·log2 C" });
    expect(Number.isNaN(p.bits.estimate)).toBe(true);
  });

  it("a control run's closed bracket [0, 0] fixes its estimate at 0 even when the summary gives none", () => {
    const dir = writeRun("control", {
      ...common,
      label_mode: "control",
      energy_joules: { total: 5, learning: 2, overhead: 3 },
      bits_learned: { lower: { bits: 0, method: "control" }, estimate: null, upper: { bits: 0, method: "control" } },
    });
    expect(experimentPointFromRun(dir, "c").bits).toEqual({ lower: 0, estimate: 0, upper: 0 });
  });

  it("energySplit: overhead defaults to total − learning when only learning is given", () => {
    expect(energySplit({ total: 9, learning: 4 })).toEqual({ learning: 4, overhead: 5, total: 9 });
    expect(energySplit({ total: 9, by_activity: { reset: 1, initialise: 2 } })).toEqual({ learning: 6, overhead: 3, total: 9 });
  });
});
