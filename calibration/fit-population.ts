// The population's parameters from the step survey (procedures/step-survey.ts) of thousands of cells: the mean
// step each way (so the step and its asymmetry), the step's device-to-device spread, the mean bounds and their
// spread. The pulse response's 16 cells fix the step law's shape (the family, γ) well, but not these means and
// spreads: with a step spread of 0.3 the mean step of 16 cells is uncertain by ±5 % each way and the asymmetry
// by ±0.05 (prezioso, 0.15: fitted 0.125 from 16 cells and 0.10 from 64, and at 0.10 the twin trained to 3.8
// points below its device, 4.1 of them back with the asymmetry alone set right).
import type { StepSurveyResult } from "./procedures/step-survey.js";
import { stepLawFactor, type StepLaw } from "./fit-threshold.js";
import type { CellFit } from "./fit-families.js";

/** Simpson panels for the pulses-between-two-levels integral: the law is smooth, 32 panels are exact to ~1e-7. */
const PANELS = 32;
/** A law factor below this is a level past the bound a burst pushes toward (noise): counted as this much step left. */
const MIN_FACTOR = 0.05;

export interface Population {
  /** Mean nominal step each way, siemens (the law's full step, at the bound a cell starts from). */
  stepUpSiemens: number;
  stepDownSiemens: number;
  stepSpreadD2d: number;
  gMinSiemens: number;
  gMaxSiemens: number;
  boundsSpreadD2d: number;
  /** Fractions of cells that did not switch, at the floor and at the ceiling (null: too few cells to tell). */
  stuckAtMinProbability: number | null;
  stuckAtMaxProbability: number | null;
  /** The stuck cells by address and the bound each sits at (a survey only; null: the pulse response's few cells). */
  stuckCells: { row: number; col: number; bound: "min" | "max" }[] | null;
  /** Cells the figures come from (in a survey, the switching cells: range at least a fifth of the median). */
  cells: number;
  /** Each switching cell's own bounds and steps (a survey only), shrunk toward the population by their noise. */
  surveyedCells: SurveyedCell[] | null;
}

export interface SurveyedCell {
  row: number;
  col: number;
  /** The cell's bounds; null where the survey's drive stopped short of it (the twin draws that bound). */
  gMinSiemens: number | null;
  gMaxSiemens: number | null;
  /** The cell's nominal step each way over the population's mean step. */
  stepUpScale: number;
  stepDownScale: number;
}

/** The population as the pulse response's fitted cells show it: means, and spreads as sample deviations. */
export function populationOfCells(cells: CellFit[]): Population {
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / Math.max(1, a.length);
  const variance = (a: number[]) => {
    const m = mean(a);
    return a.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, a.length - 1);
  };
  const ups = cells.map((c) => c.stepUpSiemens), downs = cells.map((c) => c.stepDownSiemens);
  const lows = cells.map((c) => c.gMinSiemens), highs = cells.map((c) => c.gMaxSiemens);
  const meanUp = mean(ups), meanDown = mean(downs), range = mean(highs) - mean(lows);
  const several = cells.length > 1;
  return {
    stepUpSiemens: meanUp,
    stepDownSiemens: meanDown,
    stepSpreadD2d: several ? Math.sqrt((variance(ups) / meanUp ** 2 + variance(downs) / meanDown ** 2) / 2) : 0,
    gMinSiemens: mean(lows),
    gMaxSiemens: mean(highs),
    boundsSpreadD2d: several ? Math.sqrt((variance(lows) + variance(highs)) / 2) / range : 0,
    stuckAtMinProbability: null,
    stuckAtMaxProbability: null,
    stuckCells: null,
    cells: cells.length,
    surveyedCells: null,
  };
}

/**
 * The nominal step s that carries a cell from g0 to g1 in `pulses` pulses of a law whose factor is f(g) on the
 * cell's own bounds. The burst starts at the cell's bound, where f = 1; along the burst the law slows it (soft
 * bounds: ~10 % over a tenth of the range, more for a fast cell than a slow one, so a plain Δg/pulses would narrow
 * the spread). The simulator moves each pulse by s·f(g) from where the pulse finds the cell, so s solves the
 * discrete map, g_{k+1} = g_k + s·f(g_k), by the secant method from the continuous estimate pulses·s = ∫ dg/f(g)
 * (which alone is ~γ·s/(2·range) high: 1.4 % on neurosim, 1.6 % steps with γ = 1.75).
 */
