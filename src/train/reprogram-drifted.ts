// Resuming on a device that keeps its own state (hardware behind the serial controller or Firmata): the array
// is read, every device of a weight pair is compared with the checkpoint's reading of it, and only the devices
// outside a tolerance are programmed back to it (write-verify.ts). Never a RESET of the array: that would cost
// every device a cycle of wear and the run a second initialisation. The devices the killed attempt pulsed after
// its checkpoint, and any that drifted or were disturbed since, are the ones that differ. (Not the checkpoint's
// shadow: a model's estimate, which devices near saturation sit steps below; half a 64×64 array differed from it.)
import { median, type ConductanceArray } from "./conductance-array.js";
import { programToTargets, type ConductanceTarget } from "./write-verify.js";

/** Rounds of write-verify a drifted device gets before it is reported unconverged. */
const MAX_ROUNDS = 50;
/** Standard deviations of two readings' difference a device may stray from its checkpoint reading by, undrifted. */
const NOISE_SIGMAS = 3;

/** How a resume put the checkpoint's conductances back on the device (the run's records and the CLI say it). */
export interface RestoreReport {
  /**
   * "device-state": the simulator's saved state loaded (nothing read, nothing pulsed);
   * "read-compare-reprogram": the array read and only the devices outside `toleranceSiemens` re-programmed;
   * "rewrite": a checkpoint with no reading (the last epoch's, or older): pairs RESET and the weights written.
   */
  method: "device-state" | "read-compare-reprogram" | "rewrite";
  /** Devices of weight pairs compared (stuck ones left out). */
  devicesCompared: number;
  /** Devices whose reading was outside the tolerance of the checkpoint's conductance. */
  drifted: number;
  /** Drifted devices that were pulsed (a second reading may find one back within tolerance: not pulsed). */
  reprogrammed: number;
  /** Drifted devices still outside the tolerance after the write-verify rounds. */
  unconverged: number;
  /** Programming pulses spent (no RESET of the array: 0 devices reset). */
  pulses: number;
  /** The smallest and largest tolerance a device had (it grows with the conductance, as the read noise does). */
  toleranceSiemens: number;
  toleranceMaxSiemens: number;
  /** The read noise's part proportional to the conductance, estimated from the devices. */
  relativeReadSigma: number;
}

/** A resume that compared nothing: "device-state" (the simulator's state loaded) or "rewrite" (no reading: the weights written again, one RESET of the pairs). */
export function nothingCompared(method: "device-state" | "rewrite"): RestoreReport {
  return { method, devicesCompared: 0, drifted: 0, reprogrammed: 0, unconverged: 0, pulses: 0, toleranceSiemens: 0, toleranceMaxSiemens: 0, relativeReadSigma: 0 };
}

/**
 * Reads the array, compares each device in `used` (1 = a device of a weight pair, not stuck) with `targets`
 * (siemens, the checkpoint's reading) and write-verifies those outside its tolerance: half a median SET step (a
 * device pulsed after the checkpoint moved by about one), or NOISE_SIGMAS σ of the difference of two readings
 * when that is larger, so an untouched device stays inside. A reading's σ is the calibration's floor σ and a part
 * proportional to the conductance (the simulator's 1%), estimated from the devices themselves: most did not change
 * since the checkpoint, so the median absolute relative difference measures it. The shadow is the caller's.
 */
export async function reprogramDrifted(array: ConductanceArray, used: Uint8Array, targets: Float64Array): Promise<RestoreReport> {
  const { cal, cols } = array;
  const read = await array.read("initialise");
  const steps: number[] = [];
  const relative: number[] = [];
  for (let c = 0; c < used.length; c++) {
    if (!used[c]) continue;
    steps.push(cal.step[c]!);
    // Well above the floor, whose σ would pass for a relative part.
    if (targets[c]! > 100 * cal.readSigma) relative.push(Math.abs(read[c]! - targets[c]!) / targets[c]!);
  }
  // MAD of a normal difference of two readings: 0.6745·√2·σ_relative.
  const relativeSigma = relative.length > 0 ? median(relative) / (0.6745 * Math.SQRT2) : 0;
  const halfStep = 0.5 * median(steps);
  const toleranceOf = (c: number) => Math.max(halfStep, NOISE_SIGMAS * Math.SQRT2 * Math.hypot(cal.readSigma, relativeSigma * targets[c]!));
  const drifted: ConductanceTarget[] = [];
  let toleranceSiemens = Infinity;
  let toleranceMaxSiemens = 0;
  for (let c = 0; c < used.length; c++) {
    if (!used[c]) continue;
    const tol = toleranceOf(c);
    toleranceSiemens = Math.min(toleranceSiemens, tol);
    toleranceMaxSiemens = Math.max(toleranceMaxSiemens, tol);
    if (Math.abs(read[c]! - targets[c]!) > tol) drifted.push({ row: Math.floor(c / cols), col: c % cols, siemens: targets[c]!, stepSiemens: cal.step[c]!, toleranceSiemens: tol });
  }
  if (steps.length === 0) toleranceSiemens = 0;
  const report: RestoreReport = { method: "read-compare-reprogram", devicesCompared: steps.length, drifted: drifted.length, reprogrammed: 0, unconverged: 0, pulses: 0, toleranceSiemens, toleranceMaxSiemens, relativeReadSigma: relativeSigma };
  if (drifted.length === 0) return report;
  const result = await programToTargets(
    array.device,
    drifted,
    array.writeVerifyOptions(toleranceSiemens, MAX_ROUNDS),
    (_activity, m) => array.record("initialise", m),
  );
  for (const c of result.cells) {
    if (c.pulses > 0) report.reprogrammed++;
    if (!c.converged) report.unconverged++;
  }
  report.pulses = result.pulses;
  return report;
}
