// Fits the simulator's device-model parameters (the same names the presets use) to measured
// pulse-response, read-noise and threshold data.
//
// Method, per free (switching) cell: consecutive readings give pairs (G_k, ΔG_k, polarity).
// - softBounds: ΔG_up = s_up·(G_max − G)/(G_max − G_min) is linear in G, so a line through the up pairs
//   gives G_max (its zero) and s_up; the down pairs likewise give G_min and s_down.
// - expStep: the bounds are hard (G clips there), so they are the plateau levels of the sweeps; then
//   ΔG_up = s_up·exp(−γ_up·x), ΔG_down = s_down·exp(−γ_down·(1−x)), x = (G − G_min)/(G_max − G_min),
//   with γ chosen on a grid and s per cell by least squares (γ = 0 is the linear-step device).
// The candidate with the smaller residual sum of squares wins. Population parameters are means and
// relative spreads over cells. Write noise: the residual variance of ΔG minus the read noise the two
// readings of each pair carry, over Σ pred² (the sim's c2c noise scales each step by 1 + σ·N(0,1)).
import type { DeviceIdentity } from "../src/hal/crossbar.js";
import type { DeviceModelKind, DeviceParams } from "../sim/devices/params.js";
import { validateDeviceParams } from "../sim/devices/params.js";
import type { NoiseResult } from "./procedures/noise.js";
import type { PulseResponseResult } from "./procedures/pulse-response.js";
import type { ThresholdPoint, ThresholdResult } from "./procedures/threshold.js";
import { UserError } from "../src/hal/user-error.js";

export interface CellFit {
  row: number;
  col: number;
  stuck: "no" | "min" | "max";
  gMinSiemens: number;
  gMaxSiemens: number;
  stepUpSiemens: number;
  stepDownSiemens: number;
}

export interface FitResiduals {
  model: DeviceModelKind;
  /** Root-mean-square of ΔG residuals, relative to the mean step. */
  rmsRelativeToStep: number;
  /** Residual sum of squares of every candidate model, siemens². */
  candidates: Record<string, number>;
  pairsUsed: number;
  cellsFree: number;
  cellsStuck: number;
  notes: string[];
}

export interface DeviceFit {
  params: DeviceParams;
  residuals: FitResiduals;
  cells: CellFit[];
}

/** Data the device model cannot be fitted to: says which measurement fell short and what to change. */
export class FitError extends UserError {}

interface Pair {
  g: number;
  dg: number;
  sign: number;
}

// Loops, not Math.max(...a): a pulse response holds far more readings than a call may take arguments.
const maxOf = (a: number[]) => a.reduce((m, v) => (v > m ? v : m), Number.NEGATIVE_INFINITY);
const minOf = (a: number[]) => a.reduce((m, v) => (v < m ? v : m), Number.POSITIVE_INFINITY);
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / Math.max(1, a.length);
const variance = (a: number[]) => {
  const m = mean(a);
  return a.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(1, a.length - 1);
};

/** Least-squares line y = a + b·x. */
function line(xs: number[], ys: number[]): { a: number; b: number } {
  const mx = mean(xs), my = mean(ys);
  let sxy = 0, sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const b = sxx > 0 ? sxy / sxx : 0;
  return { a: my - b * mx, b };
}

interface Candidate {
  model: DeviceModelKind;
  gammaUp: number;
  gammaDown: number;
  cells: CellFit[];
  /** Residual sum of squares over every pair of the free cells (`scored` of them): the footing models are compared on. */
  sse: number;
  scored: number;
  /** Residuals and predictions over the pairs used. */
  residuals: { g0: number; g1: number; r: number; pred: number }[];
}

function pairsOf(siemens: number[], polarity: number[]): Pair[] {
  const out: Pair[] = [];
  for (let k = 0; k < polarity.length; k++) out.push({ g: siemens[k]!, dg: siemens[k + 1]! - siemens[k]!, sign: polarity[k]! });
  return out;
}

