// Switching threshold and amplitude exponent from the threshold ladder: the rate a pulse of |V| switches at is
// ((|V| − V_th)/(V_nom − V_th))^α (the simulator's switching law), fitted on the amplitudes that changed the cells.
import type { DeviceModelKind } from "../sim/devices/params.js";
import type { ThresholdPoint } from "./procedures/threshold.js";
import { UserError } from "../src/hal/user-error.js";

/** Data the device model cannot be fitted to: says which measurement fell short and what to change. */
export class FitError extends UserError {}

/** The population's step law (sim/devices/models.ts): how much of a nominal step a pulse moves at conductance g. */
export interface StepLaw {
  model: DeviceModelKind;
  gMinSiemens: number;
  gMaxSiemens: number;
  gammaUp: number;
  gammaDown: number;
}

/** Fraction of the nominal step the law moves at g (the simulator's stepFactor, on the population's bounds). */
export function stepLawFactor(law: StepLaw, g: number, sign: number): number {
  const x = Math.min(1, Math.max(0, (g - law.gMinSiemens) / (law.gMaxSiemens - law.gMinSiemens)));
  if (law.model === "softBounds") return sign > 0 ? 1 - x : x;
  if (law.model === "expStep") return sign > 0 ? Math.exp(-law.gammaUp * x) : Math.exp(-law.gammaDown * (1 - x));
  return 1;
}

/**
 * Threshold and amplitude exponent of one polarity from its significant points. Each point's step is first
 * divided by the law's factor at the state it was taken at (the mean of the cells' readings before and after),
 * when the ladder recorded it: up and down at one magnitude do not cancel on an asymmetric device, so the cells
 * drift through the ladder, and on a state-dependent law that drift reads as a weaker or stronger amplitude
 * (prezioso's up steps fell to 0.78 of the law at 1.3 V while the cells climbed: exponent 1.87 for 2; the
 * twin's hard RESET pulse, extrapolated to 1.3 V and 10 ms, was then 8 % weak and training's refresh took 10
 * bursts where the device took 8).
 *
 * The log-log line is weighted by each point's precision against the measurement's own noise: the standard error
 * the quiet amplitudes show (read noise alone; the spread between cells is the same at every amplitude, since the
 * same cells are pulsed, so it does not blur the ratios). Unweighted, the two or three amplitudes just above the
 * threshold, whose steps are a few read-noise errors, set the exponent as much as the strong ones training
 * pulses at (prezioso's RESET: 1.81 unweighted, 1.97 weighted, for 2).
 */
export function fitThreshold(points: ThresholdPoint[], law?: StepLaw): { thresholdVolts: number; amplitudeExponent: number; significant: number } {
  const sig = points.filter((p) => Math.abs(p.meanStepSiemens) > 4 * p.stepStdErrSiemens && Math.abs(p.meanStepSiemens) > 0);
  const quiet = points.filter((p) => !sig.includes(p));
  if (sig.length < 2) throw new FitError(`threshold search: only ${sig.length} amplitude(s) changed the devices significantly; widen the amplitude range or add pulses`);
  // A factor below a tenth is a state at the bound the pulse pushes toward: too little step left to correct reliably.
  const factor = (p: ThresholdPoint) => {
    if (!law || p.meanSiemensBefore === undefined || p.meanSiemensAfter === undefined) return 1;
    return Math.max(0.1, stepLawFactor(law, (p.meanSiemensBefore + p.meanSiemensAfter) / 2, Math.sign(p.volts)));
  };
  const rate = (p: ThresholdPoint) => Math.abs(p.meanStepSiemens) / factor(p);
  const lowestSig = Math.min(...sig.map((p) => Math.abs(p.volts)));
  // The noise floor: the median standard error of the quiet amplitudes (the smallest significant one's without any).
  const errs = (quiet.length > 0 ? quiet : sig).map((p) => p.stepStdErrSiemens).sort((a, b) => a - b);
  const floor = quiet.length > 0 ? errs[Math.floor(errs.length / 2)]! : errs[0]!;
  // Var(log step) ≈ (floor/step)²: the weight is its inverse.
  const weights = sig.map((p) => (floor > 0 ? (p.meanStepSiemens / floor) ** 2 : 1));
  const ys = sig.map((p) => Math.log(rate(p)));
  // The threshold may lie below the highest quiet amplitude: just above it a pulse moves a cell a small fraction of a step,
  // which the ladder's noise hides. A candidate is kept when the steps it predicts there would have stayed hidden
  // too (under the measured step and four standard errors). Searched only above the highest quiet amplitude, the
  // threshold was pushed up to it, and the exponent down to fit the strong amplitudes: reram's came out 0.92 for
  // 1 (threshold −0.932 V for −0.9 V), and its twin's minimum-energy pulse 56 ns where the device's is 316 ns.
  const quietBelow = quiet.filter((p) => Math.abs(p.volts) < lowestSig);
  const hidden = (vth: number, a: number, b: number) =>
    quietBelow.every((p) => Math.abs(p.volts) <= vth || Math.exp(a + b * Math.log(Math.abs(p.volts) - vth)) * factor(p) <= Math.abs(p.meanStepSiemens) + 4 * p.stepStdErrSiemens);
  // …but not more than two rungs of the ladder below the highest quiet amplitude (a law of exponent 2 hides 1.4
  // rungs): lower still, a steep law from a low threshold hides every quiet point too and fits the strong ones
  // (agsi's RESET: 0.46 V, exponent 2.6).
  const rungs = [...new Set(points.map((p) => Math.abs(p.volts)))].sort((x, y) => x - y);
  const rung = rungs.slice(1).reduce((m, v, i) => Math.min(m, v - rungs[i]!), Number.POSITIVE_INFINITY);
  const highestQuiet = Math.max(0, ...quietBelow.map((p) => Math.abs(p.volts)));
  const from = Math.max(0, highestQuiet - 2 * (Number.isFinite(rung) ? rung : 0));
  let best = { thresholdVolts: from, amplitudeExponent: 1, sse: Number.POSITIVE_INFINITY };
  for (let k = 0; k < 400; k++) {
    const vth = from + ((lowestSig - from) * k) / 400;
    const xs = sig.map((p) => Math.log(Math.abs(p.volts) - vth));
    const { a, b } = weightedLine(xs, ys, weights);
    const sse = xs.reduce((s, x, i) => s + weights[i]! * (ys[i]! - a - b * x) ** 2, 0);
    if (sse < best.sse && b > 0 && hidden(vth, a, b)) best = { thresholdVolts: vth, amplitudeExponent: b, sse };
  }
  return { thresholdVolts: best.thresholdVolts, amplitudeExponent: best.amplitudeExponent, significant: sig.length };
}

/** Weighted least-squares line y = a + b·x. */
function weightedLine(xs: number[], ys: number[], ws: number[]): { a: number; b: number } {
  let w = 0, mx = 0, my = 0;
  for (let i = 0; i < xs.length; i++) {
    w += ws[i]!;
    mx += ws[i]! * xs[i]!;
    my += ws[i]! * ys[i]!;
  }
  mx /= w;
  my /= w;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += ws[i]! * (xs[i]! - mx) * (ys[i]! - my);
    sxx += ws[i]! * (xs[i]! - mx) ** 2;
  }
  const b = sxx > 0 ? sxy / sxx : 0;
  return { a: my - b * mx, b };
}
