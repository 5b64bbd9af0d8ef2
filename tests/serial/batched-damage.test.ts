// A batched product line whose answer is damaged on the way runs once (PROTOCOL.md §3–5): the driver packs a
// minibatch of ten vectors into two MVF lines, the first answer arrives with one byte changed (its CRC fails), the
// driver fetches it again with RPT from the twin's reply memory. Two twins of one seeded device, the same calls on
// each: the same outputs and the same joules, and the next product after the batch answers the same too, which it
// would not if the damaged line had run again (every product draws its read noise from the twin's seeded stream).
import { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { LINE_END } from "../../protocol/serial-line/frame.js";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import { FirmwareTwin } from "../../emulators/firmware-twin/twin.js";
import { createLink } from "../../emulators/link/link.js";
import { SerialCrossbar } from "../../drivers/serial-crossbar/serial-crossbar.js";

const URI = "sim:reram?rows=8&cols=8&seed=5";
const BATCH = 10;
const opened: SerialCrossbar[] = [];
const twins: FirmwareTwin[] = [];
afterEach(async () => {
  for (const c of opened.splice(0)) await c.close().catch(() => undefined);
  for (const t of twins.splice(0)) t.stop();
});

/** The twin's end of a link that changes one byte of the first reply line matching `damage` (once). */
class DamagingEnd extends Duplex {
  damaged = "";
  constructor(private readonly inner: Duplex, private readonly damage: RegExp) {
    super();
    inner.on("data", (c: Buffer) => this.push(c));
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    const lines = chunk.toString("latin1").split(LINE_END);
    const i = this.damaged ? -1 : lines.findIndex((l) => this.damage.test(l));
    if (i >= 0) {
      const l = lines[i]!;
      const at = l.indexOf(" OK ") + 10; // inside the measurement fields: the line still reads as an OK
      lines[i] = l.slice(0, at) + (l[at] === "7" ? "8" : "7") + l.slice(at + 1);
      this.damaged = l;
    }
    this.inner.write(lines.join(LINE_END), "latin1");
    done();
  }
}

async function rig(damage: RegExp | null) {
  const twin = await FirmwareTwin.create(simCrossbarFromUri(parseDeviceUri(URI)));
  twins.push(twin);
  const link = createLink();
  const end = damage ? new DamagingEnd(link.device, damage) : link.device;
  twin.serve(end);
  const serial = await SerialCrossbar.overStream(link.host, { window: 16 });
  opened.push(serial);
  return { twin, serial, end };
}

/** A minibatch of BATCH different input vectors, then one more product. */
async function calls(serial: SerialCrossbar) {
  const volts = Float64Array.from({ length: 8 * BATCH }, (_, i) => ((i % 7) - 3) * 0.02);
  const batch = await serial.mvm({ direction: "forward", volts, vectors: BATCH });
  const next = await serial.mvm({ direction: "transposed", volts: volts.subarray(0, 8) });
  return { batch, next };
}

describe("a damaged answer to a batched product line", () => {
  it("is fetched again from memory: every product ran once, the outputs and joules equal a clean link's", async () => {
    const clean = await rig(null);
    const expected = await calls(clean.serial);
    const { twin, serial, end } = await rig(/ OK MVF /);
    const before = serial.linkStats();
    const got = await calls(serial);
    expect((end as DamagingEnd).damaged.split(" ").length).toBe(7 + BATCH / 2 + 1); // a line of 5 output vectors
    expect(Array.from(got.batch.value)).toEqual(Array.from(expected.batch.value));
    expect(got.batch.energy).toEqual(expected.batch.energy);
    expect(Array.from(got.next.value)).toEqual(Array.from(expected.next.value));
    const s = serial.linkStats();
    expect(s.damagedReplies - before.damagedReplies).toBe(1);
    expect(s.fetches - before.fetches).toBeGreaterThanOrEqual(1); // RPT: the short line that asks for the answer again
    expect(twin.counters.replayed).toBeGreaterThanOrEqual(1);
  });
});
