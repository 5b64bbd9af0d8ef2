// Does E keep rising after I saturates? Along each series (fixed C, labels and budget, n increasing),
// compare the medians over seeds of log I and log E between consecutive n.
import type { ExperimentPoint } from "./point.js";

export interface SaturationStep {
  series: string;
  fromN: number;
  toN: number;
  deltaLogN: number;
  deltaLogI: number;
  deltaLogE: number;
  /** I grew by less than SATURATION_I_FRACTION of the growth of n (in logs). */
  iSaturated: boolean;
  /** E rose by more than EXCESS_RISE over what the change in I accounts for. */
  eStillRising: boolean;
}

/** I counts as saturated on a step when Δlog I < this × Δlog n. */
export const SATURATION_I_FRACTION = 0.1;
/** E counts as still rising when Δlog E − max(Δlog I, 0) > log of this factor. */
export const EXCESS_RISE_FACTOR = 1.25;

export function saturationSteps(obs: readonly { p: ExperimentPoint; logI: number; logE: number }[]): SaturationStep[] {
  const series = new Map<string, Map<number, { logI: number[]; logE: number[] }>>();
  for (const o of obs) {
    const key = `C=${o.p.classes}|labels=${o.p.labelMode}|${o.p.budget}`;
    const byN = series.get(key) ?? new Map<number, { logI: number[]; logE: number[] }>();
    series.set(key, byN);
    const at = byN.get(o.p.n) ?? { logI: [], logE: [] };
    at.logI.push(o.logI);
    at.logE.push(o.logE);
    byN.set(o.p.n, at);
  }
  const steps: SaturationStep[] = [];
  for (const key of [...series.keys()].sort()) {
    const byN = series.get(key)!;
    const ns = [...byN.keys()].sort((a, b) => a - b);
    for (let i = 1; i < ns.length; i++) {
      const a = byN.get(ns[i - 1]!)!;
      const b = byN.get(ns[i]!)!;
      const deltaLogN = Math.log(ns[i]! / ns[i - 1]!);
      const deltaLogI = median(b.logI) - median(a.logI);
      const deltaLogE = median(b.logE) - median(a.logE);
      const iSaturated = deltaLogI < SATURATION_I_FRACTION * deltaLogN;
      steps.push({
        series: key,
        fromN: ns[i - 1]!,
        toN: ns[i]!,
        deltaLogN,
        deltaLogI,
        deltaLogE,
        iSaturated,
        eStillRising: deltaLogE - Math.max(deltaLogI, 0) > Math.log(EXCESS_RISE_FACTOR),
      });
    }
  }
  return steps;
}

export function median(a: readonly number[]): number {
  const s = [...a].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
