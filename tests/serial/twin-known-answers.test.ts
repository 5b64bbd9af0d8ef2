// The serial driver against the firmware twin over an in-process link: every answer equals what the
// simulator itself answers for the same calls with the same seed (values bit for bit, joules to float rounding).
import { afterEach, describe, expect, it } from "vitest";
import type { Crossbar, Measured } from "../../src/hal/crossbar.js";
import { totalJoules } from "../../src/hal/crossbar.js";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import { FirmwareTwin } from "../../emulators/firmware-twin/twin.js";
import { createLink } from "../../emulators/link/link.js";
import { SerialCrossbar } from "../../drivers/serial-crossbar/serial-crossbar.js";
import { LimitError } from "../../src/hal/limits.js";
import { encodeFrame, LINE_END } from "../../protocol/serial-line/frame.js";

const URI = "sim:reram?rows=8&cols=6&seed=7";
const opened: Crossbar[] = [];
afterEach(async () => {
  for (const c of opened.splice(0)) await c.close().catch(() => undefined);
});

async function pair(): Promise<{ serial: SerialCrossbar; reference: Crossbar; twin: FirmwareTwin }> {
  const twin = await FirmwareTwin.create(simCrossbarFromUri(parseDeviceUri(URI)));
  const link = createLink();
  twin.serve(link.device);
  const serial = await SerialCrossbar.overStream(link.host, { timeoutSeconds: 0.2 });
  const reference = simCrossbarFromUri(parseDeviceUri(URI));
  opened.push(serial, reference);
  return { serial, reference, twin };
}

/**
 * Values, joules and seconds bit for bit: a product's lines add vectors' parts on the simulator's binary grid
 * (sim/crossbar/energy-grid.ts). `regrouped`: the device answers per line what the simulator adds up in one call by
 * component (a whole-array read row by row, several pulses one by one): joules and seconds to 12 digits.
 */
function expectSameMeasurement<T>(a: Measured<T>, b: Measured<T>, what = "", regrouped = false): void {
  // Values bit for bit (−0 and +0 are the same current).
  const plain = (v: unknown) => (v instanceof Float64Array ? Array.from(v, (x) => x + 0) : typeof v === "number" ? v + 0 : v);
  expect(plain(a.value)).toEqual(plain(b.value));
  if (regrouped) {
    expect(totalJoules(a.energy) / totalJoules(b.energy) || 1).toBeCloseTo(1, 12);
    expect(a.energy.cell / b.energy.cell || 1).toBeCloseTo(1, 12);
    expect(a.durationSeconds / b.durationSeconds || 1).toBeCloseTo(1, 12);
    return;
  }
  expect(a.energy.cell, `${what} cell`).toBe(b.energy.cell);
  expect(a.energy.halfSelected, `${what} halfSelected`).toBe(b.energy.halfSelected);
  expect(a.energy.peripheral, `${what} peripheral`).toBe(b.energy.peripheral);
  expect(a.durationSeconds, `${what} seconds`).toBe(b.durationSeconds);
}

