// The ATmega2560 image itself, running under simavr with USART0 on a real pty: the same bytes a board
// would run. The serial driver identifies it; the firmware applies a pulse train once, answers the
// retry from memory, and refuses damaged and out-of-limit lines on its own (the host's checks bypassed).
// The external DAC/ADC are absent under simavr, so measured values are zero; only the logic is tested.
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSerialCrossbar } from "../../drivers/serial-crossbar/open.js";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { crcValid, FIRMWARE_DIR, LineClient, make } from "./host-process.js";

const HARNESS = `${FIRMWARE_DIR}/build/simavr/mhil-avr-uart`;
const IMAGE = `${FIRMWARE_DIR}/build/avr/mhil-fw.elf`;

interface SimulatedAvr {
  path: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the image under simavr; resolves with the pty its USART0 is on. */
async function startAvr(): Promise<SimulatedAvr> {
  const child = spawn(HARNESS, [IMAGE], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (c: string) => (err += c));
  const path = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (c: string) => {
      out += c;
      const m = /^PTY (\S+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`simavr harness exited ${code} before its pty was ready: ${err}`)));
    child.once("error", reject);
  });
  return {
    path,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

describe("the AVR image under simavr", () => {
  const avrs: SimulatedAvr[] = [];
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
      expect(id).toMatchObject({ backend: "serial", model: "MHIL-XB16", firmwareVersion: "1.0.0", protocolVersion: "1", rows: 16, cols: 16 });
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
    const id = await client.ask("0000 ID");
    expect(id).toMatch(/^0000 OK ID 0 0 0 0 model=MHIL-XB16 serial=\S+ fw=1\.0\.0 proto=1 rows=16 cols=16 boot=[0-9A-F]{8} \*[0-9A-F]{4}$/);
    expect(crcValid(id)).toBe(true);
    expect(await client.ask("0001 PING")).toMatch(/^0001 ERR ORDER expected 0000 /);
    expect(await client.ask("0001 NEW 9C41D2E0")).toMatch(/^0001 OK NEW 0 0 0 0 \*/);

    const first = await client.ask("0002 PCELL 1 2 1500000 100000 3");
    expect(first).toMatch(/^0002 OK PCELL (0|\d+e-15) (0|\d+e-15) \d+e-15 \d+e-9 3 0 \*[0-9A-F]{4}$/); // no ADC: cell energies read 0
    expect(await client.ask("0002 PCELL 1 2 1500000 100000 3")).toBe(first);

    // The firmware's own checks: a damaged CRC, a voltage and a count over its limits, an overlong line.
    client.sendRaw("0003 PCELL 1 2 1500000 100000 3 *0000\n");
    expect(await client.next()).toMatch(/^0003 ERR CRC /);
    expect(await client.ask("0003 PCELL 1 2 1600000 100000 3")).toMatch(/^0003 ERR LIMIT vpmax: 1600000 uV exceeds 1500000 uV /);
    expect(await client.ask("0004 PCELL 1 2 1500000 100000 101")).toMatch(/^0004 ERR LIMIT cmax/);
    client.sendRaw(`${"X".repeat(400)}\n`);
    expect(await client.next()).toMatch(/^0000 ERR LONG /);
    const en = (await client.ask("0005 EN")).split(" ");
    expect(en[11]).toBe("3"); // pulses applied since boot: the first train only
  }, 60_000);
});
