// The twin's analog side: RC-filtered drive lines, memristors in series with sense resistors, and the
// ADC that samples the sense nodes. Time is continuous (seconds on the caller's clock); the state is
// integrated forward whenever the caller looks at it.
import type { BoardConfig } from "../../protocol/firmata/board-config.js";
import { Rng } from "../../src/random/rng.js";

/**
 * The memristor model, named as sim/devices names its parameters (a subset): a soft-bounded device
 * that switches only while |V across it| exceeds a threshold, at a rate that grows with the overdrive.
 */
export interface TwinDeviceParams {
  gMinSiemens: number;
  gMaxSiemens: number;
  /** Conductance change of one nominal pulse at the middle of the range. */
  stepSiemens: number;
  thresholdVoltsPositive: number;
  thresholdVoltsNegative: number;
  /** Device voltage (across the memristor itself) of the nominal pulse, each polarity. */
  nominalVoltsPositive: number;
  nominalVoltsNegative: number;
  nominalPulseWidthSeconds: number;
  amplitudeExponent: number;
  /** Relative spread of one switching event (drawn once per excursion over threshold). */
  writeNoiseC2c: number;
  /** Relative spread of the step size between devices (drawn once). */
  stepSpreadD2d: number;
  /** Relative noise of the current on every ADC sample. */
  readNoise: number;
  /** ADC input noise, standard deviation in LSB (an AVR ADC shows about half an LSB). */
  adcNoiseLsb: number;
}

export const DEFAULT_TWIN_DEVICE: TwinDeviceParams = {
  gMinSiemens: 5e-6,
  gMaxSiemens: 50e-6,
  stepSiemens: 3e-6,
  thresholdVoltsPositive: 1.2,
  thresholdVoltsNegative: 1.2,
  nominalVoltsPositive: 2.2,
  nominalVoltsNegative: 2.2,
  nominalPulseWidthSeconds: 0.02,
  amplitudeExponent: 1,
  writeNoiseC2c: 0.1,
  stepSpreadD2d: 0.1,
  readNoise: 0.005,
  adcNoiseLsb: 0.5,
};

/** Energy the twin's physics says was spent, joules: in the memristors and in the sense resistors. */
export interface TrueEnergy {
  memristorJoules: number;
  senseResistorJoules: number;
}

interface Line {
  tau: number;
  fullScale: number;
  /** Voltage at t0 and the value it relaxes towards. */
  v0: number;
  t0: number;
  target: number;
}

export class AnalogBoard {
  readonly conductance: Float64Array;
  private readonly stepScale: Float64Array;
  /** Noise factor of the current switching excursion per device, or NaN when not switching. */
  private readonly excursion: Float64Array;
  private readonly rows: Line[];
  private readonly cols: Line[];
  private t: number;
  private readonly energy: TrueEnergy = { memristorJoules: 0, senseResistorJoules: 0 };
  private readonly rng: Rng;

  constructor(
    readonly config: BoardConfig,
    readonly device: TwinDeviceParams,
    seed: number,
    now: number,
  ) {
    this.rng = new Rng(seed).fork("firmata-twin");
    const n = config.rows * config.cols;
    this.conductance = new Float64Array(n);
    this.stepScale = new Float64Array(n);
    this.excursion = new Float64Array(n).fill(NaN);
    const span = device.gMaxSiemens - device.gMinSiemens;
    for (let i = 0; i < n; i++) {
      this.conductance[i] = device.gMinSiemens + span * (0.3 + 0.4 * this.rng.uniform());
      this.stepScale[i] = Math.max(0.1, 1 + device.stepSpreadD2d * this.rng.normal());
    }
    const line = (l: BoardConfig["rowLines"][number]): Line => ({ tau: l.settleTauSeconds, fullScale: 2 ** l.resolutionBits - 1, v0: 0, t0: now, target: 0 });
    this.rows = config.rowLines.map(line);
    this.cols = config.colLines.map(line);
    this.t = now;
  }

  /** Index of the line driven by `pin`, or null when the pin drives nothing on the board. */
  lineOfPin(pin: number): { kind: "row" | "col"; index: number } | null {
    const r = this.config.rowLines.findIndex((l) => l.pin === pin);
    if (r >= 0) return { kind: "row", index: r };
    const c = this.config.colLines.findIndex((l) => l.pin === pin);
    return c >= 0 ? { kind: "col", index: c } : null;
  }

