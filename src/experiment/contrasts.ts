// Matched contrasts: random against teacher labels at equal n, C and budget. The protocol (inputs, n,
// budget) is the same, only the labels and so I differ: if E ∝ I, Δlog E should equal Δlog I.
import { Rng } from "../random/rng.js";
import { quantileSorted, type BootstrapInterval } from "./bootstrap.js";
import { BRACKET_ENDS, type BracketEnd, type ExperimentPoint } from "./point.js";

export interface MatchedContrast {
  /** "n=…|C=…|budget", or "pooled" for the average over every match with the same label pair. */
  match: string;
  random: string;
  against: string;
  seeds: { random: number; against: number };
  /** mean log E(random) − mean log E(against). */
  deltaLogE: BootstrapInterval;
  /** mean log I(random) − mean log I(against), per end of the bracket. */
  deltaLogI: Partial<Record<BracketEnd, BootstrapInterval>>;
  /** Δlog E − Δlog I: zero when E moves exactly in proportion to I. */
  excess: Partial<Record<BracketEnd, BootstrapInterval>>;
}

interface Pair {
  match: string;
  a: ExperimentPoint[];
  b: ExperimentPoint[];
}

export function matchedContrasts(points: readonly ExperimentPoint[], boot: { resamples: number; level: number; seed: number }): MatchedContrast[] {
  const groups = new Map<string, Map<string, ExperimentPoint[]>>();
  for (const p of points) {
    const match = `n=${p.n}|C=${p.classes}|${p.budget}`;
    const byLabel = groups.get(match) ?? new Map<string, ExperimentPoint[]>();
    groups.set(match, byLabel);
    const list = byLabel.get(p.labelMode) ?? [];
    list.push(p);
    byLabel.set(p.labelMode, list);
  }
  const byAgainst = new Map<string, Pair[]>();
  for (const match of [...groups.keys()].sort()) {
    const byLabel = groups.get(match)!;
    const random = byLabel.get("random");
    if (!random) continue;
    for (const label of [...byLabel.keys()].sort()) {
      if (label === "random") continue;
      const list = byAgainst.get(label) ?? [];
      list.push({ match, a: random, b: byLabel.get(label)! });
      byAgainst.set(label, list);
    }
  }
  const out: MatchedContrast[] = [];
  for (const [against, pairs] of [...byAgainst.entries()].sort(([x], [y]) => (x < y ? -1 : 1))) {
    for (const pair of pairs) out.push(contrast(pair.match, [pair], against, boot));
    if (pairs.length > 1) out.push(contrast("pooled", pairs, against, boot));
  }
  return out;
}

function contrast(match: string, pairs: Pair[], against: string, boot: { resamples: number; level: number; seed: number }): MatchedContrast {
  const logE = (p: ExperimentPoint) => (p.energyJoules > 0 ? Math.log(p.energyJoules) : Number.NaN);
  const logI = (end: BracketEnd) => (p: ExperimentPoint) => (p.bits[end] > 0 ? Math.log(p.bits[end]) : Number.NaN);
  const deltaLogE = twoSampleBootstrap(pairs, logE, { ...boot, seed: `${boot.seed}:contrast:${against}:${match}:E` });
  const deltaLogI: Partial<Record<BracketEnd, BootstrapInterval>> = {};
  const excess: Partial<Record<BracketEnd, BootstrapInterval>> = {};
  for (const end of BRACKET_ENDS) {
    const dI = twoSampleBootstrap(pairs, logI(end), { ...boot, seed: `${boot.seed}:contrast:${against}:${match}:I:${end}` });
    if (!Number.isFinite(dI.estimate)) continue;
    deltaLogI[end] = dI;
    const f = (p: ExperimentPoint) => logE(p) - logI(end)(p);
    excess[end] = twoSampleBootstrap(pairs, f, { ...boot, seed: `${boot.seed}:contrast:${against}:${match}:X:${end}` });
  }
  return {
    match,
    random: "random",
    against,
    seeds: { random: pairs.reduce((s, p) => s + p.a.length, 0), against: pairs.reduce((s, p) => s + p.b.length, 0) },
    deltaLogE,
    deltaLogI,
    excess,
  };
}

/**
 * Mean over pairs of (mean f(a) − mean f(b)), with a percentile CI from resampling seeds within each
 * group independently. NaN estimate when f is undefined anywhere (a log of zero bits, say).
 */
export function twoSampleBootstrap(
  pairs: readonly { a: readonly ExperimentPoint[]; b: readonly ExperimentPoint[] }[],
  f: (p: ExperimentPoint) => number,
  opts: { resamples: number; level: number; seed: number | string },
): BootstrapInterval {
  const fa = pairs.map((p) => p.a.map(f));
  const fb = pairs.map((p) => p.b.map(f));
  const stat = (xa: number[][], xb: number[][]) => xa.reduce((s, a, i) => s + meanOf(a) - meanOf(xb[i]!), 0) / xa.length;
  const estimate = stat(fa, fb);
  const rng = new Rng(opts.seed);
  const values: number[] = [];
  const resample = (x: number[]) => x.map(() => x[rng.int(x.length)]!);
  if (Number.isFinite(estimate)) {
    for (let r = 0; r < opts.resamples; r++) {
      const v = stat(fa.map(resample), fb.map(resample));
      if (Number.isFinite(v)) values.push(v);
    }
  }
  values.sort((x, y) => x - y);
  const alpha = (1 - opts.level) / 2;
  return {
    estimate,
    lower: quantileSorted(values, alpha),
    upper: quantileSorted(values, 1 - alpha),
    level: opts.level,
    resamples: opts.resamples,
    finiteResamples: values.length,
  };
}

function meanOf(a: readonly number[]): number {
  let s = 0;
  for (const v of a) s += v;
  return s / a.length;
}
