// Synthetic sweeps shaped like the pipeline's output, with a known law for E_learn, for the verdict's
// known-answer tests. As in real runs: the upper end is n·log2 C for every label mode (label_entropy), the
// control's bracket is [0, 0], teacher runs have a lower end of 0 (no bound applies), every run carries a
// fixed overhead beside E_learn, and protocols and budgets move the competitors apart from I.
import { Rng } from "../../src/random/rng.js";
import { cellKey, type ExperimentPoint } from "../../src/experiment/point.js";

export interface SyntheticProtocol {
  name: string;
  /** Devices per class: N = this · C (a wider network for a larger value). */
  devicesPerClass: number;
  /** Σ‖Δθ‖₁ per update. */
  pathPerUpdate: number;
}

export interface SyntheticRun {
  /** The bits the run truly learned (0 for the control). */
  bits: number;
  updates: number;
  n: number;
  protocol: string;
}

export interface SyntheticOptions {
  /** E_learn of one run, joules. */
  energy: (run: SyntheticRun, rng: Rng) => number;
  ns?: number[];
  classes?: number[];
  labels?: string[];
  protocols?: SyntheticProtocol[];
  /** Epochs per budget. */
  budgets?: number[];
  seeds?: number;
  /** Spread (log sd) of the true bits between seeds, and of the estimate around them. */
  bitsNoise?: number;
  estimateNoise?: number;
  overheadJoules?: number;
  seed?: number;
}

export const SYNTHETIC_PROTOCOLS: SyntheticProtocol[] = [
  { name: "pulse1", devicesPerClass: 8, pathPerUpdate: 0.01 },
  { name: "wide", devicesPerClass: 24, pathPerUpdate: 0.03 },
];

/** Share of n·log2 C each label mode truly learns. */
const LEARNED_SHARE: Record<string, number> = { random: 0.9, teacher: 0.25, control: 0 };
const BATCH = 8;

export function syntheticSweep(o: SyntheticOptions): ExperimentPoint[] {
  const rng = new Rng(o.seed ?? 7);
  const points: ExperimentPoint[] = [];
  const overhead = o.overheadJoules ?? 5e-9;
  for (const n of o.ns ?? [16, 32, 64, 128, 256]) {
    for (const classes of o.classes ?? [2, 4, 10]) {
      const upper = n * Math.log2(classes);
      for (const labelMode of o.labels ?? ["random", "teacher", "control"]) {
        for (const protocol of o.protocols ?? SYNTHETIC_PROTOCOLS) {
          for (const epochs of o.budgets ?? [2, 8]) {
            const budget = `epochs=${epochs}`;
            for (let seed = 1; seed <= (o.seeds ?? 10); seed++) {
              const share = LEARNED_SHARE[labelMode] ?? 0.5;
              const bits = share * upper * Math.exp((o.bitsNoise ?? 0.05) * rng.normal());
              // The pipeline reports the estimate clamped into the bracket.
              const estimate = Math.min(upper, bits * Math.exp((o.estimateNoise ?? 0) * rng.normal()));
              const updates = epochs * Math.ceil(n / BATCH);
              const e = o.energy({ bits, updates, n, protocol: protocol.name }, rng);
              const isControl = labelMode === "control";
              const lower = labelMode === "random" ? 0.75 * estimate : 0;
              points.push({
                id: `n${n}_C${classes}_${labelMode}_${protocol.name}_ep${epochs}_seed${seed}`,
                cell: cellKey({ n, classes, labelMode, protocol: protocol.name, budget }),
                seed,
                n,
                classes,
                labelMode,
                protocol: protocol.name,
                budget,
                energyJoules: e,
                overheadJoules: overhead,
                totalJoules: e + overhead,
                energyByComponentJoules: { "activity:program": 0.75 * e, "activity:freeRead": 0.25 * e, "activity:characterise": overhead },
                bits: { lower, estimate: isControl ? 0 : estimate, upper: isControl ? 0 : upper },
                bitsMethod: { lower: labelMode === "random" ? "Fano" : "none applies: I ≥ 0", upper: isControl ? "control" : `n·log2 C = ${n}·log2 ${classes}` },
                bitsBound: { lower: labelMode === "random" ? "fano" : isControl ? "control" : "none", upper: isControl ? "control" : "label_entropy" },
                bitsConfidence: { lower: labelMode === "random" ? 0.95 : null, upper: null },
                updates,
                weightPathL1: protocol.pathPerUpdate * updates * Math.exp(0.3 * rng.normal()),
                devices: protocol.devicesPerClass * classes,
                temperatureKelvin: 300,
              });
            }
          }
        }
      }
    }
  }
  return points;
}