export function stepFromBurst(law: StepLaw, g0: number, g1: number, pulses: number, sign: number): number {
  const h = (g1 - g0) / PANELS;
  const inv = (g: number) => 1 / Math.max(MIN_FACTOR, stepLawFactor(law, g, sign));
  let sum = inv(g0) + inv(g1);
  for (let i = 1; i < PANELS; i++) sum += (i % 2 === 1 ? 4 : 2) * inv(g0 + i * h);
  const continuous = Math.abs((sum * h) / 3) / pulses;
  const target = Math.abs(g1 - g0);
  const miss = (s: number) => {
    let g = g0;
    for (let k = 0; k < pulses; k++) g += sign * s * Math.max(MIN_FACTOR, stepLawFactor(law, g, sign));
    return Math.abs(g - g0) - target;
  };
  let a = continuous, b = 0.98 * continuous, fa = miss(a), fb = miss(b);
  for (let i = 0; i < 8 && fb !== fa && Math.abs(fb) > 1e-9 * target; i++) {
    const c = b - (fb * (b - a)) / (fb - fa);
    a = b;
    fa = fb;
    b = c;
    fb = miss(b);
  }
  return Number.isFinite(b) && b > 0 ? b : continuous;
}

/** How far from the bound it drives toward a cell stops after `pulses` pulses from `start`, siemens (the law's map). */
export function boundShortfall(law: StepLaw, start: number, stepSiemens: number, pulses: number, sign: 1 | -1): number {
  const bound = sign > 0 ? law.gMaxSiemens : law.gMinSiemens;
  let g = start;
  for (let k = 0; k < pulses && (bound - g) * sign > 0; k++) g += sign * stepSiemens * stepLawFactor(law, g, sign);
  return Math.max(0, (bound - g) * sign);
}

/**
 * The population from the survey. Step spread: per direction, each cell's step over the mean step; the variance V
 * of those ratios holds σ² plus the noise of a burst's change: write noise σ_w²/L over L pulses (times 1 + σ², it
 * scales the cell's own step) and the read noise of its two averaged ends, (σ_read·G)²/R each, over the mean change
 * squared. So σ² = (V − read part − σ_w²/L)/(1 + σ_w²/L). Bounds: the simulator draws each as G + σ_b·range·N(0,1);
 * see below. Stuck cells: the fraction that did not switch (1 in 1,000 each way on reram; 16 cells see none).
 */