  /** Sets a line's output to `fraction` of the supply (PWM duty or DAC code / full scale) at time `now`. */
  drive(kind: "row" | "col", index: number, fraction: number, now: number): void {
    this.advance(now);
    const l = (kind === "row" ? this.rows : this.cols)[index]!;
    l.v0 = lineVolts(l, now);
    l.t0 = now;
    l.target = Math.min(1, Math.max(0, fraction)) * this.config.supplyVolts;
  }

  /** The board lost power (USB unplugged): every line falls to 0 V at once. */
  powerOff(now: number): void {
    this.advance(now);
    for (const l of [...this.rows, ...this.cols]) {
      l.v0 = 0;
      l.target = 0;
      l.t0 = now;
    }
  }

  /** Line voltages at `now`, rows then columns, volts. */
  lineVolts(now: number): number[] {
    return [...this.rows, ...this.cols].map((l) => lineVolts(l, now));
  }

  /** ADC code of each device's sense node at `now`, by analog channel. */
  sample(now: number): Map<number, number> {
    this.advance(now);
    const out = new Map<number, number>();
    const { adc } = this.config;
    const full = 2 ** adc.bits;
    for (const d of this.config.devices) {
      const i = d.row * this.config.cols + d.col;
      const vr = lineVolts(this.rows[d.row]!, now);
      const vc = lineVolts(this.cols[d.col]!, now);
      const g = this.conductance[i]!;
      const current = ((vr - vc) / (1 / g + d.senseResistorOhms)) * (1 + this.device.readNoise * this.rng.normal());
      const vSense = vc + current * d.senseResistorOhms;
      const code = Math.floor((vSense / adc.referenceVolts) * full + this.device.adcNoiseLsb * this.rng.normal());
      out.set(d.analogChannel, Math.min(full - 1, Math.max(0, code)));
    }
    return out;
  }

  trueEnergy(now: number): TrueEnergy {
    this.advance(now);
    return { ...this.energy };
  }

  /** Integrates switching and dissipation from the last look to `now`. */
  advance(now: number): void {
    let t = this.t;
    if (now <= t) return;
    const all = [...this.rows, ...this.cols];
    const minTau = Math.min(...all.map((l) => l.tau));
    while (t < now) {
      const quiet = all.every((l) => l.target === 0 && Math.abs(lineVolts(l, t)) < 1e-9);
      if (quiet) {
        t = now;
        break;
      }
      const settled = all.every((l) => Math.abs(lineVolts(l, t) - l.target) < 1e-6 * this.config.supplyVolts);
      const dt = Math.min(now - t, settled ? 1e-3 : minTau / 8);
      this.step(t + dt / 2, dt);
      t += dt;
    }
    this.t = now;
  }

  private step(tm: number, dt: number): void {
    const p = this.device;
    const span = p.gMaxSiemens - p.gMinSiemens;
    for (const d of this.config.devices) {
      const i = d.row * this.config.cols + d.col;
      const vb = lineVolts(this.rows[d.row]!, tm) - lineVolts(this.cols[d.col]!, tm);
      const g = this.conductance[i]!;
      const current = vb / (1 / g + d.senseResistorOhms);
      const vDev = current / g;
      this.energy.memristorJoules += current * vDev * dt;
      this.energy.senseResistorJoules += current * current * d.senseResistorOhms * dt;
      const up = vDev > p.thresholdVoltsPositive;
      const down = -vDev > p.thresholdVoltsNegative;
      if (!up && !down) {
        this.excursion[i] = NaN;
        continue;
      }
      if (Number.isNaN(this.excursion[i]!)) this.excursion[i] = Math.max(0, 1 + p.writeNoiseC2c * this.rng.normal());
      const over = up
        ? (vDev - p.thresholdVoltsPositive) / (p.nominalVoltsPositive - p.thresholdVoltsPositive)
        : (-vDev - p.thresholdVoltsNegative) / (p.nominalVoltsNegative - p.thresholdVoltsNegative);
      const x = (g - p.gMinSiemens) / span;
      // Soft bounds: the step shrinks towards the bound it moves to (2× at mid-range keeps stepSiemens there).
      const room = up ? 2 * (1 - x) : 2 * x;
      const rate = (p.stepSiemens / p.nominalPulseWidthSeconds) * over ** p.amplitudeExponent * room * this.stepScale[i]! * this.excursion[i]!;
      const g1 = g + (up ? 1 : -1) * rate * dt;
      this.conductance[i] = Math.min(p.gMaxSiemens, Math.max(p.gMinSiemens, g1));
    }
  }
}

function lineVolts(l: Line, t: number): number {
  return l.target + (l.v0 - l.target) * Math.exp(-(t - l.t0) / l.tau);
}
