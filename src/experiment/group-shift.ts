// How a quantity shifts between two groups of runs matched cell by cell (same n, C, …; different labels,
// protocol, budget or n), when a group can sit at exactly 0 (the control's bits, a lower bound of 0).
// The shift is the log ratio of the groups' means, pooled over the cells where both means are positive,
// with a bootstrap CI; a cell where one side is 0 is counted as "falls to 0" (an unbounded ratio), never NaN.
import { Rng } from "../random/rng.js";
import { quantileSorted, type BootstrapInterval } from "./bootstrap.js";

/** One matched cell: the value of each run of group a and of group b (NaN: the run has none; left out). */
export interface MatchedCell {
  match: string;
  a: readonly number[];
  b: readonly number[];
}

export interface LogShift {
  /** Mean over the cells with both means positive of log(mean a / mean b), with its CI; null when no cell has both. */
  finite: BootstrapInterval | null;
  /**
   * Cells by outcome: both means positive; b's mean 0 while a's is positive (from a to b the value falls to 0:
   * log ratio +∞); a's 0 while b's is positive (−∞); both 0; a side without any value.
   */
  cells: { finite: number; bZero: number; aZero: number; bothZero: number; missing: number };
  /** Runs at exactly 0 in each group, over every cell. */
  zeroRuns: { a: number; b: number };
}

export interface ShiftOptions {
  resamples: number;
  level: number;
  seed: number | string;
}

const values = (xs: readonly number[]) => xs.filter((x) => Number.isFinite(x));
const meanOf = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** The log ratio of means a/b over matched cells (see LogShift). Values must be ≥ 0 (energies, bits). */
export function logShift(cells: readonly MatchedCell[], opts: ShiftOptions): LogShift {
  const counts = { finite: 0, bZero: 0, aZero: 0, bothZero: 0, missing: 0 };
  const zeroRuns = { a: 0, b: 0 };
  const finiteCells: { a: number[]; b: number[] }[] = [];
  for (const cell of cells) {
    const a = values(cell.a);
    const b = values(cell.b);
    zeroRuns.a += a.filter((x) => x === 0).length;
    zeroRuns.b += b.filter((x) => x === 0).length;
    if (a.length === 0 || b.length === 0) {
      counts.missing++;
      continue;
    }
    const ma = meanOf(a);
    const mb = meanOf(b);
    if (ma > 0 && mb > 0) {
      counts.finite++;
      finiteCells.push({ a, b });
    } else if (ma > 0) counts.bZero++;
    else if (mb > 0) counts.aZero++;
    else counts.bothZero++;
  }
  return { finite: finiteCells.length ? pooledLogRatio(finiteCells, opts) : null, cells: counts, zeroRuns };
}

/** Mean over cells of log(mean a / mean b), resampling runs within each group of each cell. */
function pooledLogRatio(cells: readonly { a: number[]; b: number[] }[], opts: ShiftOptions): BootstrapInterval {
  const stat = (pick: (x: number[]) => number[]) => cells.reduce((s, c) => s + Math.log(meanOf(pick(c.a)) / meanOf(pick(c.b))), 0) / cells.length;
  return percentileInterval(stat((x) => x), stat, opts);
}

/** Mean over cells of (mean a − mean b), e.g. E_learn(labels) − E_learn(control) in joules; NaN values left out. */
export function meanDifference(cells: readonly MatchedCell[], opts: ShiftOptions): BootstrapInterval {
  const usable = cells.map((c) => ({ a: values(c.a), b: values(c.b) })).filter((c) => c.a.length > 0 && c.b.length > 0);
  const stat = (pick: (x: number[]) => number[]) => usable.reduce((s, c) => s + meanOf(pick(c.a)) - meanOf(pick(c.b)), 0) / usable.length;
  if (usable.length === 0) return { estimate: Number.NaN, lower: Number.NaN, upper: Number.NaN, level: opts.level, resamples: 0, finiteResamples: 0 };
  return percentileInterval(stat((x) => x), stat, opts);
}

function percentileInterval(estimate: number, stat: (pick: (x: number[]) => number[]) => number, opts: ShiftOptions): BootstrapInterval {
  const rng = new Rng(opts.seed);
  const resample = (x: number[]) => x.map(() => x[rng.int(x.length)]!);
  const draws: number[] = [];
  for (let r = 0; r < opts.resamples; r++) {
    const v = stat(resample);
    if (!Number.isNaN(v)) draws.push(v);
  }
  draws.sort((x, y) => x - y);
  const alpha = (1 - opts.level) / 2;
  return {
    estimate,
    lower: quantileSorted(draws, alpha),
    upper: quantileSorted(draws, 1 - alpha),
    level: opts.level,
    resamples: opts.resamples,
    finiteResamples: draws.filter((v) => Number.isFinite(v)).length,
  };
}

/** Some cell has a value on at least one side above 0: the shift says something. */
export function shiftDefined(s: LogShift): boolean {
  return s.cells.finite + s.cells.aZero + s.cells.bZero > 0;
}

/**
 * The smallest log shift the confidence limits support, signed: the CI end nearest 0 when the CI excludes 0,
 * ±Infinity when every informative cell falls to 0 on the same side, 0 when the cells disagree on the direction.
 */
export function conservativeLogShift(s: LogShift): number {
  const up = s.cells.bZero > 0;
  const down = s.cells.aZero > 0;
  if (up && down) return 0;
  if (!s.finite) return up ? Number.POSITIVE_INFINITY : down ? Number.NEGATIVE_INFINITY : 0;
  const { lower, upper } = s.finite;
  const fin = lower > 0 ? lower : upper < 0 ? upper : 0;
  if ((up && fin < 0) || (down && fin > 0)) return 0;
  return fin;
}

/** The shift is at least ×factor (either way) on confidence limits; "falls to 0" counts as unbounded. */
export function movesAtLeast(s: LogShift, factor: number): boolean {
  return Math.abs(conservativeLogShift(s)) >= Math.log(factor);
}

/**
 * The whole CI stays inside ×[1/factor, factor] and no cell falls to 0. Cells where both sides are 0 count as
 * unchanged when `bothZeroUnchanged` (bits: 0 = 0 exactly); otherwise they say nothing (energies: nothing measured).
 */
export function staysWithin(s: LogShift, factor: number, bothZeroUnchanged: boolean): boolean {
  if (s.cells.aZero > 0 || s.cells.bZero > 0) return false;
  if (!s.finite) return bothZeroUnchanged && s.cells.bothZero > 0;
  const f = Math.log(factor);
  return s.finite.lower >= -f && s.finite.upper <= f;
}
