// Fits the simulator's device model (the parameters the presets use) to measured pulse-response, read-noise
// and threshold data.
//
// Which model: every family of fit-families.ts (soft bounds, exponential step, linear step) is fitted on three
// quarters of the pulse groups and scored on the held-out quarter (every fourth block of groups): the family
// that best predicts where each held-out block ends wins, and linear step wins over exp step unless exp step predicts
// clearly (2 %) better, since it has two parameters fewer. The chosen family is then refitted on every group.
// Population parameters (means and relative spreads over cells) from the step survey of the array when measured,
// else from the pulse response's cells (fit-population.ts). Write noise: the residual variance of ΔG
// minus the read noise the two readings of each pair carry, over Σ pred² (the sim's c2c noise scales each step
// by 1 + σ·N(0,1)).
import type { DeviceIdentity } from "../src/hal/crossbar.js";
import type { DeviceParams } from "../sim/devices/params.js";
import { validateDeviceParams } from "../sim/devices/params.js";
import type { NoiseResult } from "./procedures/noise.js";
import { pulsedUp, type PulseResponseResult } from "./procedures/pulse-response.js";
import type { ThresholdResult } from "./procedures/threshold.js";
import { writeNoiseFromBlocks, type WriteNoiseResult } from "./procedures/write-noise.js";
import { FitError, fitThreshold } from "./fit-threshold.js";
import { populationFromSurvey, populationOfCells, type SurveyedCell } from "./fit-population.js";
import type { SurveyedCells } from "../sim/devices/population.js";
import type { StepSurveyResult } from "./procedures/step-survey.js";
import { maxOf, mean, minOf, pairsOf, softBoundsFamily, stepFamily, type CellFit, type FamilyFit, type PairFilter } from "./fit-families.js";

export type { CellFit };

export interface FitResiduals {
  model: string;
  /** Root-mean-square of ΔG residuals, relative to the mean step. */
  rmsRelativeToStep: number;
  /** Each family's root-mean-square error on the held-out pulse groups, relative to the mean step. */
  candidates: Record<string, number>;
  /** Why the model was chosen, in one line. */
  chosenBecause?: string;
  /** Held-out blocks of pulse groups (over the free cells) each family was scored on. */
  pairsHeldOut?: number;
  pairsUsed: number;
  cellsFree: number;
  cellsStuck: number;
  notes: string[];
}

export interface DeviceFit {
  params: DeviceParams;
  residuals: FitResiduals;
  cells: CellFit[];
  /** Every stuck cell by address, when the step survey covered the whole array (the twin puts them there). */
  stuckCells?: { row: number; col: number; bound: "min" | "max" }[];
  /** Every switching cell's own bounds and steps by address (row-major), from a survey of the whole array. */
  surveyedCells?: SurveyedCells;
}

export { FitError };

/** The survey's cells as the file and the simulator hold them: one column per figure, cells by row-major index. */
function byAddress(cells: SurveyedCell[], cols: number): SurveyedCells {
  return {
    index: cells.map((c) => c.row * cols + c.col),
    gMinSiemens: cells.map((c) => c.gMinSiemens),
    gMaxSiemens: cells.map((c) => c.gMaxSiemens),
    stepUpScale: cells.map((c) => c.stepUpScale),
    stepDownScale: cells.map((c) => c.stepDownScale),
  };
}


/**
 * Held out: every fourth block of `block` consecutive pulse groups. A family is scored by how well it carries a
 * block's first reading to its last, stepping its own law along the block's pulses: read noise enters only at the
 * two ends while a wrong step law adds up over the block (on one pair a reram step is ~1/15 of a read's noise, and
 * every family scores the same). A block is at most 64 groups and at most a quarter of the groups a cell takes to
 * cross its range, so a fast device (taox: ~13 groups) keeps three quarters of every crossing to fit on.
 */
const MAX_BLOCK = 64;
const heldOutBy = (block: number): PairFilter => (k) => Math.floor(k / block) % 4 === 3;