/** Mean of the readings in the last fifth of each sweep of polarity `sign`: the plateau a hard bound clips at. */
function plateau(siemens: number[], polarity: number[], sign: number): number {
  const vals: number[] = [];
  let start = 0;
  for (let k = 1; k <= polarity.length; k++) {
    if (k === polarity.length || polarity[k] !== polarity[start]) {
      if (polarity[start] === sign) {
        const len = k - start;
        for (let j = k - Math.max(1, Math.floor(len / 5)); j < k; j++) vals.push(siemens[j + 1]!);
      }
      start = k;
    }
  }
  return mean(vals);
}

function softBoundsCandidate(curves: PulseResponseResult["curves"], polarity: number[], free: boolean[], m: number): Candidate {
  const cells: CellFit[] = [];
  const residuals: Candidate["residuals"] = [];
  let sse = 0;
  let scored = 0;
  curves.forEach((c, j) => {
    if (!free[j]) return;
    const pairs = pairsOf(c.siemens, polarity);
    const up = pairs.filter((p) => p.sign > 0);
    const down = pairs.filter((p) => p.sign < 0);
    const lu = line(up.map((p) => p.g), up.map((p) => p.dg)); // dg = a − b·g, b = −slope
    const ld = line(down.map((p) => p.g), down.map((p) => p.dg)); // dg = −c·(g − G_min) = a − c·g
    // Over m pulses a soft-bound device moves (G_max − G)·(1 − (1 − b)^m): still linear in G; undo the power.
    const perPulse = (bm: number) => (bm > 0 && bm < 1 ? 1 - Math.pow(1 - bm, 1 / m) : bm / m);
    const bUp = perPulse(-lu.b), cDown = perPulse(-ld.b);
    const gMax = bUp > 0 ? lu.a / bUp : maxOf(c.siemens);
    const gMin = cDown > 0 ? ld.a / cDown : minOf(c.siemens);
    const range = Math.max(gMax - gMin, 1e-30);
    const cell: CellFit = { row: c.row, col: c.col, stuck: "no", gMinSiemens: gMin, gMaxSiemens: gMax, stepUpSiemens: bUp * range, stepDownSiemens: cDown * range };
    cells.push(cell);
    for (const p of pairs) {
      const pred = p.sign > 0 ? (gMax - p.g) * (1 - Math.pow(1 - bUp, m)) : -(p.g - gMin) * (1 - Math.pow(1 - cDown, m));
      const r = p.dg - pred;
      residuals.push({ g0: p.g, g1: p.g + p.dg, r, pred });
      sse += r * r;
      scored++;
    }
  });
  return { model: "softBounds", gammaUp: 0, gammaDown: 0, cells, sse, scored, residuals };
}

/** Pairs away from the plateaus: a pair that touched a hard bound was clipped and says nothing about the step law. */
function interiorPairs(curves: PulseResponseResult["curves"], polarity: number[], clipMarginSiemens: number) {
  const bounds = curves.map((c) => ({ lo: plateau(c.siemens, polarity, -1), hi: plateau(c.siemens, polarity, 1) }));
  const usable = (j: number, p: Pair) => {
    const { lo, hi } = bounds[j]!;
    const g1 = p.g + p.dg;
    return g1 < hi - clipMarginSiemens && g1 > lo + clipMarginSiemens && p.g < hi - clipMarginSiemens && p.g > lo + clipMarginSiemens;
  };
  return { bounds, usable };
}

