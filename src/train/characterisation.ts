// Characterising the array before training (ledger "characterise", overhead): ground the lines, RESET every
// used device to its floor (bursts of strong pulses until reads stop moving), read the floor, calibrate the
// SET step with a burst of update pulses, SET a sample of 256 cells to the ceiling to measure the range,
// RESET again.
// Unless the config fixes the pulse width, a device that holds fewer than TARGET_LEVELS steps at the default
// width (√(min·max) of its limits) gets shorter update pulses, down to its minimum width, and its step is
// measured again: coarse steps left EqProp at chance (the firmware's reference device: 22 levels at 447 µs,
// chance on toy:2d; 44 levels at 20 µs, 1.0).
import { UserError } from "../hal/user-error.js";
import type { CrossbarSettings } from "./config.js";
import { HARD_BURST, median, type ConductanceArray } from "./conductance-array.js";
import { readStatistics } from "./repeated-reads.js";

const MAX_BURSTS = 40;
const CALIBRATION_PULSES = 20;
/** Fewest distinguishable levels per device the default pulse width is shortened to reach. */
const TARGET_LEVELS = 64;
/** Cells driven to the ceiling to measure the conductance range. */
const RANGE_SAMPLE = 256;
/** A read that moves less than this fraction of the first read's largest conductance has stopped moving. */
const SETTLED = 0.005;

/**
 * Characterises the `used` cells of the array in place: its calibration, the stuck (dead) cells, the update
 * pulse width, and the shadow (every used device at its floor, where the final RESET leaves it).
 */
export async function characterise(array: ConductanceArray, used: Int32Array, settings: CrossbarSettings): Promise<void> {
  const n = array.cells;
  const { id } = array;
  array.record("characterise", await array.device.reset());
  const floorRead = () => array.read("characterise");
  let prev = await floorRead();
  let range = 0;
  for (let i = 0; i < n; i++) range = Math.max(range, prev[i]!);
  // RESET to the floor: bursts of strong pulses until a read no longer moves.
  const floor = await burstUntilSettled(array, used, -array.resetVolts, prev, SETTLED * range, floorRead);
  prev = floor.read;
  const resetBursts = Math.max(1, floor.bursts + 1);
  // The floor and the read noise from two reads of it (repeated-reads.ts), pooled over the used devices.
  const floorStats = readStatistics([prev, await floorRead()]);
  const gLow = Float64Array.from(prev);
  let noiseVariance = 0;
  let cnt = 0;
  for (let i = 0; i < n; i++) {
    if (!used[i]) continue;
    noiseVariance += floorStats.variance[i]!;
    cnt++;
    gLow[i] = floorStats.mean[i]!;
  }
  const readSigma = Math.sqrt(noiseVariance / Math.max(1, cnt));
  // The SET step with the update pulse, then the ceiling.
  const calib = new Int32Array(n);
  for (let i = 0; i < n; i++) if (used[i]) calib[i] = CALIBRATION_PULSES;
  const measureSteps = async () => {
    await array.pulseCounts(calib, array.setVolts, array.widthSeconds, "characterise");
    const after = await floorRead();
    return { after, step: Float64Array.from({ length: n }, (_, i) => (used[i] ? (after[i]! - gLow[i]!) / CALIBRATION_PULSES : 0)) };
  };
  const first = await measureSteps();
  let step = first.step;
  // The ceiling, on a sample of cells only: driving every device to its top is the most expensive
  // pulse train there is (high conductance), and the range is a property of the population.
  const sample = new Int32Array(n);
  const usedCells: number[] = [];
  for (let i = 0; i < n; i++) if (used[i]) usedCells.push(i);
  const stride = Math.max(1, Math.floor(usedCells.length / RANGE_SAMPLE));
  for (let k = 0; k < usedCells.length; k += stride) sample[usedCells[k]!] = 1;
  const top = (await burstUntilSettled(array, sample, id.limits.maxProgramVoltsPositive, first.after, SETTLED * range, floorRead)).read;
  const ranges: number[] = [];
  for (let i = 0; i < n; i++) if (sample[i]) ranges.push(top[i]! - gLow[i]!);
  const medRange = median(ranges);
  const usedSteps = () => usedCells.map((i) => step[i]!);
  let medStep = median(usedSteps());
  const minWidth = id.limits.minPulseWidthSeconds;
  for (let tries = 0; settings.pulseWidthSeconds === null && tries < 3; tries++) {
    const levels = medRange / Math.max(medStep, 2 * readSigma);
    if (!(levels < TARGET_LEVELS) || !(medStep > 0) || array.widthSeconds <= minWidth) break;
    // Steps shrink about in proportion to the width well below saturation: aim at TARGET_LEVELS.
    array.widthSeconds = Math.max(minWidth, (array.widthSeconds * levels) / TARGET_LEVELS);
    await array.hardPulse(used, -array.resetVolts, resetBursts * HARD_BURST, "characterise");
    step = (await measureSteps()).step;
    medStep = median(usedSteps());
  }
  const medLow = median(usedCells.map((i) => gLow[i]!));
  const gHigh = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!used[i]) continue;
    gHigh[i] = sample[i] ? top[i]! : gLow[i]! + medRange;
    // Devices that did not switch are stuck (at the top when their floor is high): freeze their pairs.
    if (gLow[i]! > medLow + 0.5 * medRange || (sample[i] && top[i]! - gLow[i]! < 0.2 * medRange) || !(step[i]! > 0.05 * medStep)) {
      array.dead[i] = 1;
      if (gLow[i]! > medLow + 0.5 * medRange) gHigh[i] = gLow[i]!;
    }
    if (!(step[i]! > 0)) step[i] = medStep;
  }
  if (!(medRange > 0) || !(medStep > 0)) throw new NoSwitchingError(id.model, medRange, medStep, array.setVolts, array.widthSeconds);
  array.cal = { gLow, gHigh, step, gUnit: medRange / settings.weightRange, resetBursts, readSigma };
  await array.hardPulse(used, -array.resetVolts, resetBursts * HARD_BURST, "characterise");
  for (let i = 0; i < n; i++) array.shadow[i] = gLow[i]!;
}