/** Median over cells of the groups the first up sweep took from 10 % to 90 % of its rise. */
function crossingGroups(pulse: PulseResponseResult): number {
  const { polarity } = pulse;
  const upStart = polarity.indexOf(1);
  if (upStart < 0) return MAX_BLOCK * 4;
  const upEnd = polarity.indexOf(-1, upStart) < 0 ? polarity.length : polarity.indexOf(-1, upStart);
  const lengths = pulse.curves.map((c) => {
    const s = c.siemens.slice(upStart, upEnd + 1);
    const lo = s[0]!, hi = s.reduce((m, v) => Math.max(m, v), lo);
    return s.findIndex((v) => v >= lo + 0.9 * (hi - lo)) - Math.max(0, s.findIndex((v) => v >= lo + 0.1 * (hi - lo)));
  }).sort((a, b) => a - b);
  return lengths[Math.floor(lengths.length / 2)]!;
}
const EVERY: PairFilter = () => true;
/** Exp step must predict this much better (in mean squared error) than linear step to be chosen over it. */
const EXP_STEP_MARGIN = 0.98;

interface Scored {
  fit: FamilyFit;
  mse: number;
}

/** Mean squared error of a family's prediction of each held-out block's last reading from its first, on the free cells. */
function scoreFamily(fit: FamilyFit, curves: PulseResponseResult["curves"], polarity: number[], free: boolean[], block: number): { mse: number; n: number } {
  const heldOut = heldOutBy(block);
  let sse = 0, n = 0;
  curves.forEach((c, j) => {
    if (!free[j]) return;
    for (let k0 = 0; k0 < polarity.length; k0 += block) {
      if (!heldOut(k0)) continue;
      const k1 = Math.min(polarity.length, k0 + block);
      let g = c.siemens[k0]!;
      for (let k = k0; k < k1; k++) g += fit.predict(j, { g, gs: g, dg: 0, sign: polarity[k]! });
      sse += (c.siemens[k1]! - g) ** 2;
      n++;
    }
  });
  return { mse: sse / Math.max(1, n), n };
}

/** Why a family's fit is no device (its mean bounds below 0 or out of order), or null when it is one. */
function boundsFault(fit: FamilyFit): string | null {
  const pop = populationOfCells(fit.cells);
  if (!(pop.gMinSiemens >= 0)) return `its G_min ${pop.gMinSiemens.toExponential(2)} S is below 0`;
  if (!(pop.gMaxSiemens > pop.gMinSiemens)) return `its G_max ${pop.gMaxSiemens.toExponential(2)} S is not above its G_min ${pop.gMinSiemens.toExponential(2)} S`;
  return null;
}

/**
 * The family that predicts held-out groups best (linear step over exp step unless clearly worse), and why. A family
 * whose bounds are no device is left out (soft bounds extrapolate G_min from the down steps' line, which on a
 * cut-short response can fall below 0); when every one is, the choice is made among all and the fit is refused.
 */
function chooseFamily(scored: Scored[], stepSiemens: number, heldOut: number, block: number): { best: Scored; because: string } {
  const faults = scored.map((s) => boundsFault(s.fit));
  const candidates = faults.every((f) => f !== null) ? scored : scored.filter((_, i) => faults[i] === null);
  const by = (m: string) => candidates.find((s) => s.fit.model === m);
  let best = candidates.reduce((a, b) => (b.mse < a.mse ? b : a));
  const lin = by("linearStep"), exp = by("expStep");
  let parsimony = false;
  if (best === exp && lin && lin.mse * EXP_STEP_MARGIN <= exp.mse) {
    best = lin;
    parsimony = true;
  }
  const rms = (s: Scored) => Math.sqrt(s.mse) / stepSiemens;
  const others = scored.filter((s) => s !== best).map((s) => `${s.fit.model} ${rms(s).toFixed(3)}`).join(", ");
  const leftOut = candidates === scored ? "" : `; left out: ${scored.flatMap((s, i) => (faults[i] ? [`${s.fit.model}, ${faults[i]}`] : [])).join("; ")}`;
  const because = parsimony
    ? `linearStep: held-out rms error ${rms(best).toFixed(3)} of a step, within 2 % of expStep's with two parameters fewer (${others}; ${heldOut} held-out blocks of ${block} pulse groups${leftOut})`
    : `${best.fit.model}: smallest held-out rms error, ${rms(best).toFixed(3)} of a step (${others}; ${heldOut} held-out blocks of ${block} pulse groups${leftOut})`;
  return { best, because };
}

