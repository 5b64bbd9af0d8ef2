// The device-model families a pulse response is fitted to, each fitted on one subset of the pulses and able to
// predict any other: soft bounds, exponential step and linear step (exp step with γ = 0).
//
// Per free (switching) cell, consecutive readings give pairs (G_k, ΔG_k, polarity); m pulses separate them.
// - softBounds: ΔG_up = s_up·(G_max − G)/(G_max − G_min) is linear in G, so a line through the up pairs
//   gives G_max (its zero) and s_up; the down pairs likewise give G_min and s_down.
// - expStep / linearStep: the bounds are hard (G clips there), so they are the plateau levels the sweeps
//   settle at; then ΔG_up = s_up·exp(−γ_up·x), ΔG_down = s_down·exp(−γ_down·(1−x)), x = (G − G_min)/(G_max − G_min),
//   γ chosen on a grid (linearStep: γ = 0) and s per cell by least squares on the pairs away from the plateaus.
import type { DeviceModelKind } from "../sim/devices/params.js";
import type { PulseResponseResult } from "./procedures/pulse-response.js";

export interface CellFit {
  row: number;
  col: number;
  stuck: "no" | "min" | "max";
  gMinSiemens: number;
  gMaxSiemens: number;
  stepUpSiemens: number;
  stepDownSiemens: number;
}

export interface Pair {
  g: number;
  dg: number;
  sign: number;
  /**
   * The level regressed on: the mean of up to 4 readings on each side of the pair (as many each side, same sweep),
   * none of them the pair's own. Regressing ΔG on its own noisy first reading biases the law (that reading's noise
   * enters ΔG with the opposite sign: with reram's 1 % read noise the bias is as large as a step).
   */
  gs: number;
}

/** One family fitted: its cells, its rates, and the change it predicts for a group of pulses on cell j. */
export interface FamilyFit {
  model: DeviceModelKind;
  gammaUp: number;
  gammaDown: number;
  /** The free cells, in curve order (index j of `predict` is the curve index). */
  cells: CellFit[];
  predict(j: number, p: Pair): number;
  /** Pairs whose step law is informative (not clipped at a hard bound): the ones the write noise is fitted on. */
  informative(j: number, p: Pair): boolean;
}

type Curves = PulseResponseResult["curves"];
/** Which pairs (by index k in the sequence) a family is fitted on. */
export type PairFilter = (k: number) => boolean;

// Loops, not Math.max(...a): a pulse response holds far more readings than a call may take arguments.
export const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length);
export const maxOf = (a: number[]) => a.reduce((m, v) => (v > m ? v : m), Number.NEGATIVE_INFINITY);
export const minOf = (a: number[]) => a.reduce((m, v) => (v < m ? v : m), Number.POSITIVE_INFINITY);

/** Least-squares line y = a + b·x. */
export function line(xs: number[], ys: number[]): { a: number; b: number } {
  const mx = mean(xs), my = mean(ys);
  let sxy = 0, sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const b = sxx > 0 ? sxy / sxx : 0;
  return { a: my - b * mx, b };
}

export function pairsOf(siemens: number[], polarity: number[]): Pair[] {
  const out: Pair[] = [];
  for (let k = 0; k < polarity.length; k++) {
    const sign = polarity[k]!;
    let w = 0;
    while (w < 4 && k - w - 1 >= 0 && polarity[k - w - 1] === sign && k + w + 1 < polarity.length && polarity[k + w + 1] === sign) w++;
    let sum = 0;
    for (let i = 1; i <= w; i++) sum += siemens[k - i]! + siemens[k + 1 + i]!;
    out.push({ g: siemens[k]!, dg: siemens[k + 1]! - siemens[k]!, sign, gs: w > 0 ? sum / (2 * w) : siemens[k]! });
  }
  return out;
}

/**
 * Mean of the readings a cell settled at in the sweeps of polarity `sign`: the last twentieth of each sweep
 * (at least 8 readings), the window the pulse response's settling test found flat. A hard bound clips there.
 * An open last sweep (cut short, or stopped at its most pulses) never reached its bound and gives none; with no
 * closed sweep of that sign the bound is the extreme reading (the highest or lowest level read: the bound is at
 * least that far out).
 */
export function plateau(siemens: number[], polarity: number[], sign: number, lastSweepOpen = false): number {
  const vals: number[] = [];
  let start = 0;
  for (let k = 1; k <= polarity.length; k++) {
    if (k === polarity.length || polarity[k] !== polarity[start]) {
      if (polarity[start] === sign && !(lastSweepOpen && k === polarity.length)) {
        const len = k - start;
        for (let j = k - Math.min(len, Math.max(8, Math.floor(len / 20))); j < k; j++) vals.push(siemens[j + 1]!);
      }
      start = k;
    }
  }
  if (vals.length > 0) return mean(vals);
  return sign > 0 ? maxOf(siemens) : minOf(siemens);
}

