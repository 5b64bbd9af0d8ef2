// MVF/MVT lines of several vectors (PROTOCOL.md §5, LIM mvb) on the two devices that speak the protocol, the firmware
// host build and the twin, each started twice from one seed (read noise on), the same lines in the same order:
// - one line of k vectors answers exactly the k output vectors of k single lines (the read-noise draws in the same
//   order), and its four measurements are the sum of theirs;
// - the line sent again (its answer damaged on the way) and fetched with RPT answers the same bytes from memory, and
//   the device's energy counters (EN) hold the line once;
// - a line of more than mvb vectors, or with one bad vector among good ones, is refused (ERR LIMIT mvb, vrmax) and
//   runs nothing: the counters do not move and its SEQ stays free.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import { FirmwareTwin } from "../../emulators/firmware-twin/twin.js";
import { serveFaultPty } from "../../emulators/pty/fault-pty.js";
import { parseMeasure } from "../../protocol/serial-line/values.js";
import { framed, LineClient, make, startFirmwareHost } from "./host-process.js";

interface Device {
  name: string;
  /** A fresh device of the one seed, and how to stop it. */
  start(): Promise<{ path: string; stop(): Promise<void> }>;
  /** Its LIM mvb. */
  mvb: number;
  /** Packed input vectors (V(vhex), PROTOCOL.md §2) of small codes within vrmax, and one beyond it. */
  inputs: string[];
  beyondVrmax: string;
  /** Whether a line's measurements are its vectors' summed exactly, bit for bit (the twin's grid; the host build's are not checked). */
  exactMeasures: boolean;
}

/** `W` = 1: each element one base-64 digit, a signed 6-bit code (`A` = 10, `5` = 5, `z` = −3, `V` = 31). */
const small = (n: number, digits: string) => "1" + Array.from({ length: n }, (_, i) => digits[i % digits.length]).join("");

const stops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const s of stops.splice(0)) await s();
});
beforeAll(() => {
  make(["host"]);
}, 180_000);

const devices: Device[] = [
  {
    name: "the firmware host build (mvb=3)",
    start: async () => {
      const fw = await startFirmwareHost(["--seed", "7", "--noise", "0.01", "--quiet-ms", "60000"]);
      return { path: fw.path, stop: () => fw.stop() };
    },
    mvb: 3,
    inputs: [small(16, "A"), small(16, "5z"), small(16, "V0z")],
    beyondVrmax: "2" + "00".repeat(15) + "Vw", // the last element 2042 codes of 150 µV: beyond 0.3 V (2000)
    exactMeasures: false,
  },
  {
    name: "the twin (mvb=3)",
    start: async () => {
      const twin = await FirmwareTwin.create(simCrossbarFromUri(parseDeviceUri("sim:reram?rows=8&cols=8&seed=7")), { productVectors: 3 });
      const pty = await serveFaultPty((end) => twin.serve(end));
      return { path: pty.path, stop: async () => { await pty.close(); twin.stop(); } };
    },
    mvb: 3,
    inputs: [small(8, "A"), small(8, "5z"), small(8, "V0z")],
    beyondVrmax: "2" + "00".repeat(7) + "V_", // 2047 codes: far beyond vrmax
    exactMeasures: true,
  },
];

/** The four measurements of an OK (`SEQ OK CMD E E E T …`) and its payload fields. */
function okParts(line: string): { m: number[]; payload: string[] } {
  const f = line.split(" ");
  expect(f[1], line).toBe("OK");
  return { m: f.slice(3, 7).map((t, i) => parseMeasure(t, `M${i}`)), payload: f.slice(7, -1) };
}

async function session(d: Device): Promise<LineClient> {
  const { path, stop } = await d.start();
  const client = await LineClient.open(path);
  stops.push(async () => { await client.close(); await stop(); });
  expect(await client.identify()).toMatch(/^0000 OK ID /);
  expect(await client.ask("0000 LIM mvb")).toMatch(new RegExp(`^0000 OK LIM 0 0 0 0 mvb=${d.mvb} \\*`));
  expect(await client.ask("0001 NEW 9C41D2E0")).toMatch(/^0001 OK NEW /);
  return client;
}

const en = async (c: LineClient, seq: string) => okParts(await c.ask(`${seq} EN`)).payload.map((t) => Number(t));

describe.each(devices)("batched products on $name", (d) => {
  it("one line of k vectors answers what k single lines answer; sent again it runs nothing; beyond mvb it is refused", async () => {
    const single = await session(d);
    const batch = await session(d);
    const alone: ReturnType<typeof okParts>[] = [];
    for (let k = 0; k < d.inputs.length; k++) alone.push(okParts(await single.ask(`000${2 + k} MVF ${d.inputs[k]}`)));
    const line = await batch.ask(`0002 MVF ${d.inputs.join(" ")}`);
    const together = okParts(line);
    expect(together.payload).toEqual(alone.map((a) => a.payload[0]));
    const sums = [0, 1, 2, 3].map((i) => alone.reduce((s, a) => s + a.m[i]!, 0));
    // The twin's line sums its vectors' measurements, each on a binary grid (sim/crossbar/energy-grid.ts): the singles'
    // sum, another grouping, is the same bit for bit.
    for (const i of d.exactMeasures ? [0, 1, 2, 3] : []) expect(together.m[i], `M${i}`).toBe(sums[i]);
    expect(together.m[0]).toBeGreaterThan(0);

    // Its answer lost on the way: the host sends the identical line again, or asks with RPT. Same bytes, nothing run.
    expect(await batch.ask(`0002 MVF ${d.inputs.join(" ")}`)).toBe(line);
    batch.sendRaw(`${framed("0000 RPT 0002")}\n`);
    expect(await batch.next()).toBe(line);
    const counted = await en(batch, "0003");
    expect(counted.slice(0, 3)).toEqual(together.m.slice(0, 3)); // the line's energy, once

    // Refusals: more than mvb vectors; a bad vector after good ones. Nothing runs, 0004 stays free.
    const tooMany = Array.from({ length: d.mvb + 1 }, (_, k) => d.inputs[k % d.inputs.length]).join(" ");
    expect(await batch.ask(`0004 MVF ${tooMany}`)).toMatch(new RegExp(`^0004 ERR LIMIT mvb: ${d.mvb + 1} vectors exceed ${d.mvb} `));
    expect(await batch.ask(`0004 MVF ${d.inputs[0]} ${d.beyondVrmax}`)).toMatch(/^0004 ERR LIMIT vrmax: element \d+ /);
    expect((await en(batch, "0000")).slice(0, 3)).toEqual(counted.slice(0, 3));
    expect(await batch.ask("0004 PING")).toMatch(/^0004 OK PING /);
  }, 60_000);
});