/** What a fit from a pulse response whose last sweep is open can and cannot say about the bounds. */
function openSweepNote(pulse: PulseResponseResult, best: FamilyFit): string {
  const { polarity } = pulse;
  let start = polarity.length - 1;
  while (start > 0 && polarity[start - 1] === polarity[polarity.length - 1]) start--;
  const groups = polarity.length - start;
  const again = "measure it again into the same file with --procedure pulse";
  // The response pulsed up (fitDevice refuses one that did not), so an open down sweep is the last, after the up one.
  if (polarity[polarity.length - 1] === -1) return `pulse response: its last sweep ended before the floor (${groups} pulse groups: cut short, or at its most pulses); the bounds come from the two sweeps that settled`;
  const ceiling = best.model === "softBounds" ? "G_max is extrapolated from the up steps' line" : `G_max is the highest level read (${populationOfCells(best.cells).gMaxSiemens.toExponential(2)} S on average), a lower end for the ceiling`;
  return `pulse response: its up sweep ended before the ceiling (${groups} pulse groups: cut short, or at its most pulses), so ${ceiling}; ${again} for a twin that spans the range`;
}

export interface FitInput {
  identity: DeviceIdentity;
  pulse: PulseResponseResult;
  noise?: NoiseResult;
  threshold?: ThresholdResult;
  writeNoise?: WriteNoiseResult;
  stepSurvey?: StepSurveyResult;
}