/**
 * Bursts of HARD_BURST hard pulses at `volts` on the marked cells, each followed by a read, until the marked cells
 * that move by more than `settled` towards the bound are no more than read noise alone moves (at most MAX_BURSTS).
 * Pulses drive cells one way only, so the cells that moved as far the other way count the noise's tail: on taox
 * (2 % read noise, thermal noise, 12-bit ADC) some of ~1,000 cells crossed 0.5 % of the largest reading by noise
 * after every burst, the array took all 40 bursts, and every refresh's RESET took 41 (82 % of E_learn). The default
 * reram run's characterisation cost 1.59e-3 J with a fixed threshold, 2.75e-4 J with this test. Returns the last read and the
 * index of the burst after which nothing moved beyond the noise (MAX_BURSTS when something always did).
 */
async function burstUntilSettled(array: ConductanceArray, cells: Int32Array, volts: number, start: Float64Array, settled: number, read: () => Promise<Float64Array>): Promise<{ read: Float64Array; bursts: number }> {
  const toward = volts < 0 ? -1 : 1;
  let prev = start;
  let bursts = 0;
  for (; bursts < MAX_BURSTS; bursts++) {
    await array.hardPulse(cells, volts, HARD_BURST, "characterise");
    const now = await read();
    let moved = 0, back = 0;
    for (let i = 0; i < now.length; i++) {
      if (!cells[i]) continue;
      const d = toward * (now[i]! - prev[i]!);
      if (d > settled) moved++;
      else if (-d > settled) back++;
    }
    prev = now;
    // Noise moves as many cells each way: more movers than that, by three of their Poisson deviations, is the pulses.
    if (moved <= back + 3 * Math.sqrt(back)) break;
  }
  return { read: prev, bursts };
}

/** Characterisation saw no switching: what was measured and what to try (exit 1: pulses were sent). */
export class NoSwitchingError extends UserError {
  constructor(
    readonly model: string,
    readonly rangeSiemens: number,
    readonly stepSiemens: number,
    readonly setVolts: number,
    readonly widthSeconds: number,
    /** The device URI the user named, when the caller knows it. */
    readonly deviceUri?: string,
  ) {
    const device = deviceUri !== undefined ? `the device (--device ${deviceUri})` : `the ${model} device`;
    const p3 = (x: number) => Number(x.toPrecision(3));
    super(
      `${device} did not switch when training characterised the array: range ${p3(rangeSiemens)} S, step ${p3(stepSiemens)} S per pulse ` +
        `at ${p3(setVolts)} V, ${p3(widthSeconds)} s; try stronger or longer update pulses (crossbar.setVolts, crossbar.pulseWidthSeconds ` +
        `in a --config file, within the limits \`mhil devices\` lists), or measure the device with \`mhil calibrate${deviceUri !== undefined ? ` --device ${deviceUri}` : ""}\``,
      1,
    );
  }

  /** The same refusal naming the device the user chose. */
  forDevice(deviceUri: string): NoSwitchingError {
    return new NoSwitchingError(this.model, this.rangeSiemens, this.stepSiemens, this.setVolts, this.widthSeconds, deviceUri);
  }
}
