// Opens the simulated crossbar a `sim:` URI names: sim: (ReRAM preset) or sim:PRESET?rows=&cols=&seed=.
import type { Crossbar } from "../../src/hal/crossbar.js";
import { DeviceUriError, intParam, type DeviceUri } from "../../src/hal/uri.js";
import { DEFAULT_PRESET, PRESETS, presetNamed } from "../devices/presets.js";
import { SimulatedCrossbar } from "./simulated-crossbar.js";

export const DEFAULT_SIM_ROWS = 64;
export const DEFAULT_SIM_COLS = 64;
export const DEFAULT_SIM_SEED = 0;

const KNOWN_PARAMS = ["rows", "cols", "seed"];

/** Builds (synchronously) the simulated crossbar a sim: URI describes. */
export function simCrossbarFromUri(uri: DeviceUri): SimulatedCrossbar {
  const name = uri.target === "" ? DEFAULT_PRESET : uri.target;
  const preset = presetNamed(name);
  if (!preset) throw new DeviceUriError(uri.text, `unknown preset "${name}" (one of ${Object.keys(PRESETS).join(", ")})`);
  for (const k of Object.keys(uri.params)) {
    if (!KNOWN_PARAMS.includes(k)) throw new DeviceUriError(uri.text, `unknown parameter "${k}" (sim: takes ${KNOWN_PARAMS.join(", ")})`);
  }
  const rows = intParam(uri, "rows", DEFAULT_SIM_ROWS, 1);
  const cols = intParam(uri, "cols", DEFAULT_SIM_COLS, 1);
  const seed = intParam(uri, "seed", DEFAULT_SIM_SEED, 0);
  for (const [k, v] of [["rows", rows], ["cols", cols]] as const) {
    if (v > 4096) throw new DeviceUriError(uri.text, `parameter ${k}=${v} must be ≤ 4096`);
  }
  return new SimulatedCrossbar({
    rows,
    cols,
    seed,
    device: preset.device,
    peripherals: preset.peripherals,
    model: `sim:${preset.name}`,
    serial: `sim-${preset.name}-${rows}x${cols}-seed${seed}`,
  });
}

export async function openSimCrossbar(uri: DeviceUri): Promise<Crossbar> {
  return simCrossbarFromUri(uri);
}
