// Where each run goes on the E-against-I charts. A log axis has no 0: runs whose estimate of I is 0 (the
// control always) go to a strip of their own beside the log panel, counted per label mode, never dropped.
import type { ExperimentPoint } from "../../experiment/point.js";
import { extent } from "./common.js";

export interface PlacedRun {
  run: string;
  labels: string;
  protocol: string;
  C: number;
  n: number;
  /** The estimate of I, and the bar's ends: the bracket, its lower end at the panel's left edge when it is 0. */
  I: number;
  Ilo: number;
  Ihi: number;
  lowerIsZero: boolean;
  eLearn: number;
  overhead: number;
  total: number;
  /** Zero-strip column: the label mode with its count of runs at I = 0, e.g. "control (160)". */
  group: string;
  jitter: number;
}

export interface BitsPlacement {
  /** Estimate of I > 0 and E_learn > 0: on the log–log panel. */
  placed: PlacedRun[];
  /** Estimate of I exactly 0 and E_learn > 0: in the zero strip. */
  zero: PlacedRun[];
  /** Runs at I = 0 on the estimate per label mode (with E_learn > 0 or not). */
  zeroByLabels: Record<string, number>;
  /** Runs without device energy (E_learn ≤ 0, e.g. ideal weights): on neither, counted. */
  noEnergy: number;
  /** Runs without an estimate of I: on neither, counted. */
  noEstimate: number;
  /** The log axis of I: from below the smallest positive end of any bracket to above the largest. */
  xDomain: [number, number];
}

export function placeRuns(points: readonly ExperimentPoint[], jitterOf: (run: string) => number): BitsPlacement {
  const positive = points.flatMap((p) => [p.bits.lower, p.bits.estimate, p.bits.upper]).filter((x) => x > 0 && Number.isFinite(x));
  const [min, max] = extent(positive);
  const xDomain: [number, number] = positive.length ? [min / 2, max * 2] : [0.1, 10];
  const zeroByLabels: Record<string, number> = {};
  for (const p of points) if (p.bits.estimate === 0) zeroByLabels[p.labelMode] = (zeroByLabels[p.labelMode] ?? 0) + 1;
  const placed: PlacedRun[] = [];
  const zero: PlacedRun[] = [];
  let noEnergy = 0;
  let noEstimate = 0;
  for (const p of points) {
    const { lower, estimate, upper } = p.bits;
    if (!Number.isFinite(estimate)) noEstimate++;
    else if (!(p.energyJoules > 0)) noEnergy++;
    else {
      const row: PlacedRun = {
        run: p.id,
        labels: p.labelMode,
        protocol: p.protocol,
        C: p.classes,
        n: p.n,
        I: estimate,
        Ilo: lower > 0 ? lower : xDomain[0],
        Ihi: upper > 0 ? upper : estimate,
        lowerIsZero: !(lower > 0),
        eLearn: p.energyJoules,
        overhead: p.overheadJoules,
        total: p.totalJoules,
        group: `${p.labelMode} (${zeroByLabels[p.labelMode] ?? 0})`,
        jitter: jitterOf(p.id),
      };
      (estimate > 0 ? placed : zero).push(row);
    }
  }
  return { placed, zero, zeroByLabels, noEnergy, noEstimate, xDomain };
}
