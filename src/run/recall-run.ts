// One associative-memory run: opens the device through the one stack (crossbar weights), stores and recalls,
// grounds the lines, and summarizes. Host CPU energy (RAPL, when present) is measured beside the device's.
import { openDeviceStack, type WearPolicy } from "../backends/device-stack.js";
import { HostEnergyMeter } from "../energy/host-power.js";
import { EnergyLedger } from "../energy/ledger.js";
import type { Crossbar } from "../hal/crossbar.js";
import { PlacementError } from "../train/placement.js";
import { NoSwitchingError } from "../train/characterisation.js";
import { storeAndRecall } from "../train/memory/associative-memory.js";
import type { MemoryConfig } from "../train/memory/memory-config.js";
import { summarizeRecall, type RecallSummary } from "./recall-summary.js";

export interface RecallRunOptions {
  config: MemoryConfig;
  /** The device for crossbar weights (ignored for ideal). */
  deviceUri: string;
  /** A backend the caller opened and keeps (tests, sweeps); else deviceUri is opened. */
  crossbar?: Crossbar;
  wear?: WearPolicy;
  stopOnTrip?: boolean;
  powercapRoot?: string;
}

export async function runRecall(o: RecallRunOptions): Promise<RecallSummary> {
  const started = performance.now();
  const host = new HostEnergyMeter(o.powercapRoot);
  host.start();
  const ledger = new EnergyLedger();
  const onDevice = o.config.weights === "crossbar";
  const stack = onDevice ? await openDeviceStack(o.crossbar ?? o.deviceUri, { ...(o.wear ? { wear: o.wear } : {}), stopOnTrip: o.stopOnTrip === true }) : null;
  try {
    const outcome = await storeAndRecall(o.config, stack?.crossbar ?? null, ledger).catch((e: unknown) => {
      // src/train's refusals name the device the user chose.
      throw e instanceof PlacementError || e instanceof NoSwitchingError ? e.forDevice(o.deviceUri) : e;
    });
    if (stack) ledger.record("reset", await stack.crossbar.reset());
    host.stop();
    return summarizeRecall({ config: o.config, deviceUri: onDevice ? o.deviceUri : null, outcome, ledger, host: host.reading(), wallSeconds: (performance.now() - started) / 1000 });
  } finally {
    host.stop();
    await stack?.close();
  }
}
