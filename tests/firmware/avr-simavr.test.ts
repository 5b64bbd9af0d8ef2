// The ATmega2560 image itself, running under simavr with USART0 on a real pty: the same bytes a board
// would run, its analog front end simulated at the pins (firmware/test/simavr_uart.c). The serial driver
// identifies it; the firmware applies a pulse train once, answers the retry from memory, refuses damaged
// and out-of-limit lines on its own (the host's checks bypassed), runs a product line of 3 vectors and refuses
// a fourth, drives exactly the selected row and column at the DAC and leaves every output at 0 V.
// (tests/conformance/firmware-avr.test.ts runs the whole Crossbar conformance suite on it.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSerialCrossbar } from "../../drivers/serial-crossbar/open.js";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { crcValid, LineClient, make, startSimulatedAvr as startAvr, type FirmwareHost } from "./host-process.js";

describe("the AVR image under simavr", () => {
  const avrs: FirmwareHost[] = [];
  let client: LineClient | null = null;
  beforeAll(() => {
    make(["simavr"]);
  }, 180_000);
  afterAll(async () => {
    await client?.close();
    for (const a of avrs) await a.stop();
  });

  it("the serial driver opens it and reads its identity and limits", async () => {
    const avr = await startAvr();
    avrs.push(avr);
    const xb = await openSerialCrossbar(parseDeviceUri(`serial:${avr.path}`));
    try {
      const id = await xb.identify();
      expect(id).toMatchObject({ backend: "serial", model: "MHIL-XB16", firmwareVersion: "3.0.0", protocolVersion: "3", rows: 16, cols: 16 });
      expect(id.limits).toMatchObject({ maxProgramVoltsPositive: 1.5, maxProgramVoltsNegative: 1.35, maxReadVolts: 0.3, maxPulseCount: 100 });
    } finally {
      await xb.close();
      await avr.stop(); // simavr spins a core while it runs
    }
  }, 60_000);

  it("applies a pulse train once, answers the retry from memory, and refuses bad lines itself", async () => {
    const avr = await startAvr();
    avrs.push(avr);
    client = await LineClient.open(avr.path);
    const id = await client.identify();
    expect(id).toMatch(/^0000 OK ID 0 0 0 0 model=MHIL-XB16 serial=\S+ fw=3\.0\.0 proto=3 rows=16 cols=16 boot=[0-9A-F]{8} \*[0-9A-F]{8}$/);
    expect(crcValid(id)).toBe(true);
    expect(await client.ask("0001 PING")).toMatch(/^0001 ERR ORDER expected 0000 /);
    expect(await client.ask("0001 NEW 9C41D2E0")).toMatch(/^0001 OK NEW 0 0 0 0 \*/);

    const first = await client.ask("0002 PCELL 1 2 1500000 100000 3");
    expect(first).toMatch(/^0002 OK PCELL \d+e-15 \d+e-15 \d+e-15 \d+e-9 3 0 \*[0-9A-F]{8}$/);
    expect(await client.ask("0002 PCELL 1 2 1500000 100000 3")).toBe(first);

    // The firmware's own checks: a damaged CRC, a voltage and a count over its limits, an overlong line.
    client.sendRaw("0003 PCELL 1 2 1500000 100000 3 *00000000\n");
    expect(await client.next()).toMatch(/^0003 ERR CRC /);
    expect(await client.ask("0003 PCELL 1 2 1600000 100000 3")).toMatch(/^0003 ERR LIMIT vpmax: 1600000 uV exceeds 1500000 uV /);
    expect(await client.ask("0003 PCELL 1 2 1500000 100000 101")).toMatch(/^0003 ERR LIMIT cmax/);
    client.sendRaw(`${"X".repeat(400)}\n`);
    expect(await client.next()).toMatch(/^0000 ERR LONG /);
    const en = (await client.ask("0003 EN")).split(" "); // refusals left 0003 free
    expect(en[11]).toBe("3"); // pulses applied since boot: the first train only

    // A product line of 3 vectors (LIM mvb=3; the image's stack holds their inputs and outputs), its answer sent
    // again from memory whole (a 254-byte reply slot); a fourth vector is refused.
    const v = "1" + "A".repeat(16);
    const batch = await client.ask(`0004 MVF ${v} ${v} ${v}`);
    expect(batch).toMatch(/^0004 OK MVF (\S+ ){4}(1\S{16} ){3}\*[0-9A-F]{8}$/);
    expect(await client.ask(`0004 MVF ${v} ${v} ${v}`)).toBe(batch);
    expect(await client.ask(`0005 MVT ${v} ${v} ${v} ${v}`)).toMatch(/^0005 ERR LIMIT mvb: 4 vectors exceed 3 /);
  }, 60_000);

  it("a cell pulse drives exactly its row at +V/2 and its column at −V/2 at the DAC, then every output is 0 V", async () => {
    const avr = await startAvr(["--log-dac"]);
    avrs.push(avr);
    const line = await LineClient.open(avr.path);
    try {
      expect(await line.identify()).toMatch(/^0000 OK ID /);
      expect(await line.ask("0001 NEW 0BADF00D")).toMatch(/^0001 OK NEW /);
      const before = avr.log.length;
      // 1.5 V = 10,000 DAC codes of 150 µV; the device's cell scheme is V/2.
      expect(await line.ask("0002 PCELL 1 2 1500000 100000 3")).toMatch(/^0002 OK PCELL .* 3 0 \*[0-9A-F]{8}$/);
      const outputs = new Map<number, number>();
      const driven = new Map<number, Set<number>>();
      for (const l of avr.log.slice(before)) {
        if (l === "dac clear") outputs.clear();
        const m = /^dac (\d+) (-?\d+)$/.exec(l);
        if (!m) continue;
        const [ch, code] = [Number(m[1]), Number(m[2])];
        outputs.set(ch, code);
        if (code !== 0) driven.set(ch, (driven.get(ch) ?? new Set()).add(code));
      }
      // Row 1 is channel 1, column 2 is channel 18; channel 32 is the TIA reference, following whichever
      // of the two lines is being sensed. No other line leaves 0 V (V/2: unselected lines stay grounded).
      expect(Object.fromEntries([...driven].map(([ch, codes]) => [ch, [...codes].sort((a, b) => a - b)]))).toEqual({ 1: [5000], 18: [-5000], 32: [-5000, 5000] });
      expect([...outputs.values()].every((code) => code === 0)).toBe(true);
    } finally {
      await line.close();
    }
  }, 60_000);
});
