// A population of devices: each device's own bounds, steps and stuck state, drawn once from the parameters (device-to-device spread).
import type { Rng } from "../../src/random/rng.js";
import type { DeviceParams } from "./params.js";
import { PulseKernel } from "./pulse-kernel.js";

export const FREE = 0;
export const STUCK_AT_MIN = 1;
export const STUCK_AT_MAX = 2;
/** Worn out: endurance exhausted, stuck where it was. */
export const WORN_OUT = 3;

/** Per-device properties, index = cell index (row-major in an array). */
export interface DevicePopulation {
  size: number;
  gMin: Float64Array;
  gMax: Float64Array;
  /** Magnitude of one nominal potentiating / depressing step of this device (asymmetry applied). */
  stepUp: Float64Array;
  stepDown: Float64Array;
  /** FREE, STUCK_AT_MIN, STUCK_AT_MAX or WORN_OUT. */
  state: Uint8Array;
  /** Pulses this device has received, for endurance: counted only when endurancePulses is finite, all it is for. */
  pulses: Float64Array;
  /**
   * The devices' conductances, siemens (filled by initialConductances): stored beside their properties in
   * the kernel's memory, so the pulse kernel updates them in place.
   */
  conductances: Float64Array;
  /** The wasm pulse kernel over these arrays. */
  kernel: PulseKernel;
}

/** Draws `size` devices. Order of draws is fixed, so the same seed gives the same devices bit for bit. */
export function drawPopulation(p: DeviceParams, size: number, rng: Rng): DevicePopulation {
  const kernel = new PulseKernel(size);
  const a = kernel.arrays;
  const pop: DevicePopulation = { size, gMin: a.gMin, gMax: a.gMax, stepUp: a.stepUp, stepDown: a.stepDown, state: a.state, pulses: a.pulses, conductances: a.g, kernel };
  const range = p.gMaxSiemens - p.gMinSiemens;
  const up = p.stepSiemens * (1 + p.upDownAsymmetry);
  const down = p.stepSiemens * (1 - p.upDownAsymmetry);
  for (let i = 0; i < size; i++) {
    let lo = p.gMinSiemens + p.boundsSpreadD2d * range * rng.normal();
    let hi = p.gMaxSiemens + p.boundsSpreadD2d * range * rng.normal();
    // Keep physical: conductances positive and a non-empty range of at least 10 % of the nominal one.
    if (lo < 0) lo = 0;
    if (hi < lo + 0.1 * range) hi = lo + 0.1 * range;
    pop.gMin[i] = lo;
    pop.gMax[i] = hi;
    pop.stepUp[i] = Math.max(0, up * (1 + p.stepSpreadD2d * rng.normal()));
    pop.stepDown[i] = Math.max(0, down * (1 + p.stepSpreadD2d * rng.normal()));
    const u = rng.uniform();
    pop.state[i] = u < p.stuckAtMinProbability ? STUCK_AT_MIN : u < p.stuckAtMinProbability + p.stuckAtMaxProbability ? STUCK_AT_MAX : FREE;
  }
  return pop;
}

/** A device stuck at a bound, by its index in the array (row-major). */
export interface StuckCell {
  index: number;
  bound: "min" | "max";
}

/**
 * Puts the stuck devices where a survey of a real array found them: every other device is free. The draws are
 * unchanged (the stuck fractions still drew their uniforms), so only which devices are stuck moves. Drawn from the
 * fractions, a twin had reram's count right but one stuck-at-max device elsewhere: that device's noisy reads at the
 * top had set the trainer's RESET bursts (8; the twin 7), and every device after it drew another initial state.
 */
export function placeStuckCells(pop: DevicePopulation, stuck: readonly StuckCell[]): void {
  for (let i = 0; i < pop.size; i++) if (pop.state[i] === STUCK_AT_MIN || pop.state[i] === STUCK_AT_MAX) pop.state[i] = FREE;
  for (const c of stuck) {
    if (!Number.isInteger(c.index) || c.index < 0 || c.index >= pop.size) throw new RangeError(`stuck cell ${c.index} is outside the array of ${pop.size} devices`);
    pop.state[c.index] = c.bound === "min" ? STUCK_AT_MIN : STUCK_AT_MAX;
  }
}

/**
 * A surveyed array's own devices, by index (row-major): each one's bounds, siemens (null: not measured, drawn), and
 * its step each way as a multiple of the mean step (the parameters' step and asymmetry). A device not listed keeps its draw.
 */
export interface SurveyedCells {
  index: number[];
  gMinSiemens: (number | null)[];
  gMaxSiemens: (number | null)[];
  stepUpScale: number[];
  stepDownScale: number[];
}

/**
 * Puts a survey's devices where it found them, in place of the draws (which are still taken, so every other device
 * and the initial state draw as before): the twin of this array, not of another array of the same population. On
 * prezioso (step spread 0.3) two arrays drawn from the same population trained 0.8 and 2.3 points apart.
 */
export function placeSurveyedCells(pop: DevicePopulation, p: DeviceParams, cells: SurveyedCells): void {
  const up = p.stepSiemens * (1 + p.upDownAsymmetry);
  const down = p.stepSiemens * (1 - p.upDownAsymmetry);
  for (const [j, i] of cells.index.entries()) {
    if (!Number.isInteger(i) || i < 0 || i >= pop.size) throw new RangeError(`surveyed cell ${i} is outside the array of ${pop.size} devices`);
    const lo = Math.max(0, cells.gMinSiemens[j] ?? pop.gMin[i]!);
    pop.gMin[i] = lo;
    pop.gMax[i] = Math.max(lo, cells.gMaxSiemens[j] ?? pop.gMax[i]!);
    pop.stepUp[i] = Math.max(0, up * cells.stepUpScale[j]!);
    pop.stepDown[i] = Math.max(0, down * cells.stepDownScale[j]!);
  }
}

/** Sets and returns the population's conductances to those of a fresh array (stuck devices sit at their bound). */
export function initialConductances(p: DeviceParams, pop: DevicePopulation, rng: Rng): Float64Array {
  const g = pop.conductances;
  for (let i = 0; i < pop.size; i++) {
    const lo = pop.gMin[i]!, hi = pop.gMax[i]!;
    const s = pop.state[i];
    g[i] = s === STUCK_AT_MIN ? lo : s === STUCK_AT_MAX ? hi
      : p.initialConductance === "gMin" ? lo : p.initialConductance === "gMax" ? hi : lo + (hi - lo) * rng.uniform();
  }
  return g;
}
