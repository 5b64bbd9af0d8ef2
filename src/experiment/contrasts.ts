// Matched contrasts: two levels of one factor compared cell by cell with every other coordinate equal.
// Labels (random, teacher, …, control) at equal n, C, protocol and budget: the protocol is the same, only I
// differs, so if E ∝ I then E_learn moves with I. Protocol or budget at equal n, C and labels: the reverse.
// Against the control (bits exactly 0) E(labels) − E(control) is the energy the information cost.
import type { BootstrapInterval } from "./bootstrap.js";
import { logShift, meanDifference, type LogShift, type MatchedCell, type ShiftOptions } from "./group-shift.js";
import { BRACKET_ENDS, CONTROL_LABELS, type BracketEnd, type ExperimentPoint } from "./point.js";

export type ContrastFactor = "labels" | "protocol" | "budget";

export interface MatchedContrast {
  factor: ContrastFactor;
  /** The two levels, a against b; against the control, b is the control. */
  a: string;
  b: string;
  /** The single matched cell ("n=…|C=…|…"), or "pooled" over every cell where both levels ran. */
  match: string;
  matches: number;
  runs: { a: number; b: number };
  /** log E_learn(a)/E_learn(b). */
  deltaLogE: LogShift;
  /** log I(a)/I(b) on each end of the bracket. */
  deltaLogI: Record<BracketEnd, LogShift>;
  /** E_learn(a) − E_learn(b), joules (mean over cells of the difference of seed means). */
  energyDifferenceJoules: BootstrapInterval;
  /** Overhead and device total, a − b, beside it. */
  overheadDifferenceJoules: BootstrapInterval;
  totalDifferenceJoules: BootstrapInterval;
}

interface FactorSpec {
  factor: ContrastFactor;
  level: (p: ExperimentPoint) => string;
  /** The coordinates held equal. */
  match: (p: ExperimentPoint) => string;
  /** Report every matched cell too (else only the pooled contrast). */
  perCell: boolean;
}

const FACTORS: FactorSpec[] = [
  { factor: "labels", level: (p) => p.labelMode, match: (p) => `n=${p.n}|C=${p.classes}|protocol=${p.protocol}|${p.budget}`, perCell: true },
  { factor: "protocol", level: (p) => p.protocol, match: (p) => `n=${p.n}|C=${p.classes}|labels=${p.labelMode}|${p.budget}`, perCell: false },
  { factor: "budget", level: (p) => p.budget, match: (p) => `n=${p.n}|C=${p.classes}|labels=${p.labelMode}|protocol=${p.protocol}`, perCell: false },
];

/** Label modes in contrast order: random first, the control last, the rest alphabetically between. */
export function labelOrder(a: string, b: string): number {
  const rank = (x: string) => (x === "random" ? 0 : x === CONTROL_LABELS ? 2 : 1);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Every pair of levels of every factor that varies: pooled over matched cells, and per cell for labels. */
export function matchedContrasts(points: readonly ExperimentPoint[], opts: ShiftOptions): MatchedContrast[] {
  const out: MatchedContrast[] = [];
  for (const spec of FACTORS) {
    const byMatch = new Map<string, Map<string, ExperimentPoint[]>>();
    for (const p of points) {
      const m = spec.match(p);
      const byLevel = byMatch.get(m) ?? new Map<string, ExperimentPoint[]>();
      byMatch.set(m, byLevel);
      byLevel.set(spec.level(p), [...(byLevel.get(spec.level(p)) ?? []), p]);
    }
    const levels = [...new Set(points.map(spec.level))].sort(spec.factor === "labels" ? labelOrder : undefined);
    for (let i = 0; i < levels.length; i++) {
      for (let j = i + 1; j < levels.length; j++) {
        const [a, b] = [levels[i]!, levels[j]!];
        const pairs: Pair[] = [];
        for (const m of [...byMatch.keys()].sort()) {
          const g = byMatch.get(m)!;
          if (g.has(a) && g.has(b)) pairs.push({ match: m, a: g.get(a)!, b: g.get(b)! });
        }
        if (pairs.length === 0) continue;
        const seed = `${opts.seed}:${spec.factor}:${a}:${b}`;
        if (spec.perCell && pairs.length > 1) for (const pair of pairs) out.push(contrast(spec.factor, a, b, pair.match, [pair], { ...opts, seed: `${seed}:${pair.match}` }));
        out.push(contrast(spec.factor, a, b, pairs.length > 1 ? "pooled" : pairs[0]!.match, pairs, { ...opts, seed }));
      }
    }
  }
  return out;
}

interface Pair {
  match: string;
  a: ExperimentPoint[];
  b: ExperimentPoint[];
}

function contrast(factor: ContrastFactor, a: string, b: string, match: string, pairs: readonly Pair[], opts: ShiftOptions): MatchedContrast {
  const cells = (f: (p: ExperimentPoint) => number): MatchedCell[] => pairs.map((p) => ({ match: p.match, a: p.a.map(f), b: p.b.map(f) }));
  const deltaLogI = {} as Record<BracketEnd, LogShift>;
  for (const end of BRACKET_ENDS) deltaLogI[end] = logShift(cells((p) => p.bits[end]), { ...opts, seed: `${opts.seed}:I:${end}` });
  return {
    factor,
    a,
    b,
    match,
    matches: pairs.length,
    runs: { a: pairs.reduce((s, p) => s + p.a.length, 0), b: pairs.reduce((s, p) => s + p.b.length, 0) },
    deltaLogE: logShift(cells((p) => p.energyJoules), { ...opts, seed: `${opts.seed}:E` }),
    deltaLogI,
    energyDifferenceJoules: meanDifference(cells((p) => p.energyJoules), { ...opts, seed: `${opts.seed}:dE` }),
    overheadDifferenceJoules: meanDifference(cells((p) => p.overheadJoules), { ...opts, seed: `${opts.seed}:dO` }),
    totalDifferenceJoules: meanDifference(cells((p) => p.totalJoules), { ...opts, seed: `${opts.seed}:dT` }),
  };
}

/** The contrasts the verdict judges: one per factor and pair of levels (the pooled one when there are several cells). */
export function contrastsToJudge(contrasts: readonly MatchedContrast[]): MatchedContrast[] {
  const byPair = new Map<string, MatchedContrast[]>();
  for (const c of contrasts) {
    const key = `${c.factor}:${c.a}:${c.b}`;
    byPair.set(key, [...(byPair.get(key) ?? []), c]);
  }
  return [...byPair.values()].map((list) => list.find((c) => c.match === "pooled") ?? list[0]!);
}