export function fitDevice(input: FitInput): DeviceFit {
  const { pulse, identity } = input;
  const notes: string[] = [];
  if (pulse.curves.length === 0) throw new FitError("pulse response: no cells were measured");
  const expected = pulse.polarity.length + 1;
  pulse.curves.forEach((c, j) => {
    if (c.siemens.length !== expected) throw new FitError(`pulse response: curve ${j} (row ${c.row}, col ${c.col}) has ${c.siemens.length} readings, expected ${expected}`);
  });
  const lastSweepOpen = pulse.settled === false;
  if (!pulsedUp(pulse)) {
    throw new FitError(`pulse response: it ended after ${pulse.polarity.length} pulse groups toward the floor, before any potentiating pulse, ` +
      "so there is no step law to fit; measure it again into the same file with --procedure pulse");
  }
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
  const { curves, polarity } = pulse;
  const family = (kind: "softBounds" | "expStep" | "linearStep", use: PairFilter): FamilyFit =>
    kind === "softBounds" ? softBoundsFamily(curves, polarity, free, m, use) : stepFamily(kind, curves, polarity, lastSweepOpen, free, clipMargin, m, use);
  const kinds = ["softBounds", "expStep", "linearStep"] as const;
  const block = Math.max(2, Math.min(MAX_BLOCK, Math.floor(crossingGroups(pulse) / 4)));
  const heldOutPair = heldOutBy(block);
  const scored: Scored[] = kinds.map((k) => {
    const fit = family(k, (i) => !heldOutPair(i));
    return { fit, mse: scoreFamily(fit, curves, polarity, free, block).mse };
  });
  const heldOut = scoreFamily(scored[0]!.fit, curves, polarity, free, block).n;
  // The mean step the errors are told in: the families' own, averaged (the same yardstick for all).
  const meanStepOf = (f: FamilyFit) => mean(f.cells.flatMap((c) => [c.stepUpSiemens, c.stepDownSiemens]));
  const yardstick = mean(scored.map((s) => meanStepOf(s.fit)).filter((v) => v > 0)) || 1;
  const { best: chosen, because } = chooseFamily(scored, yardstick, heldOut, block);
  const best = family(chosen.fit.model as "softBounds" | "expStep" | "linearStep", EVERY);
  if (lastSweepOpen) notes.push(openSweepNote(pulse, best));

  const cells = best.cells;
  const ofCells = populationOfCells(cells);
  const residuals: { g0: number; g1: number; r: number; pred: number }[] = [];
  curves.forEach((c, j) => {
    if (!free[j]) return;
    for (const p of pairsOf(c.siemens, polarity)) {
      if (!best.informative(j, p)) continue;
      const pred = best.predict(j, p);
      residuals.push({ g0: p.g, g1: p.g + p.dg, r: p.dg - pred, pred });
    }
  });
  let sumR2 = 0, sumNoise = 0, sumPred2 = 0;
  for (const r of residuals) {
    // Only pairs whose predicted step stands well above the read noise of their two readings carry
    // information about the write noise; near a soft bound the step vanishes into read noise.
    const readVar = perRead(r.g0) + perRead(r.g1);
    if (r.pred * r.pred < 4 * readVar) continue;
    sumR2 += r.r * r.r;
    sumNoise += readVar;
    sumPred2 += r.pred * r.pred;
  }
  // m independent steps each with relative noise σ: Var(ΔG_m) = m·σ²·(pred/m)² = σ²·pred²/m.
  // Pairs of single groups: read noise of the two readings can be far larger than one step's write noise, so a
  // small error in it swamps the estimate. The write-noise blocks (many pulses between averaged reads) are used when measured.
  const fromBlocks = input.writeNoise ? writeNoiseFromBlocks(input.writeNoise, readNoise) : null;
  const fromPairs = sumPred2 > 0 ? Math.sqrt((Math.max(0, sumR2 - sumNoise) * m) / sumPred2) : 0;
  const writeNoise = fromBlocks ? fromBlocks.sigma : fromPairs;
  if (!fromBlocks) notes.push("write noise from single pulse groups (no write-noise blocks measured): read noise may dominate it; run --procedure write-noise");
  if (!fromBlocks && sumPred2 === 0) notes.push("write noise not resolvable: every step is below the read noise; raise pulsesPerPoint or readsPerPoint");

  // Means and spreads from the step survey of the whole array when measured (the pulse response's few cells fix the
  // law's shape, not the population: fit-population.ts); its steps count only if taken with the response's pulse.
  const surveyed = input.stepSurvey ? populationFromSurvey(input.stepSurvey, best, readNoise, writeNoise) : null;
  const samePulse = !!input.stepSurvey && input.stepSurvey.voltsPositive === pulse.voltsPositive && input.stepSurvey.voltsNegative === pulse.voltsNegative && input.stepSurvey.widthSeconds === pulse.widthSeconds;
  const pop = surveyed ? (samePulse ? surveyed : { ...surveyed, stepUpSiemens: ofCells.stepUpSiemens, stepDownSiemens: ofCells.stepDownSiemens }) : ofCells;
  if (surveyed) {
    const p3 = (x: number) => x.toPrecision(3);
    notes.push(`population from the step survey of ${surveyed.cells} cells${samePulse ? "" : " (its pulse is not the pulse response's: mean steps from the response's cells)"}: step spread ${p3(surveyed.stepSpreadD2d)}, ` +
      `asymmetry ${p3((pop.stepUpSiemens - pop.stepDownSiemens) / (pop.stepUpSiemens + pop.stepDownSiemens))}, bounds spread ${p3(surveyed.boundsSpreadD2d)} ` +
      `(the pulse response's ${ofCells.cells} cells: ${p3(ofCells.stepSpreadD2d)}, ${p3((ofCells.stepUpSiemens - ofCells.stepDownSiemens) / (ofCells.stepUpSiemens + ofCells.stepDownSiemens))}, ${p3(ofCells.boundsSpreadD2d)})`);
    const own = surveyed.surveyedCells ?? [];
    if (own.length > 0 && input.stepSurvey!.cells.length === identity.rows * identity.cols) {
      const unreached = (k: "gMinSiemens" | "gMaxSiemens") => own.filter((c) => c[k] === null).length;
      notes.push(`the twin takes each of the ${own.length} switching cells' own steps and bounds (${unreached("gMinSiemens")} floors and ` +
        `${unreached("gMaxSiemens")} ceilings the survey's ${input.stepSurvey!.boundPulses} pulses did not reach are drawn)`);
    }
  } else {
    notes.push(`means and spreads from the pulse response's ${ofCells.cells} cells only (no step survey): run --procedure spread`);
  }
  const gMin = pop.gMinSiemens, gMax = pop.gMaxSiemens;
  const step = (pop.stepUpSiemens + pop.stepDownSiemens) / 2;
  const asym = (pop.stepUpSiemens - pop.stepDownSiemens) / (pop.stepUpSiemens + pop.stepDownSiemens);

  let thresholdPos = 0, thresholdNeg = 0, amplitudeExponent = 1;
  if (input.threshold) {
    const law = { model: best.model, gMinSiemens: gMin, gMaxSiemens: gMax, gammaUp: best.gammaUp, gammaDown: best.gammaDown };
    const pos = fitThreshold(input.threshold.positive, law);
    const neg = fitThreshold(input.threshold.negative, law);
    thresholdPos = pos.thresholdVolts;
    thresholdNeg = neg.thresholdVolts;
    amplitudeExponent = (pos.amplitudeExponent + neg.amplitudeExponent) / 2;
  } else {
    notes.push("no threshold data: thresholds set to 0 V (every pulse switches; half-selected cells will be disturbed)");
  }
  notes.push("widthExponent is not fitted (set to 1): run pulse responses at several widths to fit it");

  const stuckCells = free.map((f, j) => (f ? null : levels[j]! < (gMin + gMax) / 2 ? "min" : "max"));
  const stuckMin = pop.stuckAtMinProbability ?? stuckCells.filter((s) => s === "min").length / pulse.curves.length;
  const stuckMax = pop.stuckAtMaxProbability ?? stuckCells.filter((s) => s === "max").length / pulse.curves.length;
  const L = identity.limits;
  const params: DeviceParams = {
    model: best.model,
    gMinSiemens: gMin,
    gMaxSiemens: gMax,
    stepSiemens: step,
    upDownAsymmetry: asym,
    stepSpreadD2d: pop.stepSpreadD2d,
    boundsSpreadD2d: pop.boundsSpreadD2d,
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
      `the fitted parameters are not a valid device (${(e as Error).message}): the steps at +${pulse.voltsPositive.toPrecision(4)}/−${pulse.voltsNegative.toPrecision(4)} V, ` +
        `${pulse.widthSeconds.toPrecision(4)} s may be mostly read noise; raise the amplitude, the width or the pulses per read`,
      2,
      { cause: e },
    );
  }
  const allCells: CellFit[] = pulse.curves.map((c, j) => {
    const fitted = cells.find((f) => f.row === c.row && f.col === c.col);
    return fitted ?? { row: c.row, col: c.col, stuck: stuckCells[j] as "min" | "max", gMinSiemens: levels[j]!, gMaxSiemens: levels[j]!, stepUpSiemens: 0, stepDownSiemens: 0 };
  });
  // The survey's stuck cells by address, when it saw every cell: which cells are stuck is this array's, not a draw.
  const wholeArray = !!input.stepSurvey && input.stepSurvey.cells.length === identity.rows * identity.cols;
  return {
    params,
    cells: allCells,
    ...(wholeArray && surveyed?.stuckCells ? { stuckCells: surveyed.stuckCells } : {}),
    ...(wholeArray && surveyed?.surveyedCells ? { surveyedCells: byAddress(surveyed.surveyedCells, identity.cols) } : {}),
    residuals: {
      model: best.model,
      rmsRelativeToStep: Math.sqrt(sumR2 / Math.max(1, residuals.length)) / step,
      candidates: Object.fromEntries(scored.map((s) => [s.fit.model, Math.sqrt(s.mse) / yardstick])),
      chosenBecause: because,
      pairsHeldOut: heldOut,
      pairsUsed: residuals.length,
      cellsFree,
      cellsStuck: pulse.curves.length - cellsFree,
      notes,
    },
  };
}
