// A request sent RESYNC_AFTER_SENDS times makes the session resynchronise (pause, identify, send what is outstanding
// once) instead of going on putting copies on the link: the guard against the storm of stale copies seen on a loaded
// machine. Here every answer of the device comes back damaged (one byte of each line flipped) for a while, so each one
// draws another copy of the product straight away; once the device has heard enough lines the damage stops.
import { describe, expect, it } from "vitest";
import type { SerialCrossbar } from "../../drivers/serial-crossbar/serial-crossbar.js";
import { RESYNC_AFTER_SENDS } from "../../drivers/serial-crossbar/outbox.js";
import { RewritingEnd, twinLinks } from "./twin-link.js";

const openTwin = twinLinks("sim:reram?rows=8&cols=8&seed=7");

async function product(serial: SerialCrossbar): Promise<number[]> {
  const volts = Float64Array.from({ length: 8 }, (_, i) => (i - 3.5) * 0.03);
  return Array.from((await serial.mvm({ direction: "forward", volts })).value);
}

describe("a request sent again and again", () => {
  it(`after ${RESYNC_AFTER_SENDS} sends the session resynchronises, and the answer is a clean link's`, async () => {
    const { serial: clean } = await openTwin();
    const expected = await product(clean);

    const log: string[] = [];
    // A 50 ms ceiling on the retransmission timer (the default is 500 ms): the resends this test counts are mostly
    // timeouts, and at the default they took 96 s; the resync is judged by sends, not by time.
    const { twin, link, serial } = await openTwin({}, { log: (m) => log.push(m), timeoutSeconds: 0.05 });
    // From here every answer is damaged (the fifth character of each line, the space after its SEQ, becomes '#': the
    // SEQ still reads, the CRC fails) until the device has heard 1.5 × RESYNC_AFTER_SENDS more lines.
    let heard = 0;
    twin.serve(new RewritingEnd(link.device, {
      toDevice: (l) => ((heard += l === "" ? 0 : 1), l),
      toHost: (l) => (heard < 1.5 * RESYNC_AFTER_SENDS && l.length > 5 ? `${l.slice(0, 4)}#${l.slice(5)}` : l),
    }));
    const before = serial.linkStats();
    const got = await product(serial);
    const after = serial.linkStats();

    expect(got).toEqual(expected);
    expect(after.resyncs - before.resyncs).toBeGreaterThanOrEqual(1);
    expect(after.maxSendsPerRequest).toBeGreaterThanOrEqual(RESYNC_AFTER_SENDS);
    expect(log.some((m) => new RegExp(`MVF \\(seq [0-9A-F]{4}\\) sent ${RESYNC_AFTER_SENDS} times; resynchronising`).test(m)), log.join("\n")).toBe(true);
    // Each product ran once: the twin's next answer is the clean twin's next answer too.
    expect(await product(serial)).toEqual(await product(clean));
  }, 120_000);
});
