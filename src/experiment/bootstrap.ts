// Cluster bootstrap: resample whole clusters (sweep cells or seeds) with replacement, so that points which
// share a cell are never treated as independent.
import { Rng } from "../random/rng.js";

export interface BootstrapInterval {
  estimate: number;
  /** Percentile interval [lower, upper] at `level`. */
  lower: number;
  upper: number;
  level: number;
  /** Resamples drawn, and how many produced a finite statistic (the interval uses those). */
  resamples: number;
  finiteResamples: number;
}

export interface ClusterBootstrapOptions {
  resamples?: number;
  level?: number;
  seed?: number | string;
}

/**
 * Percentile CI of `statistic` under resampling of clusters. `clusterOf(item)` names the cluster; each
 * resample draws as many clusters as there are, with replacement, and keeps every item of a drawn cluster.
 */
export function clusterBootstrap<T>(
  items: readonly T[],
  clusterOf: (item: T) => string,
  statistic: (sample: readonly T[]) => number,
  options: ClusterBootstrapOptions = {},
): BootstrapInterval {
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  const rng = new Rng(options.seed ?? 1);
  const clusters = new Map<string, T[]>();
  for (const it of items) {
    const k = clusterOf(it);
    const list = clusters.get(k);
    if (list) list.push(it);
    else clusters.set(k, [it]);
  }
  // Sorted keys: the same data in any order gives the same resamples.
  const groups = [...clusters.keys()].sort().map((k) => clusters.get(k)!);
  const estimate = statistic(items);
  const values: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const sample: T[] = [];
    for (let g = 0; g < groups.length; g++) sample.push(...groups[rng.int(groups.length)]!);
    const v = statistic(sample);
    if (Number.isFinite(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return {
    estimate,
    lower: quantileSorted(values, alpha),
    upper: quantileSorted(values, 1 - alpha),
    level,
    resamples,
    finiteResamples: values.length,
  };
}

/** Linear-interpolated quantile (type 7) of an ascending array, ±Infinity allowed; NaN when empty. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  // Equal neighbours (infinite ones included: a ratio against a group at 0) need no interpolation.
  if (sorted[lo] === sorted[hi]) return sorted[lo]!;
  // Between an infinite and a finite value the quantile is taken as the infinite one (the wider interval).
  if (sorted[lo] === Number.NEGATIVE_INFINITY) return sorted[lo]!;
  if (sorted[hi] === Number.POSITIVE_INFINITY) return sorted[hi]!;
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