/** Over m pulses (m·step small against the range) the hard-bound law moves ≈ m·s·f(x): s is per pulse. */
function expStepCandidate(curves: PulseResponseResult["curves"], polarity: number[], free: boolean[], clipMarginSiemens: number, m: number): Candidate {
  const { bounds, usable } = interiorPairs(curves, polarity, clipMarginSiemens);
  const fitDirection = (sign: number) => {
    let best = { gamma: 0, sse: Number.POSITIVE_INFINITY, scale: [] as number[] };
    for (let gamma = 0; gamma <= 4.0001; gamma += 0.05) {
      let sse = 0;
      const scale: number[] = [];
      curves.forEach((c, j) => {
        if (!free[j]) return scale.push(0);
        const { lo, hi } = bounds[j]!;
        const range = Math.max(hi - lo, 1e-30);
        let sfy = 0, sff = 0;
        const ps = pairsOf(c.siemens, polarity).filter((p) => p.sign === sign && usable(j, p));
        for (const p of ps) {
          const x = (p.g - lo) / range;
          const f = m * (sign > 0 ? Math.exp(-gamma * x) : -Math.exp(-gamma * (1 - x)));
          sfy += f * p.dg;
          sff += f * f;
        }
        const s = sff > 0 ? sfy / sff : 0;
        scale.push(s);
        for (const p of ps) {
          const x = (p.g - lo) / range;
          const f = m * (sign > 0 ? Math.exp(-gamma * x) : -Math.exp(-gamma * (1 - x)));
          sse += (p.dg - s * f) ** 2;
        }
      });
      if (sse < best.sse) best = { gamma, sse, scale };
    }
    return best;
  };
  const up = fitDirection(1);
  const down = fitDirection(-1);
  const cells: CellFit[] = [];
  const residuals: Candidate["residuals"] = [];
  let sseAll = 0, scored = 0;
  curves.forEach((c, j) => {
    if (!free[j]) return;
    scored += polarity.length;
    const { lo, hi } = bounds[j]!;
    cells.push({ row: c.row, col: c.col, stuck: "no", gMinSiemens: lo, gMaxSiemens: hi, stepUpSiemens: up.scale[j]!, stepDownSiemens: down.scale[j]! });
    const range = Math.max(hi - lo, 1e-30);
    for (const p of pairsOf(c.siemens, polarity)) {
      const x = (p.g - lo) / range;
      const raw = m * (p.sign > 0 ? up.scale[j]! * Math.exp(-up.gamma * x) : -down.scale[j]! * Math.exp(-down.gamma * (1 - x)));
      // Scored on every pair with the hard bound applied; the noise fit uses the unclipped interior only.
      const pred = Math.min(hi, Math.max(lo, p.g + raw)) - p.g;
      const r = p.dg - pred;
      sseAll += r * r;
      if (usable(j, p)) residuals.push({ g0: p.g, g1: p.g + p.dg, r, pred });
    }
  });
  const model: DeviceModelKind = up.gamma === 0 && down.gamma === 0 ? "linearStep" : "expStep";
  return { model, gammaUp: up.gamma, gammaDown: down.gamma, cells, sse: sseAll, scored, residuals };
}

/** Threshold and amplitude exponent of one polarity: rate ∝ ((|V| − Vth)/(Vnom − Vth))^α, from significant points. */
export function fitThreshold(points: ThresholdPoint[], nominalVolts: number): { thresholdVolts: number; amplitudeExponent: number; significant: number } {
  const sig = points.filter((p) => Math.abs(p.meanStepSiemens) > 4 * p.stepStdErrSiemens && Math.abs(p.meanStepSiemens) > 0);
  const quiet = points.filter((p) => !sig.includes(p));
  if (sig.length < 2) throw new FitError(`threshold search: only ${sig.length} amplitude(s) changed the devices significantly; widen the amplitude range or add pulses`);
  const lowestSig = Math.min(...sig.map((p) => Math.abs(p.volts)));
  const highestQuiet = Math.max(0, ...quiet.map((p) => Math.abs(p.volts)).filter((v) => v < lowestSig));
  let best = { thresholdVolts: highestQuiet, amplitudeExponent: 1, sse: Number.POSITIVE_INFINITY };
  for (let vth = highestQuiet; vth < lowestSig; vth += (lowestSig - highestQuiet) / 200 || 1) {
    const xs = sig.map((p) => Math.log(Math.abs(p.volts) - vth));
    const ys = sig.map((p) => Math.log(Math.abs(p.meanStepSiemens)));
    const { a, b } = line(xs, ys);
    const sse = xs.reduce((s, x, i) => s + (ys[i]! - a - b * x) ** 2, 0);
    if (sse < best.sse && b > 0) best = { thresholdVolts: vth, amplitudeExponent: b, sse };
    if (lowestSig === highestQuiet) break;
  }
  void nominalVolts;
  return { thresholdVolts: best.thresholdVolts, amplitudeExponent: best.amplitudeExponent, significant: sig.length };
}

