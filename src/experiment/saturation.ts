// Does E_learn keep rising after I saturates? Along each series (fixed C, labels, protocol and budget, n
// increasing) every step between consecutive n is a matched contrast of the larger n against the smaller,
// on E_learn and on each end of the bracket, judged on confidence limits. Bits at 0 on both sides of a step
// (the control; a lower bound of 0) count as I staying at 0: saturated.
import { conservativeLogShift, logShift, type LogShift, type ShiftOptions } from "./group-shift.js";
import { BRACKET_ENDS, type BracketEnd, type ExperimentPoint } from "./point.js";

/** I counts as saturated on a step when the upper CI limit of Δlog I is below this × Δlog n. */
export const SATURATION_I_FRACTION = 0.1;
/** E_learn keeps rising when the lower CI limit of Δlog E, less any rise of I, is at least log of this. */
export const SATURATION_E_RISE_FACTOR = 2;

export interface SaturationEnd {
  /** log I(toN)/I(fromN). */
  deltaLogI: LogShift;
  saturated: boolean;
}

export interface SaturationStep {
  series: string;
  fromN: number;
  toN: number;
  deltaLogN: number;
  /** log E_learn(toN)/E_learn(fromN). */
  deltaLogE: LogShift;
  ends: Record<BracketEnd, SaturationEnd>;
  /** Lower CI limit of Δlog E minus the largest rise of I the estimate's CI allows (log units); −Infinity when E does not rise. */
  excessRiseLogE: number;
  /** The estimate saturates, the lower end does not grow, and E_learn still rises ≥ SATURATION_E_RISE_FACTOR. */
  fires: boolean;
}

export function saturationSteps(points: readonly ExperimentPoint[], opts: ShiftOptions): SaturationStep[] {
  const series = new Map<string, Map<number, ExperimentPoint[]>>();
  for (const p of points) {
    const key = `C=${p.classes}|labels=${p.labelMode}|protocol=${p.protocol}|${p.budget}`;
    const byN = series.get(key) ?? new Map<number, ExperimentPoint[]>();
    series.set(key, byN);
    byN.set(p.n, [...(byN.get(p.n) ?? []), p]);
  }
  const steps: SaturationStep[] = [];
  for (const key of [...series.keys()].sort()) {
    const byN = series.get(key)!;
    const ns = [...byN.keys()].sort((a, b) => a - b);
    for (let i = 1; i < ns.length; i++) {
      const [from, to] = [byN.get(ns[i - 1]!)!, byN.get(ns[i]!)!];
      const seed = `${opts.seed}:saturation:${key}:${ns[i]}`;
      const shift = (f: (p: ExperimentPoint) => number, tag: string) => logShift([{ match: key, a: to.map(f), b: from.map(f) }], { ...opts, seed: `${seed}:${tag}` });
      const deltaLogN = Math.log(ns[i]! / ns[i - 1]!);
      const ends = {} as Record<BracketEnd, SaturationEnd>;
      for (const end of BRACKET_ENDS) {
        const deltaLogI = shift((p) => p.bits[end], end);
        ends[end] = { deltaLogI, saturated: iSaturated(deltaLogI, deltaLogN) };
      }
      const deltaLogE = shift((p) => p.energyJoules, "E");
      const excessRiseLogE = excessRise(deltaLogE, ends.estimate.deltaLogI);
      steps.push({
        series: key,
        fromN: ns[i - 1]!,
        toN: ns[i]!,
        deltaLogN,
        deltaLogE,
        ends,
        excessRiseLogE,
        fires: ends.estimate.saturated && ends.lower.saturated && excessRiseLogE >= Math.log(SATURATION_E_RISE_FACTOR),
      });
    }
  }
  return steps;
}

/** Saturated: stays at 0, falls to 0, or the upper CI limit of its growth is below the fraction of n's. */
function iSaturated(s: LogShift, deltaLogN: number): boolean {
  // a is the larger n: b at 0 means I rises from 0 there; a at 0, that it falls to 0.
  const { finite, bZero, aZero, bothZero } = s.cells;
  if (bZero > 0) return false;
  if (finite === 0) return aZero > 0 || bothZero > 0;
  return s.finite!.upper < SATURATION_I_FRACTION * deltaLogN;
}

/** How much more E rose than I could have, on confidence limits (log units). */
function excessRise(dE: LogShift, dI: LogShift): number {
  const eRise = conservativeLogShift(dE);
  if (!(eRise > 0)) return Number.NEGATIVE_INFINITY;
  const iRiseMax = dI.finite ? Math.max(0, dI.finite.upper) : dI.cells.bZero > 0 ? Number.POSITIVE_INFINITY : 0;
  return eRise - iRiseMax;
}
