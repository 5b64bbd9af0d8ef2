// The device flags of every command that opens a device (train, calibrate, info): where the wear counts
// live, whether worn cells may still be pulsed, and the compliance policy. One wording, one meaning.
import { join } from "node:path";
import type { Command } from "commander";
import type { WearPolicy } from "../backends/device-stack.js";
import { WearStore, defaultWearDir } from "../wear/store.js";

export interface DeviceFlags {
  stateDir?: string;
  allowWorn?: boolean;
  stopOnTrip?: boolean;
}

/** Adds --state-dir, and for commands that pulse the device --allow-worn and --stop-on-trip. */
export function deviceFlagOptions(cmd: Command, pulses = true): Command {
  cmd.option("--state-dir <dir>", "where per-device wear counts are kept (default $MHIL_STATE_DIR, else ~/.local/state/memristor-hil)");
  if (!pulses) return cmd;
  return cmd
    .option("--allow-worn", "program cells past their endurance anyway (their pulses are still counted)")
    .option("--stop-on-trip", "stop safely at a compliance trip or a measured current over the device's limit");
}

/** The wear store the flags name: STATE_DIR/wear, else $MHIL_STATE_DIR/wear, else ~/.local/state/memristor-hil/wear. */
export function wearStore(flags: DeviceFlags): WearStore {
  return new WearStore(flags.stateDir ? join(flags.stateDir, "wear") : defaultWearDir());
}

/** Wear counted per device serial across commands and runs. */
export function wearPolicy(flags: DeviceFlags): WearPolicy {
  return { store: wearStore(flags), allowWorn: flags.allowWorn === true };
}
