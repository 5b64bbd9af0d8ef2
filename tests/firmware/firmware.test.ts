// The crossbar-controller firmware: AVR build fits the ATmega2560, host unit tests, the fuzz
// harness, and the host build over a real pty (protocol, exactly-once, limits, link silence).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { crcValid, LineClient, make, startFirmwareHost, type FirmwareHost } from "./host-process.js";

const ATMEGA2560_RAM_BYTES = 8192;

describe("firmware builds", () => {
  it("the AVR build fits the ATmega2560 with at least 25% of RAM free", () => {
    const out = make(["avr"]);
    const data = /Data:\s+(\d+) bytes/.exec(out);
    const program = /Program:\s+(\d+) bytes/.exec(out);
    expect(data, out).not.toBeNull();
    expect(program, out).not.toBeNull();
    expect(out).toMatch(/Device: atmega2560/);
    const ramBytes = Number(data![1]);
    expect(ramBytes, `static RAM ${ramBytes} of ${ATMEGA2560_RAM_BYTES} bytes`).toBeLessThanOrEqual(0.75 * ATMEGA2560_RAM_BYTES);
    expect(Number(program![1])).toBeLessThan(256 * 1024 - 8 * 1024); // below the bootloader
  }, 180_000);

  it("host unit tests pass: parser, CRC, sequencing, limits, compliance, silence, EEPROM", () => {
    const out = make(["test"]);
    expect(out).toMatch(/firmware unit tests: \d+ checks, 0 failed/);
    for (const t of ["bad-crc", "malformed", "overlong", "limits", "exactly-once", "compliance", "silence", "eeprom", "request-copies"]) expect(out).toMatch(new RegExp(`^ok +${t}$`, "m"));
  }, 180_000);

  it("fuzz: 100,000 random and mutated lines and request copies, nothing driven by a line that failed its CRC or its limits, no copy run twice", () => {
    const out = make(["fuzz"], { FUZZ_LINES: "100000", FUZZ_SEED: "20261123" });
    const m = /fuzz: (\d+) lines fed .*?: (\d+) failed CRC, (\d+) overlong, (\d+) refused, (\d+) accepted, (\d+) pulse commands executed, (\d+) retries answered from memory, .*?, (\d+) copies dropped/.exec(out);
    expect(m, out).not.toBeNull();
    const [fed, crcBad, overlong, refused, accepted, pulses, retries, copiesDropped] = m!.slice(1).map(Number);
    expect(fed).toBe(100_000);
    // Every kind of input really occurred.
    expect(crcBad).toBeGreaterThan(10_000);
    expect(overlong).toBeGreaterThan(1_000);
    expect(refused).toBeGreaterThan(10_000);
    expect(accepted).toBeGreaterThan(10_000);
    expect(pulses).toBeGreaterThan(5_000);
    expect(retries).toBeGreaterThan(1_000);
    expect(copiesDropped).toBeGreaterThan(1_000); // request copies ('+') of lines that ran: silent, nothing driven
    expect(out).toMatch(/fuzz: 0 check failures/);
  }, 300_000);
});