export function populationFromSurvey(survey: StepSurveyResult, law: Pick<StepLaw, "model" | "gammaUp" | "gammaDown">, readNoiseRelative: number, writeNoiseRelative: number): Population | null {
  const ranges = survey.cells.map((c) => c.siemens[2] - c.siemens[0]);
  const sorted = [...ranges].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const cells = survey.cells.filter((_, j) => median > 0 && ranges[j]! > 0.2 * median);
  if (cells.length < 2) return null;
  const L = survey.stepPulses;
  const R = survey.readsPerPoint;
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  let v = 0, noise = 0, n = 0;
  const meanSteps: number[] = [];
  // Per direction, each cell's step over the mean and the variance of that ratio's measurement noise.
  const ratios: { r: number[]; noise: number[] }[] = [];
  for (const [sign, from, to] of [[1, 0, 1], [-1, 2, 3]] as const) {
    const steps = cells.map((c) => {
      const cellLaw = { ...law, gMinSiemens: c.siemens[0], gMaxSiemens: c.siemens[2] };
      return stepFromBurst(cellLaw, c.siemens[from], c.siemens[to], L, sign);
    });
    const meanStep = mean(steps);
    const meanChange = mean(cells.map((c) => Math.abs(c.siemens[to] - c.siemens[from])));
    if (!(meanStep > 0) || !(meanChange > 0)) return null;
    meanSteps.push(meanStep);
    const r = steps.map((x) => x / meanStep);
    const readPart = cells.map((c) => (readNoiseRelative ** 2 * (c.siemens[from] ** 2 + c.siemens[to] ** 2)) / R / meanChange ** 2);
    ratios.push({ r, noise: readPart.map((x, j) => x + (writeNoiseRelative ** 2 / L) * r[j]! ** 2) });
    for (const [j] of cells.entries()) {
      v += (r[j]! - 1) ** 2;
      noise += readPart[j]!;
      n++;
    }
  }
  // Two means were taken out (one each direction).
  const measuredVariance = v / Math.max(1, n - 2);
  const write = writeNoiseRelative ** 2 / L;
  const sigma2 = (measuredVariance - noise / n - write) / (1 + write);
  // Bounds by quantiles: the simulator clamps a drawn floor at 0 S (reram: G_min 1 µS, spread 5 % of 99 µS, so 42 %
  // of its floors sit at 0), which pulls a mean up and a variance down (fitted 2.43 µS and 0.043 for 1 µS and 0.05).
  // The median and the upper half of the floors are clear of the clamp while fewer than half are clamped; the
  // ceilings are clamped nowhere. A normal's deviation is q84 − q50, and (q84 − q16)/2; read noise comes off in quadrature.
  const quantile = (a: number[], q: number) => a[Math.min(a.length - 1, Math.max(0, Math.round(q * (a.length - 1))))]!;
  const floors = cells.map((c) => c.siemens[0]).sort((a, b) => a - b);
  const ceilings = cells.map((c) => c.siemens[2]).sort((a, b) => a - b);
  const readVar = (g: number) => (readNoiseRelative * g) ** 2 / R;
  const gMin = quantile(floors, 0.5), gMax = quantile(ceilings, 0.5);
  const ceilingVar = Math.max(0, ((quantile(ceilings, 0.84) - quantile(ceilings, 0.16)) / 2) ** 2 - readVar(gMax));
  const floorVar = Math.max(0, (quantile(floors, 0.84) - gMin) ** 2 - readVar(gMin));
  const boundsVar = gMin > 0 ? (floorVar + ceilingVar) / 2 : ceilingVar;
  const range = gMax - gMin;
  // Cells that moved in neither burst nor between the bounds: stuck, at whichever bound they sit nearer.
  // Each cell as measured, each figure pulled toward the population's by its share of noise (the posterior mean
  // under a normal population): with no spread every cell is the mean cell, with no noise it is as measured.
  const shrink = (x: number, mean: number, spreadVar: number, noiseVar: number) => mean + (x - mean) * (spreadVar + noiseVar > 0 ? spreadVar / (spreadVar + noiseVar) : 0);
  const sigmaSq = Math.max(0, sigma2);
  // A bound is the cell's own only if the survey's drive reached it: a slow cell (the tail of a 30 % step spread)
  // stops short of it, and its reading would shorten its range; such a bound stays a draw (null). The floor's drive
  // started from the cell's unknown initial state: judged from the far bound.
  const reached = (c: (typeof cells)[number], stepSiemens: number, sign: 1 | -1) => {
    const cellLaw = { ...law, gMinSiemens: c.siemens[0], gMaxSiemens: c.siemens[2] };
    const bound = sign > 0 ? c.siemens[2] : c.siemens[0];
    const short = boundShortfall(cellLaw, sign > 0 ? c.siemens[1] : c.siemens[2], stepSiemens, survey.boundPulses, sign);
    return short <= 2 * Math.sqrt(readVar(bound));
  };
  const surveyedCells: SurveyedCell[] = cells.map((c, j) => ({
    row: c.row,
    col: c.col,
    gMinSiemens: reached(c, ratios[1]!.r[j]! * meanSteps[1]!, -1) ? shrink(c.siemens[0], gMin, floorVar, readVar(c.siemens[0])) : null,
    gMaxSiemens: reached(c, ratios[0]!.r[j]! * meanSteps[0]!, 1) ? shrink(c.siemens[2], gMax, ceilingVar, readVar(c.siemens[2])) : null,
    stepUpScale: shrink(ratios[0]!.r[j]!, 1, sigmaSq, ratios[0]!.noise[j]!),
    stepDownScale: shrink(ratios[1]!.r[j]!, 1, sigmaSq, ratios[1]!.noise[j]!),
  }));
  const switching = new Set(cells);
  const stuck = survey.cells.filter((c) => !switching.has(c));
  const low = (c: (typeof stuck)[number]) => c.siemens[0] < (gMin + gMax) / 2;
  const stuckLow = stuck.filter(low).length;
  return {
    stepUpSiemens: meanSteps[0]!,
    stepDownSiemens: meanSteps[1]!,
    stepSpreadD2d: Math.sqrt(Math.max(0, sigma2)),
    gMinSiemens: gMin,
    gMaxSiemens: gMax,
    boundsSpreadD2d: range > 0 ? Math.sqrt(boundsVar) / range : 0,
    stuckAtMinProbability: stuckLow / survey.cells.length,
    stuckAtMaxProbability: (stuck.length - stuckLow) / survey.cells.length,
    stuckCells: stuck.map((c) => ({ row: c.row, col: c.col, bound: low(c) ? "min" : "max" })),
    cells: cells.length,
    surveyedCells,
  };
}
