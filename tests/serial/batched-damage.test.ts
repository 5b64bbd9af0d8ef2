// A batched product line whose answer is damaged on the way runs once (PROTOCOL.md §3–5): the driver packs a
// minibatch of ten vectors into two MVF lines, the first answer arrives with one byte changed (its CRC fails), the
// driver fetches it again with RPT from the twin's reply memory. Two twins of one seeded device, the same calls on
// each: the same outputs and the same joules, and the next product after the batch answers the same too, which it
// would not if the damaged line had run again (every product draws its read noise from the twin's seeded stream).
import { describe, expect, it } from "vitest";
import type { SerialCrossbar } from "../../drivers/serial-crossbar/serial-crossbar.js";
import { RewritingEnd, twinLinks } from "./twin-link.js";

const BATCH = 10;
const openTwin = twinLinks("sim:reram?rows=8&cols=8&seed=5");

/** A twin whose first answer line matching `damage` (once) has one byte changed on its way; `damaged()` is that line. */
async function rig(damage: RegExp | null) {
  const { twin, link, serial } = await openTwin({}, { window: 16 });
  let damaged = "";
  if (damage) {
    twin.serve(new RewritingEnd(link.device, {
      toHost: (l) => {
        if (damaged || !damage.test(l)) return l;
        damaged = l;
        const at = l.indexOf(" OK ") + 10; // inside the measurement fields: the line still reads as an OK
        return l.slice(0, at) + (l[at] === "7" ? "8" : "7") + l.slice(at + 1);
      },
    }));
  }
  return { twin, serial, damaged: () => damaged };
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
    const { twin, serial, damaged } = await rig(/ OK MVF /);
    const before = serial.linkStats();
    const got = await calls(serial);
    expect(damaged().split(" ").length).toBe(7 + BATCH / 2 + 1); // a line of 5 output vectors
    expect(Array.from(got.batch.value)).toEqual(Array.from(expected.batch.value));
    expect(got.batch.energy).toEqual(expected.batch.energy);
    expect(Array.from(got.next.value)).toEqual(Array.from(expected.next.value));
    const s = serial.linkStats();
    expect(s.damagedReplies - before.damagedReplies).toBe(1);
    expect(s.fetches - before.fetches).toBeGreaterThanOrEqual(1); // RPT: the short line that asks for the answer again
    expect(twin.counters.replayed).toBeGreaterThanOrEqual(1);
  });
});