describe("serial driver ↔ firmware twin ↔ simulator", () => {
  it("identify carries the simulator's identity and limits exactly", async () => {
    const { serial, reference } = await pair();
    const a = await serial.identify();
    const b = await reference.identify();
    expect(a.backend).toBe("serial");
    expect(a.model).toBe(b.model);
    expect(a.serial).toBe(b.serial);
    expect([a.rows, a.cols]).toEqual([b.rows, b.cols]);
    expect(a.limits).toEqual(b.limits);
    expect(a.protocolVersion).toBe("3");
  });

  it("a pulse width that is not whole nanoseconds (√(min·max), the trainer's default) travels exactly", async () => {
    const { serial, reference } = await pair();
    const L = (await reference.identify()).limits;
    const width = Math.sqrt(L.minPulseWidthSeconds * L.maxPulseWidthSeconds);
    const p = [{ kind: "cell" as const, row: 0, col: 1, volts: 1.05, widthSeconds: width, count: 2 }];
    expectSameMeasurement(await serial.program(p), await reference.program(p));
    expectSameMeasurement(await serial.readCell(0, 1, 0.1234567), await reference.readCell(0, 1, 0.1234567));
  });

  it("reads, products and pulses answer exactly what the simulator answers", async () => {
    const { serial, reference } = await pair();
    const steps: Array<(c: Crossbar) => Promise<Measured<unknown>>> = [
      (c) => c.readCell(2, 3),
      (c) => c.readCell(0, 0, 0.15),
      (c) => c.mvm({ direction: "forward", volts: Float64Array.from([0.1, -0.2, 0.05, 0.3, 0, -0.1, 0.2, 0.25]) }),
      (c) => c.mvm({ direction: "transposed", volts: Float64Array.from([0.1, -0.2, 0.05, 0.3, 0.3, -0.3]), vectors: 1 }),
      (c) => c.program([{ kind: "cell", row: 1, col: 2, volts: 1.2, widthSeconds: 1e-6, count: 5 }]),
      (c) => c.program([ // regrouped
        { kind: "row", line: 3, selected: [0, 2, 5], counts: [1, 0, 4], volts: -1.1, widthSeconds: 50e-9, scheme: "V/3" },
        { kind: "column", line: 4, selected: [1, 7], counts: [2, 3], volts: 1.0, widthSeconds: 100e-9, scheme: "V/2" },
      ]),
      (c) => c.readArray(), // regrouped
      (c) => c.mvm({ direction: "forward", volts: new Float64Array(16).fill(0.12), vectors: 2 }),
      // Five distinct vectors: the driver sends them as two lines (3+2) and adds the lines' joules and seconds.
      (c) => c.mvm({ direction: "forward", volts: Float64Array.from({ length: 40 }, (_, i) => ((i * 7) % 13) * 0.02 - 0.12), vectors: 5 }),
      (c) => c.reset(),
    ];
    const regrouped = new Set([5, 6]);
    for (const [i, step] of steps.entries()) expectSameMeasurement(await step(serial), await step(reference), `step ${i}`, regrouped.has(i));
    expect(await serial.isSafe()).toBe(true);
  });

  it("refuses a request beyond a limit on the host, naming the limit; nothing reaches the device", async () => {
    const { serial, twin } = await pair();
    const id = await serial.identify();
    await expect(serial.program([{ kind: "cell", row: 0, col: 0, volts: id.limits.maxProgramVoltsPositive + 0.1, widthSeconds: 1e-6, count: 1 }])).rejects.toThrow(/maxProgramVoltsPositive/);
    await expect(serial.readCell(99, 0)).rejects.toBeInstanceOf(LimitError);
    await twin.idle();
    expect(twin.appliedPulses).toHaveLength(0);
  });

  it("the twin checks the limits itself and names the one refused: wmin below the range, wmax above it (the host's check bypassed)", async () => {
    const twin = await FirmwareTwin.create(simCrossbarFromUri(parseDeviceUri(URI)));
    const l = twin.limits;
    const link = createLink();
    twin.serve(link.device);
    const answers: string[] = [];
    link.host.on("data", (c: Buffer) => answers.push(...c.toString("latin1").split("\n").filter((x) => x !== "")));
    const ns = (s: number) => String(Math.round(s * 1e9));
    for (const line of [
      encodeFrame({ seq: 1, fields: ["NEW", "0BADF00D"] }),
      encodeFrame({ seq: 2, fields: ["PCELL", "0", "0", "1000000", ns(l.wmax * 2), "1"] }),
      encodeFrame({ seq: 2, fields: ["PCELL", "0", "0", "1000000", ns(l.wmin / 2), "1"] }),
      encodeFrame({ seq: 2, fields: ["PCELL", "0", "0", String(Math.round(l.vpmax * 1e6) + 1000), ns(l.wmin), "1"] }),
      encodeFrame({ seq: 2, fields: ["PCELL", "0", "0", "1000000", ns(l.wmin), String(l.cmax + 1)] }),
    ]) {
      link.host.write(line + LINE_END);
      await twin.idle();
      await new Promise((r) => setImmediate(r));
    }
    twin.stop();
    expect(answers.slice(1).map((a) => a.split(" ").slice(0, 4).join(" "))).toEqual(["0002 ERR LIMIT wmax:", "0002 ERR LIMIT wmin:", "0002 ERR LIMIT vpmax:", "0002 ERR LIMIT cmax:"]);
    expect(twin.appliedPulses).toHaveLength(0);
  });
});
