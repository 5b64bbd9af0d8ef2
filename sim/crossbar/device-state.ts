// The simulated array's whole state as JSON: what a checkpoint carries so that a resumed run continues on
// the same simulated device bit for bit (the in-process simulator dies with the host process; a real
// device keeps its state physically and needs none of this).
import type { DeviceState } from "../../src/hal/crossbar.js";
import { decodeBytes, decodeFloat64, encodeBytes, encodeFloat64 } from "../../src/hal/base64-arrays.js";
import type { Rng, RngState } from "../../src/random/rng.js";

/** Live references into one simulated array: saving reads them, loading writes them in place. */
export interface SimStateParts {
  kind: string;
  floats: Record<string, Float64Array>;
  bytes: Record<string, Uint8Array>;
  rngs: Record<string, Rng>;
  scalars: Record<string, number>;
}

export function saveSimState(p: SimStateParts): DeviceState {
  const data: Record<string, unknown> = {};
  for (const [k, a] of Object.entries(p.floats)) data[`f:${k}`] = encodeFloat64(a);
  for (const [k, a] of Object.entries(p.bytes)) data[`b:${k}`] = encodeBytes(a);
  for (const [k, r] of Object.entries(p.rngs)) data[`r:${k}`] = r.getState();
  for (const [k, v] of Object.entries(p.scalars)) data[`s:${k}`] = v;
  return { kind: p.kind, data };
}

/**
 * Writes a saved state into the live arrays and generators; returns the saved scalars. Refuses a state
 * saved on another kind of array (another preset or size): its devices would not be these devices.
 */
export function loadSimState(state: DeviceState, p: SimStateParts): Record<string, number> {
  if (state.kind !== p.kind) throw new Error(`device state is for "${state.kind}", this device is "${p.kind}"`);
  const d = state.data;
  const field = (key: string) => {
    if (!(key in d)) throw new Error(`device state for "${p.kind}" lacks ${key}`);
    return d[key];
  };
  for (const [k, a] of Object.entries(p.floats)) a.set(decodeFloat64(String(field(`f:${k}`)), a.length, `device state ${k}`));
  for (const [k, a] of Object.entries(p.bytes)) a.set(decodeBytes(String(field(`b:${k}`)), a.length, `device state ${k}`));
  for (const [k, r] of Object.entries(p.rngs)) r.setState(field(`r:${k}`) as RngState);
  const scalars: Record<string, number> = {};
  for (const k of Object.keys(p.scalars)) scalars[k] = Number(field(`s:${k}`));
  return scalars;
}
