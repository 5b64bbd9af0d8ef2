// Synthetic sweeps with a known law for E, for the analysis' known-answer tests.
import { Rng } from "../../src/random/rng.js";
import { cellKey, type ExperimentPoint } from "../../src/experiment/point.js";

export interface SyntheticOptions {
  /** E as a function of the true bits and the update count. */
  energy: (bits: number, updates: number, rng: Rng) => number;
  seeds?: number;
  budgets?: number[];
  seed?: number;
}

/** n × C × labels × epochs × seeds; true I = n·log2C for random labels, a tenth of it for teacher labels. */
export function syntheticSweep(o: SyntheticOptions): ExperimentPoint[] {
  const rng = new Rng(o.seed ?? 7);
  const points: ExperimentPoint[] = [];
  const devices = 64;
  for (const n of [16, 32, 64, 128, 256]) {
    for (const classes of [2, 4, 10]) {
      for (const labelMode of ["random", "teacher"]) {
        for (const epochs of o.budgets ?? [5]) {
          for (let seed = 0; seed < (o.seeds ?? 10); seed++) {
            const trueBits = (labelMode === "random" ? 1 : 0.1) * n * Math.log2(classes) * Math.exp(0.05 * rng.normal());
            const updates = epochs * n;
            const e = o.energy(trueBits, updates, rng);
            const budget = `epochs=${epochs}`;
            points.push({
              id: `${n}-${classes}-${labelMode}-${epochs}-${seed}`,
              cell: cellKey({ n, classes, labelMode, budget }),
              seed,
              n,
              classes,
              labelMode,
              budget,
              energyJoules: e,
              energyByComponentJoules: { "activity:program": 0.75 * e, "activity:freeRead": 0.25 * e },
              bits: { lower: 0.8 * trueBits, estimate: trueBits, upper: 1.25 * trueBits },
              bitsMethod: { lower: "fano", upper: "n·log2 C" },
              updates,
              weightPathL1: 0.01 * updates * Math.exp(0.3 * rng.normal()),
              devices,
              temperatureKelvin: 300,
            });
          }
        }
      }
    }
  }
  return points;
}
