// The twin's analog side: RC-filtered drive lines, memristors in series with sense resistors, and the
// ADC that samples the sense nodes. Time is continuous (seconds on the caller's clock); the state is
// integrated forward whenever the caller looks at it.
// The memristors are sim/devices devices (board-device.ts): their population (bounds, steps, stuck states),
// step law and switching law are the simulated crossbar's. What the twin adds is time: while a device's
// voltage is over threshold it switches at switchingRate(V) nominal steps per nominal pulse width, integrated
// in slices as the RC lines move; cycle-to-cycle noise is drawn once per excursion over threshold (one
// physical pulse), as the simulator draws it once per pulse.
import type { BoardConfig } from "../../protocol/firmata/board-config.js";
import { Rng } from "../../src/random/rng.js";
import { createDeviceModel, newTally, type DeviceModel } from "../../sim/devices/models.js";
import { switchingRate } from "../../sim/devices/params.js";
import { drawPopulation, FREE, STUCK_AT_MIN, type DevicePopulation } from "../../sim/devices/population.js";
import type { TwinDeviceParams } from "./board-device.js";

export { DEFAULT_TWIN_DEVICE, type TwinDeviceParams } from "./board-device.js";

/** Energy the twin's physics says was spent, joules: in the memristors and in the sense resistors. */
export interface TrueEnergy {
  memristorJoules: number;
  senseResistorJoules: number;
  /** Time some line was driven or still relaxing to ground, seconds: the twin's own on-time. */
  drivenSeconds: number;
  /** Highest power in all branches together since the last resetPeakWatts(), watts. */
  peakWatts: number;
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
  /** True conductances, siemens, by device index row·cols + col (the population's own memory). */
  readonly conductance: Float64Array;
  private readonly population: DevicePopulation;
  /** The device's step law without write noise: the twin draws that once per excursion. */
  private readonly model: DeviceModel;
  /** Noise factor of the current switching excursion per device, or NaN when not switching. */
  private readonly excursion: Float64Array;
  private readonly rows: Line[];
  private readonly cols: Line[];
  private t: number;
  private readonly energy: TrueEnergy = { memristorJoules: 0, senseResistorJoules: 0, drivenSeconds: 0, peakWatts: 0 };
  private readonly rng: Rng;
  private readonly cell = new Int32Array(1);

  constructor(
    readonly config: BoardConfig,
    readonly device: TwinDeviceParams,
    seed: number,
    now: number,
  ) {
    const root = new Rng(seed).fork("firmata-twin");
    const n = config.rows * config.cols;
    this.population = drawPopulation(device, n, root.fork("devices"));
    this.model = createDeviceModel({ ...device, writeNoiseC2c: 0 });
    this.conductance = this.population.conductances;
    // The board's devices arrive formed, each in the middle of its own range (30–70 %); stuck ones at their bound.
    const initial = root.fork("initial");
    for (let i = 0; i < n; i++) {
      const lo = this.population.gMin[i]!, hi = this.population.gMax[i]!;
      const state = this.population.state[i];
      this.conductance[i] = state === FREE ? lo + (hi - lo) * (0.3 + 0.4 * initial.uniform()) : state === STUCK_AT_MIN ? lo : hi;
    }
    this.rng = root.fork("noise");
    this.excursion = new Float64Array(n).fill(NaN);
    const line = (l: BoardConfig["rowLines"][number]): Line => ({ tau: l.settleTauSeconds, fullScale: 2 ** l.resolutionBits - 1, v0: 0, t0: now, target: 0 });
    this.rows = config.rowLines.map(line);
    this.cols = config.colLines.map(line);
    this.t = now;
  }

  /** The time its state has been integrated to, seconds: nothing may change it earlier. */
  get integratedTo(): number {
    return this.t;
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

  /** Starts a new window for TrueEnergy.peakWatts (after integrating up to `now`). */
  resetPeakWatts(now: number): void {
    this.advance(now);
    this.energy.peakWatts = 0;
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
      this.energy.drivenSeconds += dt;
      t += dt;
    }
    this.t = now;
  }

  private step(tm: number, dt: number): void {
    const p = this.device;
    const tally = newTally();
    let watts = 0;
    for (const d of this.config.devices) {
      const i = d.row * this.config.cols + d.col;
      const vb = lineVolts(this.rows[d.row]!, tm) - lineVolts(this.cols[d.col]!, tm);
      const g = this.conductance[i]!;
      const current = vb / (1 / g + d.senseResistorOhms);
      const vDev = current / g;
      this.energy.memristorJoules += current * vDev * dt;
      this.energy.senseResistorJoules += current * current * d.senseResistorOhms * dt;
      watts += current * vDev + current * current * d.senseResistorOhms;
      // Nominal steps per nominal pulse width at this voltage (0 at or below threshold).
      const overdrive = switchingRate(p, vDev, p.nominalPulseWidthSeconds);
      if (overdrive === 0) {
        this.excursion[i] = NaN;
        continue;
      }
      if (Number.isNaN(this.excursion[i]!)) this.excursion[i] = Math.max(0, 1 + p.writeNoiseC2c * this.rng.normal());
      const rate = overdrive * (dt / p.nominalPulseWidthSeconds) * this.excursion[i]!;
      this.cell[0] = i;
      const gCompliance = p.complianceAmperes / Math.abs(vDev);
      this.model.pulse(this.conductance, this.population, this.cell, 0, 1, 1, vDev > 0 ? 1 : -1, rate, gCompliance, this.rng, tally);
    }
    this.energy.peakWatts = Math.max(this.energy.peakWatts, watts);
  }
}

function lineVolts(l: Line, t: number): number {
  return l.target + (l.v0 - l.target) * Math.exp(-(t - l.t0) / l.tau);
}
