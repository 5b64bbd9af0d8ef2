// Device URIs select a backend: sim:, sim:PRESET?rows=&cols=&seed=, serial:PATH?baud=, firmata:PATH, twin:FILE.
import { UserError } from "./user-error.js";
import type { BackendKind } from "./crossbar.js";

export interface DeviceUri {
  scheme: BackendKind;
  /** What follows the scheme before any '?': a preset name, a device path or a file. May be "". */
  target: string;
  params: Record<string, string>;
  /** The URI as written. */
  text: string;
}

export class DeviceUriError extends UserError {
  constructor(readonly uri: string, detail: string) {
    super(`device URI "${uri}": ${detail}. Examples: sim:, sim:reram?rows=32&cols=32&seed=1, serial:/dev/ttyACM0?baud=115200, firmata:/dev/ttyUSB0, twin:calibration/NAME.json`);
  }
}

const SCHEMES: readonly BackendKind[] = ["sim", "twin", "serial", "firmata"];

export function parseDeviceUri(text: string): DeviceUri {
  const colon = text.indexOf(":");
  if (colon < 0) throw new DeviceUriError(text, "missing scheme");
  const scheme = text.slice(0, colon) as BackendKind;
  if (!SCHEMES.includes(scheme)) throw new DeviceUriError(text, `unknown scheme "${scheme}" (one of ${SCHEMES.join(", ")})`);
  const rest = text.slice(colon + 1);
  const q = rest.indexOf("?");
  const target = q < 0 ? rest : rest.slice(0, q);
  const params: Record<string, string> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(rest.slice(q + 1))) params[k] = v;
  }
  return { scheme, target, params, text };
}

/** An integer parameter of a URI, with a default; a bad value names the parameter. */
export function intParam(uri: DeviceUri, name: string, fallback: number, min = 0): number {
  const raw = uri.params[name];
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new DeviceUriError(uri.text, `parameter ${name}=${raw} must be an integer ≥ ${min}`);
  return v;
}
