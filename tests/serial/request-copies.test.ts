// Request copies (PROTOCOL.md §3, LIM rcopy): once the device NAKs damaged requests often enough, the driver sends
// each request line with a copy behind it (`+` and the same line). The device acts on a copy only when it has not
// taken that SEQ, so a damaged line's copy runs in its place, with no round trip, and an intact line's copy is
// dropped. Two twins of one seeded device, the same calls on each: every product draws its read noise from the twin's
// seeded stream, so a product run twice or out of order would change every answer after it.
import { describe, expect, it } from "vitest";
import type { SerialCrossbar } from "../../drivers/serial-crossbar/serial-crossbar.js";
import { RewritingEnd, twinLinks } from "./twin-link.js";

const openTwin = twinLinks("sim:reram?rows=8&cols=8&seed=5");

/** One byte of a request line's body changed: its CRC fails at the twin. */
function damage(line: string): string {
  const at = 6;
  return line.slice(0, at) + (line[at] === "M" ? "N" : "M") + line.slice(at + 1);
}

/** Twenty products, one vector each (the SEQs in order), then ten pulses on one cell and a read of it. */
async function calls(serial: SerialCrossbar) {
  const outputs: number[] = [];
  for (let k = 0; k < 20; k++) {
    const volts = Float64Array.from({ length: 8 }, (_, i) => (((i + k) % 7) - 3) * 0.02);
    outputs.push(...(await serial.mvm({ direction: "forward", volts })).value);
  }
  const id = await serial.identify();
  const pulses = await serial.program([{ kind: "cell", row: 1, col: 2, volts: id.limits.maxProgramVoltsPositive, widthSeconds: id.limits.maxPulseWidthSeconds, count: 10 }]);
  const read = await serial.readCell(1, 2);
  return { outputs, applied: pulses.value.pulsesApplied, read: read.value };
}

/** Resolves once the twin has dropped `n` copies, turn by turn of the event loop it serves on (10 s at most). */
async function copiesTaken(twin: { counters: { copiesDropped: number } }, n: number): Promise<void> {
  const until = Date.now() + 10_000;
  while (twin.counters.copiesDropped < n && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
}

describe("request copies on a link that damages requests", () => {
  it("a damaged request's copy runs in its place (no resend); an intact one's copy is dropped; every product and pulse once", async () => {
    const clean = await openTwin();
    const expected = await calls(clean.serial);
    // Every request line (not its copy) arrives damaged: the first ones are NAKed and sent again until the driver
    // turns copies on; from then on every request runs from its copy.
    const { twin, link, serial } = await openTwin();
    twin.serve(new RewritingEnd(link.device, { toDevice: (l) => (/^[0-9A-F]{4} (MVF|PCELL|RCELL|PING) /.test(l) && !l.startsWith("0000") ? damage(l) : l) }));
    const got = await calls(serial);
    expect(got).toEqual(expected);
    const s = serial.linkStats();
    expect(s.requestCopies).toBeGreaterThan(0);
    // Before copies: 8 NAKs and 8 resends (damage-watch.ts: at least 8, 1 in 50 requests). After: none resent but by
    // a retransmission timeout (a stall of a loaded machine), since each copy ran; the NAKs of the damaged lines go on
    // (one per request) and draw nothing.
    expect(s.resends).toBeLessThanOrEqual(8 + 1 + s.timeouts);
    expect(s.requestCopies).toBeGreaterThanOrEqual(s.requests - 8);
    // Every line was damaged, so each copy ran; only a timeout's resend, behind a copy that had run, is dropped.
    expect(twin.counters.copiesDropped).toBeLessThanOrEqual(s.timeouts);
  });

  it("on a link that damages nothing, a copy behind an intact line is dropped by the twin: each request runs once", async () => {
    const clean = await openTwin();
    const expected = await calls(clean.serial);
    // Eight requests damaged once each turn copies on; then the link is clean and every copy is a spare.
    const { twin, link, serial } = await openTwin();
    let damaged = 0;
    twin.serve(new RewritingEnd(link.device, { toDevice: (l) => (damaged < 8 && /^[0-9A-F]{4} MVF /.test(l) && !l.startsWith("0000") ? (damaged++, damage(l)) : l) }));
    const got = await calls(serial);
    expect(got).toEqual(expected);
    const s = serial.linkStats();
    expect(s.requestCopies).toBeGreaterThan(0);
    // The twin answers a line before it reads the copy behind it, so the last answer can arrive while the last copy is
    // still on its way: wait until the twin has taken as many copies as were sent (a loaded machine showed 21 of 22).
    await copiesTaken(twin, s.requestCopies);
    expect(twin.counters.copiesDropped).toBe(s.requestCopies);
  });
});
