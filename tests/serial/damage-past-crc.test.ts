// What the driver does when damage gets past the CRC (a 2⁻³² event per damaged line with CRC-32C, forced here by
// a link that rewrites a line and its CRC): a refused request is sent again once and runs if the refusal came
// from the damage; refused twice, the refusal is final and a PING filler keeps the session in order; an answer
// that does not decode is asked for again (RPT); the same undecodable bytes twice fail that request only.
import { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { encodeFrame, LINE_END } from "../../protocol/serial-line/frame.js";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import { FirmwareTwin } from "../../emulators/firmware-twin/twin.js";
import { createLink } from "../../emulators/link/link.js";
import { SerialCrossbar } from "../../drivers/serial-crossbar/serial-crossbar.js";
import { DeviceRefusedError, SerialLinkError } from "../../drivers/serial-crossbar/errors.js";

const URI = "sim:reram?rows=4&cols=4&seed=17";
const opened: SerialCrossbar[] = [];
const twins: FirmwareTwin[] = [];
afterEach(async () => {
  for (const c of opened.splice(0)) await c.close().catch(() => undefined);
  for (const t of twins.splice(0)) t.stop();
});

type Rewrite = (line: string) => string;

/** The twin's side of a link on which `toDevice` / `toHost` may rewrite whole lines (re-framed: CRC recomputed). */
class RewritingEnd extends Duplex {
  constructor(private readonly inner: Duplex, private readonly toDevice: Rewrite, private readonly toHost: Rewrite) {
    super();
    inner.on("data", (c: Buffer) => this.push(mapLines(c.toString("latin1"), toDevice), "latin1"));
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.inner.write(mapLines(chunk.toString("latin1"), this.toHost), "latin1");
    done();
  }
}

function mapLines(text: string, f: Rewrite): string {
  return text.split(LINE_END).map((l) => (l === "" ? l : f(l))).join(LINE_END);
}

/** `line` with its fields changed by `edit`, framed again with a valid CRC (damage the CRC cannot see). */
function reframe(line: string, edit: (fields: string[]) => string[]): string {
  const fields = line.slice(0, line.lastIndexOf(" *")).split(" ");
  return encodeFrame({ seq: parseInt(fields[0]!, 16), fields: edit(fields.slice(1)) });
}

async function rig(toDevice: Rewrite, toHost: Rewrite = (l) => l) {
  const twin = await FirmwareTwin.create(simCrossbarFromUri(parseDeviceUri(URI)));
  twins.push(twin);
  const link = createLink();
  twin.serve(new RewritingEnd(link.device, toDevice, toHost));
  const serial = await SerialCrossbar.overStream(link.host);
  opened.push(serial);
  return { twin, serial };
}

const pulse = (count: number) => [{ kind: "cell" as const, row: 0, col: 0, volts: 1.0, widthSeconds: 1e-6, count }];
/** A PCELL with count 2 turned into one with a count beyond cmax: the twin refuses it (ERR LIMIT cmax). */
const overCount = (times: number): Rewrite => {
  let left = times;
  return (l) => (left > 0 && / PCELL 0 0 \S+ \S+ 2 \*/.test(l) ? (left--, reframe(l, (f) => [...f.slice(0, 5), "999999"])) : l);
};

describe("damage past the CRC", () => {
  it("a refusal earned by damage: the identical line is sent again and runs, once", async () => {
    const { twin, serial } = await rig(overCount(1));
    const r = await serial.program(pulse(2));
    expect(r.value.pulsesApplied).toBe(2);
    expect(twin.appliedPulses.map((p) => (p.pulse.kind === "cell" ? p.pulse.count : -1))).toEqual([2]);
    expect(serial.linkStats()).toMatchObject({ refusalsRetried: 1, refusals: 0 });
  });

  it("the same refusal twice is final; a PING takes its SEQ and the next requests run in order", async () => {
    const { twin, serial } = await rig(overCount(Infinity));
    const refused = serial.program(pulse(2)).catch((e: unknown) => e);
    const after = serial.program(pulse(3));
    expect(await refused).toBeInstanceOf(DeviceRefusedError);
    expect(((await refused) as Error).message).toMatch(/ERR LIMIT cmax/);
    expect((await after).value.pulsesApplied).toBe(3);
    expect(twin.appliedPulses.map((p) => (p.pulse.kind === "cell" ? p.pulse.count : -1))).toEqual([3]);
    expect(serial.linkStats()).toMatchObject({ refusalsRetried: 1, refusals: 1 });
    expect((await serial.readCell(1, 1)).value).toBeGreaterThan(0); // the session goes on
  });

  it("an answer that does not decode (a product of the wrong length) is asked for again; the pulse before it ran once", async () => {
    let left = 1;
    const shorten: Rewrite = (l) => (left > 0 && / OK MVF /.test(l) ? (left--, reframe(l, (f) => [...f.slice(0, 6), f[6]!.slice(0, -3)])) : l);
    const { twin, serial } = await rig((l) => l, shorten);
    const [p, m] = await Promise.all([serial.program(pulse(2)), serial.mvm({ direction: "forward", volts: new Float64Array(4).fill(0.1) })]);
    expect(p.value.pulsesApplied).toBe(2);
    expect(m.value).toHaveLength(4);
    expect(twin.appliedPulses).toHaveLength(1);
    expect(serial.linkStats().fetches).toBeGreaterThanOrEqual(1);
  });

  it("the same undecodable answer twice fails that request only, with a clear error", async () => {
    const { serial } = await rig((l) => l, (l) => (/ OK MVF /.test(l) ? reframe(l, (f) => [...f.slice(0, 6), "XYZ"]) : l));
    const e = await serial.mvm({ direction: "forward", volts: new Float64Array(4).fill(0.1) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SerialLinkError);
    expect((e as Error).message).toMatch(/answers MVF \(seq [0-9A-F]{4}\) with a reply that does not decode .* the same bytes twice/);
    expect((await serial.readCell(0, 0)).value).toBeGreaterThan(0);
  });
});
