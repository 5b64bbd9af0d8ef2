// Everything that can refuse a training run's input, before its run directory exists: the device (through the
// one device stack), the dataset and the session, and on a resume the checkpoint put back.
import { openDeviceStack, type DeviceStack } from "../backends/device-stack.js";
import type { DeviceEvents } from "../backends/device-events.js";
import { EnergyLedger } from "../energy/ledger.js";
import { Rng } from "../random/rng.js";
import { sizeSimArray } from "../backends/sim-array-size.js";
import { NoSwitchingError } from "../train/characterisation.js";
import { loadDataset } from "../train/datasets.js";
import { PlacementError } from "../train/placement.js";
import type { RestoreReport } from "../train/reprogram-drifted.js";
import { TrainingSession, type SessionCheckpoint } from "../train/session.js";
import { fitNetworkToDevice } from "./network-fit.js";
import type { OpenTraining, RunTrainingOptions } from "./run-context.js";

export type { OpenTraining } from "./run-context.js";

/** Opens the device, loads the data, builds the session; a refusal closes what it opened and throws. */
export async function openTraining(opts: RunTrainingOptions, events: DeviceEvents): Promise<OpenTraining> {
  const { config } = opts;
  const ledger = new EnergyLedger();
  const rng = new Rng(config.seed);
  let stack: DeviceStack | null = null;
  try {
    // The dataset first (the same draws create would make): its shape sizes a simulated array left unsized.
    const dataset = await loadDataset(config, rng);
    let deviceUri = opts.deviceUri;
    if (config.weights === "crossbar") {
      if (!opts.crossbar) deviceUri = sizeSimArray(deviceUri, [dataset.inputSize, ...config.layers, dataset.numClasses]).uri;
      stack = await openDeviceStack(opts.crossbar ?? deviceUri, { ...(opts.wear ? { wear: opts.wear } : {}), stopOnTrip: opts.stopOnTrip === true, events, temperatureKelvin: config.temperatureKelvin });
    }
    const cp = opts.resume?.checkpoint;
    // A default network too large for the crossbar is narrowed to what fits, before any pulse (network-fit.ts).
    const fitted = stack ? fitNetworkToDevice(config, dataset.inputSize, dataset.numClasses, stack.identity.rows, stack.identity.cols) : { config, note: null };
    if (fitted.note) opts.onProgress?.({ kind: "note", text: fitted.note });
    const session = await TrainingSession.create({ config: fitted.config, crossbar: stack?.crossbar ?? null, ledger, rng, dataset, ...(cp ? { checkpoint: cp.session as SessionCheckpoint } : {}) });
    let restoreJoules = 0;
    if (cp) {
      rng.setState(cp.rng);
      // Nothing on the simulator, whose state the checkpoint carries; on hardware reading the array and re-programming
      // what drifted. Reported beside the total, so a resumed run's E_learn and total are the uninterrupted run's.
      restoreJoules = ledger.deviceTotalJoules();
      ledger.restore(cp.ledger);
      const r = session.restored;
      if (r && r.method !== "device-state") opts.onProgress?.({ kind: "note", text: restoreNote(r) });
    }
    return { session, ledger, rng, stack, restoreJoules, deviceUri };
  } catch (e) {
    await stack?.close().catch(() => undefined);
    throw refusal(e, opts.deviceUri);
  }
}

/** The CLI's line about a hardware resume: what was compared, what drifted and was re-programmed, no reset. */
function restoreNote(r: RestoreReport): string {
  if (r.method === "rewrite") return "resume: the checkpoint holds no reading of the array (the last epoch's, or an older one): its weights written again, pairs RESET first";
  const unconverged = r.unconverged > 0 ? `, ${r.unconverged} still outside it after write-verify` : "";
  return `resume: read the array and compared ${r.devicesCompared} devices with the checkpoint: ${r.drifted} drifted beyond ${r.toleranceSiemens.toExponential(2)}–${r.toleranceMaxSiemens.toExponential(2)} S, ${r.reprogrammed} re-programmed (${r.pulses} pulses${unconverged}); no array reset`;
}

/** src/train's refusals name the device the user chose. */
function refusal(e: unknown, deviceUri: string): unknown {
  if (e instanceof PlacementError || e instanceof NoSwitchingError) return e.forDevice(deviceUri);
  return e;
}
