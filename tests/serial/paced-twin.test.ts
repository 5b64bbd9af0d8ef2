// `mhil sim serve --baud`: the firmware twin behind a pty paced as a UART at that baud rate. Its answers are
// the simulator's, and no answer arrives sooner than its bytes can cross the link (a floor load cannot lower).
import { afterEach, describe, expect, it } from "vitest";
import { serveFirmwareTwin, type ServedFirmwareTwin } from "../../emulators/firmware-twin/serve.js";
import { openCrossbar } from "../../src/backends/open.js";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import type { Crossbar } from "../../src/hal/crossbar.js";

const DEVICE = "sim:reram?rows=8&cols=6&seed=7";
const BAUD = 19_200;
const open: (Crossbar | ServedFirmwareTwin)[] = [];
afterEach(async () => {
  for (const c of open.splice(0).reverse()) await c.close().catch(() => undefined);
});

describe("the firmware twin paced at a baud rate", () => {
  it("answers as the simulator does, no faster than baud/10 bytes a second", async () => {
    const served = await serveFirmwareTwin({ device: DEVICE, baud: BAUD });
    open.push(served);
    const serial = await openCrossbar(`serial:${served.path}`);
    open.push(serial);
    const reference = simCrossbarFromUri(parseDeviceUri(DEVICE));
    const t0 = performance.now();
    const read = await serial.readArray();
    const seconds = (performance.now() - t0) / 1000;
    expect(Array.from(read.value)).toEqual(Array.from((await reference.readArray()).value));
    // The reply holds at least three hex digits per cell (PROTOCOL.md): 48 cells, 144 bytes on the wire.
    const replyBytesAtLeast = 3 * 8 * 6;
    expect(seconds).toBeGreaterThanOrEqual(replyBytesAtLeast / (BAUD / 10));
  });

  it("refuses a baud rate that is not a positive number", async () => {
    await expect(serveFirmwareTwin({ device: DEVICE, baud: 0 })).rejects.toThrow("baud 0: must be a positive number");
  });
});
