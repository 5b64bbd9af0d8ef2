// Placeholder until this backend lands.
import type { Crossbar } from "../../src/hal/crossbar.js";
import type { DeviceUri } from "../../src/hal/uri.js";

export async function openFirmataBoard(uri: DeviceUri): Promise<Crossbar> {
  throw new Error(`${uri.scheme}: backend not implemented yet`);
}
