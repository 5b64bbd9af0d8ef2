// Everything that can refuse a training run's input, before its run directory exists: the device (through the
// one device stack), the dataset and the session, and on a resume the checkpoint put back.
import { openDeviceStack, type DeviceStack } from "../backends/device-stack.js";
import type { DeviceEvents } from "../backends/device-events.js";
import { EnergyLedger } from "../energy/ledger.js";
import { Rng } from "../random/rng.js";
import { UserError } from "../hal/user-error.js";
import { PlacementError } from "../train/placement.js";
import { TrainingSession, type SessionCheckpoint } from "../train/session.js";
import type { OpenTraining, RunTrainingOptions } from "./run-context.js";

export type { OpenTraining } from "./run-context.js";

/** The network does not fit on the device: both sizes and the device, on one line (exit 2). */
export class NetworkTooLargeError extends UserError {}

/** Characterising the array before training saw no switching: what was measured and what to try (exit 1: pulses were sent). */
export class NoSwitchingError extends UserError {}

/** Opens the device, loads the data, builds the session; a refusal closes what it opened and throws. */
export async function openTraining(opts: RunTrainingOptions, events: DeviceEvents): Promise<OpenTraining> {
  const { config } = opts;
  const ledger = new EnergyLedger();
  const rng = new Rng(config.seed);
  let stack: DeviceStack | null = null;
  try {
    if (config.weights === "crossbar") {
      stack = await openDeviceStack(opts.crossbar ?? opts.deviceUri, { ...(opts.wear ? { wear: opts.wear } : {}), stopOnTrip: opts.stopOnTrip === true, events });
    }
    const cp = opts.resume?.checkpoint;
    const session = await TrainingSession.create({ config, crossbar: stack?.crossbar ?? null, ledger, rng, ...(cp ? { checkpoint: cp.session as SessionCheckpoint } : {}) });
    let restoreJoules = 0;
    if (cp) {
      rng.setState(cp.rng);
      // Nothing on the simulator, whose state the checkpoint carries; re-writing the weights on hardware. Reported
      // beside the total, so a resumed run's E_learn and total are the uninterrupted run's.
      restoreJoules = ledger.deviceTotalJoules();
      ledger.restore(cp.ledger);
    }
    return { session, ledger, rng, stack, restoreJoules };
  } catch (e) {
    await stack?.close().catch(() => undefined);
    throw refusal(e, opts.deviceUri);
  }
}

/**
 * src/train's refusals as one line that names the device. Until src/train says so itself: placeBlocks lists
 * every layer block (about 120 "4×4" on a 4×4 array), and characterise throws a plain Error on no switching.
 */
function refusal(e: unknown, deviceUri: string): unknown {
  if (e instanceof PlacementError) {
    return new NetworkTooLargeError(e.message.replace(/ \(layer blocks [^)]*\)/, "").replace(/ crossbar: /, ` crossbar (--device ${deviceUri}): `), 2, { cause: e });
  }
  const noSwitching = e instanceof Error && !(e instanceof UserError) ? /calibration found no switching \((.*)\)$/.exec(e.message) : null;
  if (noSwitching) {
    return new NoSwitchingError(
      `the device (--device ${deviceUri}) did not switch when training characterised the array: ${threeDigits(noSwitching[1]!)}; ` +
        `try stronger or longer update pulses (crossbar.setVolts, crossbar.pulseWidthSeconds in a --config file, within the limits \`mhil devices\` lists), ` +
        `or measure the device with \`mhil calibrate --device ${deviceUri}\``,
      1,
      { cause: e },
    );
  }
  return e;
}

/** Every number in `text` to three significant digits. */
function threeDigits(text: string): string {
  return text.replace(/\d+(?:\.\d+)?(?:e[-+]?\d+)?/g, (n) => String(Number(Number(n).toPrecision(3))));
}
