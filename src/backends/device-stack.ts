// The one device stack every command that touches a device opens (train, calibrate, a sweep point, info):
// backend → wear budget → safety guard → responsiveness. Wear counts every pulse per device serial, the guard
// checks every read, product and pulse against the device's limits and applies the compliance policy, and
// the event loop keeps running (signals, telemetry) on an in-process backend.
import type { Crossbar, DeviceIdentity } from "../hal/crossbar.js";
import { WearBudgetCrossbar } from "../wear/budget.js";
import type { WearStore } from "../wear/store.js";
import type { DeviceEvents } from "./device-events.js";
import { openCrossbar } from "./open.js";
import { ResponsiveCrossbar } from "./responsive-crossbar.js";
import { SafetyGuardCrossbar } from "./safety-guard.js";

export interface WearPolicy {
  /** Where the per-cell counts live (per device serial). */
  store: WearStore;
  /** Program cells past their endurance anyway (still counted). */
  allowWorn?: boolean;
  /** Pulses a cell survives (default: the device's own endurancePulses). */
  endurancePulses?: number;
  /** Warn when the most-worn cell passes this fraction of the endurance (default 0.8). */
  warnFraction?: number;
}

export interface DeviceStackOptions {
  /** Count every cell's pulses and refuse past the endurance; without it nothing is counted (library use). */
  wear?: WearPolicy;
  /**
   * The compliance policy: stop at a compliance trip or a measured current over the device's limit (a
   * device event, then ComplianceTripError / CurrentOverLimitError). Off by default: some boards (Firmata)
   * cut pulses at compliance routinely. The device's limits are checked on the host either way.
   */
  stopOnTrip?: boolean;
  /** Where the driver's messages, wear warnings and trips go as device events. */
  events?: DeviceEvents;
  /** Temperature from the config, kelvin: a simulated array's thermal read noise follows it. */
  temperatureKelvin?: number;
}

export interface DeviceStack {
  /** The top of the stack: what the caller uses. */
  readonly crossbar: Crossbar;
  readonly identity: DeviceIdentity;
  /** The wear layer, when counting. */
  readonly wear: WearBudgetCrossbar | null;
  /** Saves the wear counts; closes (grounds and releases) the backend when the stack opened it. */
  close(): Promise<void>;
}

/**
 * Opens `source` (a device URI, or a backend the caller opened and keeps) through the stack. A bad URI, an
 * unreachable device or a wear record of another device is refused here, and a backend opened here is
 * closed again.
 */
export async function openDeviceStack(source: string | Crossbar, o: DeviceStackOptions = {}): Promise<DeviceStack> {
  const owned = typeof source === "string";
  const base = owned ? await openCrossbar(source, { ...(o.events ? { log: o.events.log } : {}), ...(o.temperatureKelvin !== undefined ? { temperatureKelvin: o.temperatureKelvin } : {}) }) : source;
  let wear: WearBudgetCrossbar | null = null;
  try {
    const identity = await base.identify();
    if (o.wear) wear = await WearBudgetCrossbar.wrap(base, o.wear.store, wearOptions(o.wear, o.events));
    const guard = new SafetyGuardCrossbar(wear ?? base, identity, { stopOnTrip: o.stopOnTrip ?? false, ...(o.events ? { report: (e) => o.events!.emit(e) } : {}) });
    return {
      crossbar: new ResponsiveCrossbar(guard),
      identity,
      wear,
      close: async () => {
        if (owned) await (wear ?? base).close();
        else wear?.save();
      },
    };
  } catch (e) {
    if (owned) await base.close().catch(() => undefined);
    throw e;
  }
}

function wearOptions(w: WearPolicy, events: DeviceEvents | undefined) {
  return {
    ...(w.allowWorn !== undefined ? { allowWorn: w.allowWorn } : {}),
    ...(w.endurancePulses !== undefined ? { endurancePulses: w.endurancePulses } : {}),
    ...(w.warnFraction !== undefined ? { warnFraction: w.warnFraction } : {}),
    warn: (message: string) => {
      process.stderr.write(`warning: ${message}\n`);
      events?.emit({ kind: "wear_warning", message });
    },
  };
}