export function softBoundsFamily(curves: Curves, polarity: number[], free: boolean[], m: number, use: PairFilter): FamilyFit {
  const cells: CellFit[] = [];
  const law: { gMin: number; gMax: number; bUp: number; cDown: number }[] = [];
  curves.forEach((c, j) => {
    if (!free[j]) return;
    const pairs = pairsOf(c.siemens, polarity).filter((_, k) => use(k));
    const up = pairs.filter((p) => p.sign > 0);
    const down = pairs.filter((p) => p.sign < 0);
    const lu = line(up.map((p) => p.gs), up.map((p) => p.dg)); // dg = a − b·g, b = −slope
    const ld = line(down.map((p) => p.gs), down.map((p) => p.dg)); // dg = −c·(g − G_min) = a − c·g
    // Over m pulses a soft-bound device moves (G_max − G)·(1 − (1 − b)^m): still linear in G; undo the power.
    const perPulse = (bm: number) => (bm > 0 && bm < 1 ? 1 - Math.pow(1 - bm, 1 / m) : bm / m);
    const bUp = perPulse(-lu.b), cDown = perPulse(-ld.b);
    const gMax = bUp > 0 ? lu.a / bUp : maxOf(c.siemens);
    const gMin = cDown > 0 ? ld.a / cDown : minOf(c.siemens);
    const range = Math.max(gMax - gMin, 1e-30);
    cells.push({ row: c.row, col: c.col, stuck: "no", gMinSiemens: gMin, gMaxSiemens: gMax, stepUpSiemens: bUp * range, stepDownSiemens: cDown * range });
    law[j] = { gMin, gMax, bUp, cDown };
  });
  return {
    model: "softBounds",
    gammaUp: 0,
    gammaDown: 0,
    cells,
    predict: (j, p) => {
      const { gMin, gMax, bUp, cDown } = law[j]!;
      return p.sign > 0 ? (gMax - p.g) * (1 - Math.pow(1 - bUp, m)) : -(p.g - gMin) * (1 - Math.pow(1 - cDown, m));
    },
    informative: () => true,
  };
}

/** Over m pulses (m·step small against the range) the hard-bound law moves ≈ m·s·f(x): s is per pulse. */
export function stepFamily(kind: "expStep" | "linearStep", curves: Curves, polarity: number[], lastSweepOpen: boolean, free: boolean[], clipMarginSiemens: number, m: number, use: PairFilter): FamilyFit {
  const bounds = curves.map((c) => ({ lo: plateau(c.siemens, polarity, -1, lastSweepOpen), hi: plateau(c.siemens, polarity, 1, lastSweepOpen) }));
  // A pair that touched a hard bound was clipped and says nothing about the step law. Judged on the pair's
  // smoothed level (gs), not its noisy readings: a plateau reading that happens to fall below the bound would pass
  // and, with its neighbour as low, count as a step of 0 (taox sits ~2000 groups at its bounds for ~16 of steps).
  const step = typicalStep(curves, polarity, free, bounds);
  const informative = (j: number, p: Pair) => {
    const { lo, hi } = bounds[j]!;
    const margin = clipMarginSiemens + step;
    return p.gs < hi - margin && p.gs > lo + margin;
  };
  // Each cell's fitted pairs of each polarity, found once (the γ grid goes over them 81 times).
  const fitted = (sign: number) => curves.map((c, j) => (free[j] ? pairsOf(c.siemens, polarity).filter((p, k) => use(k) && p.sign === sign && informative(j, p)) : []));
  const bySign = new Map([[1, fitted(1)], [-1, fitted(-1)]]);
  const shape = (gamma: number, sign: number, x: number) => m * (sign > 0 ? Math.exp(-gamma * x) : -Math.exp(-gamma * (1 - x)));
  const fitDirection = (sign: number) => {
    let best = { gamma: 0, sse: Number.POSITIVE_INFINITY, scale: [] as number[] };
    const gammas = kind === "linearStep" ? [0] : Array.from({ length: 81 }, (_, i) => i * 0.05);
    for (const gamma of gammas) {
      let sse = 0;
      const scale: number[] = [];
      curves.forEach((c, j) => {
        if (!free[j]) return scale.push(0);
        const { lo, hi } = bounds[j]!;
        const range = Math.max(hi - lo, 1e-30);
        const ps = bySign.get(sign)![j]!;
        let sfy = 0, sff = 0;
        for (const p of ps) {
          const f = shape(gamma, sign, (p.gs - lo) / range);
          sfy += f * p.dg;
          sff += f * f;
        }
        const s = sff > 0 ? sfy / sff : 0;
        scale.push(s);
        for (const p of ps) sse += (p.dg - s * shape(gamma, sign, (p.gs - lo) / range)) ** 2;
      });
      if (sse < best.sse) best = { gamma, sse, scale };
    }
    return best;
  };
  const up = fitDirection(1);
  const down = fitDirection(-1);
  const cells: CellFit[] = [];
  curves.forEach((c, j) => {
    if (!free[j]) return;
    const { lo, hi } = bounds[j]!;
    cells.push({ row: c.row, col: c.col, stuck: "no", gMinSiemens: lo, gMaxSiemens: hi, stepUpSiemens: up.scale[j]!, stepDownSiemens: down.scale[j]! });
  });
  return {
    model: kind,
    gammaUp: up.gamma,
    gammaDown: down.gamma,
    cells,
    predict: (j, p) => {
      const { lo, hi } = bounds[j]!;
      const x = (p.g - lo) / Math.max(hi - lo, 1e-30);
      const raw = p.sign > 0 ? up.scale[j]! * shape(up.gamma, 1, x) : down.scale[j]! * shape(down.gamma, -1, x);
      // The hard bound applied: a step predicted past it stops there.
      return Math.min(hi, Math.max(lo, p.g + raw)) - p.g;
    },
    informative,
  };
}

/** Median |ΔG| of the pairs in the middle half of their cell's range: about one step (a group's worth). */
function typicalStep(curves: Curves, polarity: number[], free: boolean[], bounds: { lo: number; hi: number }[]): number {
  const steps: number[] = [];
  curves.forEach((c, j) => {
    if (!free[j]) return;
    const { lo, hi } = bounds[j]!;
    for (const p of pairsOf(c.siemens, polarity)) {
      const x = (p.gs - lo) / Math.max(hi - lo, 1e-30);
      if (x > 0.25 && x < 0.75) steps.push(Math.abs(p.dg));
    }
  });
  steps.sort((a, b) => a - b);
  return steps.length > 0 ? steps[Math.floor(steps.length / 2)]! : 0;
}
