// A request sent RESYNC_AFTER_SENDS times makes the session resynchronise (pause, identify, send what is outstanding
// once) instead of going on putting copies on the link: the guard against the storm of stale copies seen on a loaded
// machine. Here every answer of the device comes back damaged (one byte of each line flipped) for a while, so each one
// draws another copy of the product straight away; once the device has heard enough lines the damage stops.
import { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { LINE_END } from "../../protocol/serial-line/frame.js";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import { FirmwareTwin } from "../../emulators/firmware-twin/twin.js";
import { createLink } from "../../emulators/link/link.js";
import { SerialCrossbar } from "../../drivers/serial-crossbar/serial-crossbar.js";
import { RESYNC_AFTER_SENDS } from "../../drivers/serial-crossbar/outbox.js";

const URI = "sim:reram?rows=8&cols=8&seed=7";
const opened: SerialCrossbar[] = [];
const twins: FirmwareTwin[] = [];
afterEach(async () => {
  for (const c of opened.splice(0)) await c.close().catch(() => undefined);
  for (const t of twins.splice(0)) t.stop();
});

/** The twin's end of a link whose answers (device → host) have one byte of every line changed while `damaging()`. */
class DamagingEnd extends Duplex {
  linesHeard = 0;
  constructor(private readonly inner: Duplex, private readonly damaging: (heard: number) => boolean) {
    super();
    inner.on("data", (c: Buffer) => {
      this.linesHeard += c.toString("latin1").split(LINE_END).length - 1;
      this.push(c);
    });
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    if (!this.damaging(this.linesHeard)) {
      this.inner.write(chunk);
      return done();
    }
    // The fifth character of each line (the space after its SEQ) becomes '#': the SEQ still reads, the CRC fails.
    const lines = chunk.toString("latin1").split(LINE_END);
    this.inner.write(lines.map((l) => (l.length > 5 ? `${l.slice(0, 4)}#${l.slice(5)}` : l)).join(LINE_END), "latin1");
    done();
  }
}

async function product(serial: SerialCrossbar): Promise<number[]> {
  const volts = Float64Array.from({ length: 8 }, (_, i) => (i - 3.5) * 0.03);
  return Array.from((await serial.mvm({ direction: "forward", volts })).value);
}

describe("a request sent again and again", () => {
  it(`after ${RESYNC_AFTER_SENDS} sends the session resynchronises, and the answer is a clean link's`, async () => {
    const cleanTwin = await FirmwareTwin.create(simCrossbarFromUri(parseDeviceUri(URI)));
    twins.push(cleanTwin);
    const cleanLink = createLink();
    cleanTwin.serve(cleanLink.device);
    const clean = await SerialCrossbar.overStream(cleanLink.host, {});
    opened.push(clean);
    const expected = await product(clean);

    const twin = await FirmwareTwin.create(simCrossbarFromUri(parseDeviceUri(URI)));
    twins.push(twin);
    const link = createLink();
    twin.serve(link.device);
    const log: string[] = [];
    const serial = await SerialCrossbar.overStream(link.host, { log: (m) => log.push(m) });
    opened.push(serial);
    // From here every answer is damaged until the device has heard 1.5 × RESYNC_AFTER_SENDS more lines.
    let heardAtStart: number | null = null;
    twin.serve(new DamagingEnd(link.device, (heard) => (heardAtStart ??= heard) + 1.5 * RESYNC_AFTER_SENDS > heard));
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