export interface FitInput {
  identity: DeviceIdentity;
  pulse: PulseResponseResult;
  noise?: NoiseResult;
  threshold?: ThresholdResult;
}

export function fitDevice(input: FitInput): DeviceFit {
  const { pulse, identity } = input;
  const notes: string[] = [];
  if (pulse.curves.length === 0) throw new FitError("pulse response: no cells were measured");
  const expected = pulse.polarity.length + 1;
  pulse.curves.forEach((c, j) => {
    if (c.siemens.length !== expected) throw new FitError(`pulse response: curve ${j} (row ${c.row}, col ${c.col}) has ${c.siemens.length} readings, expected ${expected}`);
  });
  const readNoise = input.noise?.readNoiseRelative ?? 0;
  if (!input.noise) notes.push("no read-noise data: readNoise set to 0 and write noise not corrected for read noise");
  const perRead = (g: number) => (readNoise * g) ** 2 / Math.max(1, pulse.readsPerPoint);

  // Stuck cells: a swing no bigger than read noise allows.
  const swings = pulse.curves.map((c) => maxOf(c.siemens) - minOf(c.siemens));
  const medianSwing = [...swings].sort((a, b) => a - b)[Math.floor(swings.length / 2)]!;
  const levels = pulse.curves.map((c) => mean(c.siemens));
  const free = swings.map((s, j) => s > Math.max(0.05 * medianSwing, 10 * Math.sqrt(perRead(levels[j]!))));
  const cellsFree = free.filter(Boolean).length;
  if (cellsFree === 0) throw new FitError("pulse response: no cell switched (every cell looks stuck); check the pulse amplitude against the threshold");

  const allG = pulse.curves.flatMap((c) => c.siemens);
  const clipMargin = 3 * Math.sqrt(perRead(mean(allG))) + 1e-3 * (maxOf(allG) - minOf(allG));
  const m = pulse.pulsesPerPoint;
  const candidates = [softBoundsCandidate(pulse.curves, pulse.polarity, free, m), expStepCandidate(pulse.curves, pulse.polarity, free, clipMargin, m)];
  // Compare on the same footing: mean squared residual over every pair of the free cells.
  const score = (c: Candidate) => c.sse / Math.max(1, c.scored);
  const best = candidates.reduce((a, b) => (score(b) < score(a) ? b : a));

  const cells = best.cells;
  const gMin = mean(cells.map((c) => c.gMinSiemens));
  const gMax = mean(cells.map((c) => c.gMaxSiemens));
  const range = gMax - gMin;
  const ups = cells.map((c) => c.stepUpSiemens);
  const downs = cells.map((c) => c.stepDownSiemens);
  const meanUp = mean(ups), meanDown = mean(downs);
  const step = (meanUp + meanDown) / 2;
  const asym = (meanUp - meanDown) / (meanUp + meanDown);
  const stepSpread = cells.length > 1 ? Math.sqrt((variance(ups) / meanUp ** 2 + variance(downs) / meanDown ** 2) / 2) : 0;
  const boundsSpread = cells.length > 1 ? Math.sqrt((variance(cells.map((c) => c.gMinSiemens)) + variance(cells.map((c) => c.gMaxSiemens))) / 2) / range : 0;

  let sumR2 = 0, sumNoise = 0, sumPred2 = 0;
  for (const r of best.residuals) {
    // Only pairs whose predicted step stands well above the read noise of their two readings carry
    // information about the write noise; near a soft bound the step vanishes into read noise.
    const readVar = perRead(r.g0) + perRead(r.g1);
    if (r.pred * r.pred < 4 * readVar) continue;
    sumR2 += r.r * r.r;
    sumNoise += readVar;
    sumPred2 += r.pred * r.pred;
  }
  // m independent steps each with relative noise σ: Var(ΔG_m) = m·σ²·(pred/m)² = σ²·pred²/m.
  const writeNoise = sumPred2 > 0 ? Math.sqrt((Math.max(0, sumR2 - sumNoise) * m) / sumPred2) : 0;
  if (sumPred2 === 0) notes.push("write noise not resolvable: every step is below the read noise; raise pulsesPerPoint or readsPerPoint");

  let thresholdPos = 0, thresholdNeg = 0, amplitudeExponent = 1;
  if (input.threshold) {
    const pos = fitThreshold(input.threshold.positive, pulse.voltsPositive);
    const neg = fitThreshold(input.threshold.negative, pulse.voltsNegative);
    thresholdPos = pos.thresholdVolts;
    thresholdNeg = neg.thresholdVolts;
    amplitudeExponent = (pos.amplitudeExponent + neg.amplitudeExponent) / 2;
  } else {
    notes.push("no threshold data: thresholds set to 0 V (every pulse switches; half-selected cells will be disturbed)");
  }
  notes.push("widthExponent is not fitted (set to 1): run pulse responses at several widths to fit it");

  const stuckCells = free.map((f, j) => (f ? null : levels[j]! < (gMin + gMax) / 2 ? "min" : "max"));
  const stuckMin = stuckCells.filter((s) => s === "min").length / pulse.curves.length;
  const stuckMax = stuckCells.filter((s) => s === "max").length / pulse.curves.length;
  const L = identity.limits;
  const params: DeviceParams = {
    model: best.model,
    gMinSiemens: gMin,
    gMaxSiemens: gMax,
    stepSiemens: step,
    upDownAsymmetry: asym,
    stepSpreadD2d: stepSpread,
    boundsSpreadD2d: boundsSpread,
    writeNoiseC2c: writeNoise,
    readNoise,
    stuckAtMinProbability: stuckMin,
    stuckAtMaxProbability: stuckMax,
    thresholdVoltsPositive: Math.min(thresholdPos, pulse.voltsPositive * 0.999),
    thresholdVoltsNegative: Math.min(thresholdNeg, pulse.voltsNegative * 0.999),
    nominalVoltsPositive: pulse.voltsPositive,
    nominalVoltsNegative: pulse.voltsNegative,
    nominalPulseWidthSeconds: pulse.widthSeconds,
    amplitudeExponent,
    widthExponent: 1,
    gammaUp: best.gammaUp,
    gammaDown: best.gammaDown,
    endurancePulses: identity.endurancePulses ?? 1e9,
    initialConductance: "uniform",
    maxReadVolts: L.maxReadVolts,
    maxProgramVoltsPositive: L.maxProgramVoltsPositive,
    maxProgramVoltsNegative: L.maxProgramVoltsNegative,
    minPulseWidthSeconds: L.minPulseWidthSeconds,
    maxPulseWidthSeconds: L.maxPulseWidthSeconds,
    complianceAmperes: L.complianceAmperes,
  };
  try {
    validateDeviceParams(params, "fit.params.");
  } catch (e) {
    throw new FitError(
      `the fitted parameters are not a valid device (${(e as Error).message}): the steps at +${pulse.voltsPositive}/−${pulse.voltsNegative} V, ` +
        `${pulse.widthSeconds} s may be mostly read noise; raise the amplitude, the width or the pulses per read`,
      2,
      { cause: e },
    );
  }
  const allCells: CellFit[] = pulse.curves.map((c, j) => {
    const fitted = cells.find((f) => f.row === c.row && f.col === c.col);
    return fitted ?? { row: c.row, col: c.col, stuck: stuckCells[j] as "min" | "max", gMinSiemens: levels[j]!, gMaxSiemens: levels[j]!, stepUpSiemens: 0, stepDownSiemens: 0 };
  });
  return {
    params,
    cells: allCells,
    residuals: {
      model: best.model,
      rmsRelativeToStep: Math.sqrt(sumR2 / Math.max(1, best.residuals.length)) / step,
      candidates: Object.fromEntries(candidates.map((c) => [c.model, score(c)])),
      pairsUsed: best.residuals.length,
      cellsFree,
      cellsStuck: pulse.curves.length - cellsFree,
      notes,
    },
  };
}
