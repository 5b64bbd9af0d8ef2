// Opens the simulated crossbar a `sim:` URI names: sim: (ReRAM preset) or sim:PRESET?rows=&cols=&seed=&irdrop=1
// (irdrop=1 solves the resistive lines for reads and products, with the preset's wire resistance).
import type { Crossbar } from "../../src/hal/crossbar.js";
import { DeviceUriError, intParam, type DeviceUri } from "../../src/hal/uri.js";
import { DEFAULT_PRESET, PRESETS, presetNamed } from "../devices/presets.js";
import { SimulatedCrossbar } from "./simulated-crossbar.js";

export const DEFAULT_SIM_ROWS = 64;
export const DEFAULT_SIM_COLS = 64;
export const DEFAULT_SIM_SEED = 0;

const KNOWN_PARAMS = ["rows", "cols", "seed", "irdrop"];

/** Builds (synchronously) the simulated crossbar a sim: URI describes. */
export function simCrossbarFromUri(uri: DeviceUri, temperatureKelvin?: number): SimulatedCrossbar {
  const name = uri.target === "" ? DEFAULT_PRESET : uri.target;
  const preset = presetNamed(name);
  if (!preset) throw new DeviceUriError(uri.text, `unknown preset "${name}" (one of ${Object.keys(PRESETS).join(", ")})`);
  for (const k of Object.keys(uri.params)) {
    if (!KNOWN_PARAMS.includes(k)) throw new DeviceUriError(uri.text, `unknown parameter "${k}" (sim: takes ${KNOWN_PARAMS.join(", ")})`);
  }
  const rows = intParam(uri, "rows", DEFAULT_SIM_ROWS, 1);
  const cols = intParam(uri, "cols", DEFAULT_SIM_COLS, 1);
  const seed = intParam(uri, "seed", DEFAULT_SIM_SEED, 0);
  const irDrop = intParam(uri, "irdrop", 0, 0);
  if (irDrop > 1) throw new DeviceUriError(uri.text, `parameter irdrop=${irDrop} must be 0 or 1`);
  if (irDrop === 1 && !(preset.array.lineResistanceOhmsPerCell! > 0)) throw new DeviceUriError(uri.text, `preset "${name}" has no wire resistance; irdrop=1 needs one`);
  for (const [k, v] of [["rows", rows], ["cols", cols]] as const) {
    if (v > 4096) throw new DeviceUriError(uri.text, `parameter ${k}=${v} must be ≤ 4096`);
  }
  return new SimulatedCrossbar({
    rows,
    cols,
    seed,
    device: preset.device,
    peripherals: preset.peripherals,
    array: { ...preset.array, irDrop: irDrop === 1 },
    ...(temperatureKelvin !== undefined ? { temperatureKelvin } : {}),
    model: `sim:${preset.name}`,
    serial: `sim-${preset.name}-${rows}x${cols}-seed${seed}`,
  });
}

export async function openSimCrossbar(uri: DeviceUri, temperatureKelvin?: number): Promise<Crossbar> {
  return simCrossbarFromUri(uri, temperatureKelvin);
}