describe("firmware host build over a pty", () => {
  let host: FirmwareHost;
  let client: LineClient;
  beforeAll(async () => {
    make(["host"]);
    host = await startFirmwareHost(["--quiet-ms", "600", "--serial", "PTY-TEST-1", "--seed", "3"]);
    client = await LineClient.open(host.path);
  }, 180_000);
  afterAll(async () => {
    await client?.close();
    await host?.stop();
  });

  it("identifies itself, opens a session and answers with valid CRCs", async () => {
    const id = await client.ask("0000 ID");
    expect(id).toMatch(/^0000 OK ID 0 0 0 0 model=MHIL-XB16 serial=PTY-TEST-1 fw=3\.0\.0 proto=3 rows=16 cols=16 boot=[0-9A-F]{8} \*[0-9A-F]{8}$/);
    expect(crcValid(id)).toBe(true);
    expect(await client.ask("0000 LIM")).toMatch(/ mem=8 hold=2 dup=2 rcopy=1 mvb=3 maxin=255 rxbuf=\d+ quiet=600e-3 /);
    expect(await client.ask("0001 PING")).toMatch(/^0001 ERR ORDER expected 0000 /);
    expect(await client.ask("0001 NEW 9C41D2E0")).toMatch(/^0001 OK NEW 0 0 0 0 \*/);
  });

  it("applies a pulse train once: the retry is answered from memory", async () => {
    const first = await client.ask("0002 PCELL 1 2 1500000 100000 3");
    expect(first).toMatch(/^0002 OK PCELL \d+e-15 \d+e-15 \d+e-15 \d+e-9 3 0 \*[0-9A-F]{8}$/);
    expect(await client.ask("0002 PCELL 1 2 1500000 100000 3")).toBe(first);
    const en = (await client.ask("0003 EN")).split(" ");
    expect(en[11]).toBe("3"); // pulses applied since boot: 3, not 6
  });

  it("refuses a damaged line and an out-of-limit line, drives nothing for either, and keeps the SEQ free (a refusal is a NAK)", async () => {
    const good = "0004 PCELL 1 2 1500000 100000 3 *00000000";
    client.sendRaw(`${good}\n`);
    expect(await client.next()).toMatch(/^0004 ERR CRC /);
    expect(await client.ask("0004 PCELL 1 2 1600000 100000 3")).toMatch(/^0004 ERR LIMIT vpmax: 1600000 uV exceeds 1500000 uV /);
    expect(await client.ask("0004 PCELL 1 2 1500000 100000 101")).toMatch(/^0004 ERR LIMIT cmax/);
    client.sendRaw(`${"X".repeat(400)}\n`);
    expect(await client.next()).toMatch(/^0000 ERR LONG /);
    const en = (await client.ask("0004 EN")).split(" ");
    expect(en.slice(0, 3)).toEqual(["0004", "OK", "EN"]);
    expect(en[11]).toBe("3");
  });

  it("link silence cuts a pulse train short and grounds every line", async () => {
    // A slow machine may already have let the link go quiet between the tests above.
    const silent = /link silent: every line grounded \(safe=1\)/;
    const before = host.log.filter((l) => silent.test(l)).length;
    // 100 pulses of 10 ms outlive the 600 ms silence timeout: stopped between pulses.
    const train = (await client.ask("0005 PCELL 0 0 1000000 10000000 100")).split(" ");
    expect(train.slice(0, 3)).toEqual(["0005", "OK", "PCELL"]);
    const applied = Number(train[7]);
    expect(applied).toBeGreaterThan(0);
    expect(applied).toBeLessThanOrEqual(61);
    await host.waitForLog(silent, before + 1);
    // Then the host really goes quiet: the firmware notices again and reports grounded.
    expect(await client.ask("0006 PING")).toMatch(/^0006 OK PING/);
    await host.waitForLog(silent, before + 2);
    const st = await client.ask("0007 ST");
    expect(st).toMatch(/ safe=1 /);
    expect(Number(/ silences=(\d+) /.exec(st)?.[1])).toBeGreaterThanOrEqual(before + 2);
  });
});

describe("firmware host build: the array's clock is simulated time", () => {
  const hosts: FirmwareHost[] = [];
  afterAll(async () => {
    for (const h of hosts) await h.stop();
  });

  // The host build once counted its own computing as the array's time: a read's joules and a pulse's length then
  // depended on how busy the machine was, and a training over it learned less under load.
  it("two boards of one seed answer the same requests byte for byte: durations and joules are the physics' own", async () => {
    make(["host"]);
    const session = async (): Promise<string[]> => {
      const host = await startFirmwareHost(["--serial", "PTY-CLOCK", "--seed", "5"]);
      hosts.push(host);
      const client = await LineClient.open(host.path);
      try {
        await client.identify();
        const replies = [await client.ask("0001 NEW 5EED0005")];
        for (const body of ["0002 PCELL 1 2 1500000 100000 3", "0003 RCELL 1 2 200000", "0004 RROW 1 200000", "0005 PCELL 3 4 -1300000 1000000 5", "0006 RROW 3 200000", "0007 EN"]) {
          replies.push(await client.ask(body));
        }
        return replies;
      } finally {
        await client.close();
      }
    };
    const first = await session();
    const second = await session();
    for (const r of first) expect(r).toMatch(/^\d{4} OK /);
    // Measured durations are there to compare: nanoseconds, not zeros.
    expect(Number(first[1]!.split(" ")[6]!.replace("e-9", ""))).toBeGreaterThan(0);
    expect(second).toEqual(first);
  }, 180_000);
});
