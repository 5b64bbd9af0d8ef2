// Pulsed device models behind one interface: Ideal, LinearStep, SoftBounds, ExpStep (aihwkit-style).
import type { Rng } from "../../src/random/rng.js";
import { FREE, WORN_OUT, type DevicePopulation } from "./population.js";
import type { DeviceModelKind, DeviceParams } from "./params.js";

/** What a batch of pulses did, accumulated by the caller across batches. */
export interface PulseTally {
  /**
   * Σ over every pulse application of (1/w)·∫G(t)dt over the time the pulse was on, in siemens:
   * multiply by V²·w for joules. G ramps linearly from its value before to its value after the pulse
   * (constant switching rate while the pulse is on), so each term is f·(G_before + G_end)/2 where f = 1
   * unless compliance cut the pulse at fraction f (then G_end = I_compliance/|V|).
   */
  conductanceSum: number;
  /** Pulse applications on devices (stuck devices included: they conduct but do not switch). */
  applied: number;
  /** Pulses cut short by current compliance. */
  trips: number;
}

export const newTally = (): PulseTally => ({ conductanceSum: 0, applied: 0, trips: 0 });

export interface DeviceModel {
  readonly kind: DeviceModelKind;
  readonly params: DeviceParams;
  /** Mean step magnitude of device i at conductance g for one nominal pulse of polarity sign (+1 up, −1 down). */
  meanStep(pop: DevicePopulation, i: number, g: number, sign: number): number;
  /**
   * Applies `count` pulses of polarity `sign` and switching rate `rate` (in nominal steps, see switchingRate)
   * to each device whose index is cells[from..to), updating g in place and the tally.
   * gCompliance = I_compliance/|V|: a pulse stops where G would exceed it.
   */
  pulse(g: Float64Array, pop: DevicePopulation, cells: Int32Array, from: number, to: number, count: number, sign: number, rate: number, gCompliance: number, rng: Rng, tally: PulseTally): void;
}

/** The shared pulse loop; models differ only in stepFactor (and Ideal in having no write noise). */
abstract class PulsedModel implements DeviceModel {
  abstract readonly kind: DeviceModelKind;
  protected readonly writeNoise: number;
  /** Scratch for the write-noise deviates of one batch (drawn in one go: same stream, faster). */
  private noiseScratch = new Float64Array(0);
  constructor(readonly params: DeviceParams) {
    this.writeNoise = params.writeNoiseC2c;
  }

  /** How much of the device's nominal step a pulse moves at conductance g within [lo, hi] (up = potentiating). */
  abstract stepFactor(g: number, lo: number, hi: number, up: boolean): number;

  meanStep(pop: DevicePopulation, i: number, g: number, sign: number): number {
    const up = sign > 0;
    return (up ? pop.stepUp[i]! : pop.stepDown[i]!) * this.stepFactor(g, pop.gMin[i]!, pop.gMax[i]!, up);
  }

  pulse(g: Float64Array, pop: DevicePopulation, cells: Int32Array, from: number, to: number, count: number, sign: number, rate: number, gCompliance: number, rng: Rng, tally: PulseTally): void {
    const noise = this.writeNoise;
    const endurance = this.params.endurancePulses;
    const state = pop.state, gMin = pop.gMin, gMax = pop.gMax, pulses = pop.pulses;
    const up = sign > 0;
    const steps = up ? pop.stepUp : pop.stepDown;
    const moves = rate > 0;
    // One deviate per (cell, pulse) slot, drawn up front in cell order; slot (k, c) always uses z[(k−from)·count + c],
    // so splitting a batch into smaller calls draws the same deviates for the same pulses.
    const draws = noise > 0 && moves ? (to - from) * count : 0;
    if (this.noiseScratch.length < draws) this.noiseScratch = new Float64Array(Math.max(draws, 2 * this.noiseScratch.length));
    const z = this.noiseScratch;
    if (draws > 0) rng.fillNormal(z, 0, draws);
    const scale = rate * sign;
    let sum = 0, trips = 0;
    for (let k = from; k < to; k++) {
      const i = cells[k]!;
      let gi = g[i]!;
      const free = moves && state[i] === FREE;
      const lo = gMin[i]!, hi = gMax[i]!, step = steps[i]! * scale;
      const zBase = (k - from) * count;
      for (let c = 0; c < count; c++) {
        if (gi >= gCompliance) {
          // Already at compliance: the pulse is cut as it starts.
          trips++;
          continue;
        }
        let g1 = gi;
        if (free) {
          g1 = gi + step * this.stepFactor(gi, lo, hi, up) * (draws > 0 ? 1 + noise * z[zBase + c]! : 1);
          if (g1 > hi) g1 = hi;
          else if (g1 < lo) g1 = lo;
          if (g1 > gCompliance) {
            // Compliance: the pulse stops when V·G reaches the compliance current, a fraction f into it.
            trips++;
            sum += ((gCompliance - gi) / (g1 - gi)) * (gi + gCompliance);
            gi = gCompliance;
            continue;
          }
        }
        sum += gi + g1;
        gi = g1;
      }
      g[i] = gi;
      if (free) {
        const n = (pulses[i] = pulses[i]! + count);
        if (n >= endurance) state[i] = WORN_OUT;
      }
    }
    tally.conductanceSum += sum / 2;
    tally.applied += count * (to - from);
    tally.trips += trips;
  }
}

/** Linear steps, hard bounds, no write noise: the exact reference. */
export class IdealModel extends PulsedModel {
  readonly kind = "ideal" as const;
  protected override readonly writeNoise = 0;
  stepFactor(): number {
    return 1;
  }
}

/** Constant step (with asymmetry, spreads and write noise), hard bounds. */
export class LinearStepModel extends PulsedModel {
  readonly kind = "linearStep" as const;
  stepFactor(): number {
    return 1;
  }
}

/** Step shrinks linearly to zero at the bound it moves toward (aihwkit SoftBoundsDevice). */
export class SoftBoundsModel extends PulsedModel {
  readonly kind = "softBounds" as const;
  stepFactor(g: number, lo: number, hi: number, up: boolean): number {
    return up ? (hi - g) / (hi - lo) : (g - lo) / (hi - lo);
  }
}

/** Step shrinks exponentially toward the bound it moves toward, with its own rate each way (aihwkit ExpStepDevice, simplified). */
export class ExpStepModel extends PulsedModel {
  readonly kind = "expStep" as const;
  private readonly gammaUp: number;
  private readonly gammaDown: number;
  constructor(params: DeviceParams) {
    super(params);
    this.gammaUp = params.gammaUp;
    this.gammaDown = params.gammaDown;
  }
  stepFactor(g: number, lo: number, hi: number, up: boolean): number {
    const x = (g - lo) / (hi - lo);
    return up ? Math.exp(-this.gammaUp * x) : Math.exp(-this.gammaDown * (1 - x));
  }
}

export function createDeviceModel(params: DeviceParams): DeviceModel {
  switch (params.model) {
    case "ideal":
      return new IdealModel(params);
    case "linearStep":
      return new LinearStepModel(params);
    case "softBounds":
      return new SoftBoundsModel(params);
    case "expStep":
      return new ExpStepModel(params);
  }
}
