// The Firmata twin over a real socat pty, as a bare host sees it, against StandardFirmata 2.5's source
// (firmata/arduino: examples/StandardFirmata/StandardFirmata.ino, Boards.h): its capability report for an Uno,
// the pull-up a 1 written to an INPUT pin turns on, and a link never faster than its baud rate.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { DEFAULT_BOARD_CONFIG } from "../../protocol/firmata/board-config.js";
import { encodeHost, PIN_MODE, type BoardMessage } from "../../protocol/firmata/codec.js";
import { serveFirmataTwin, type ServedFirmataTwin } from "../../emulators/firmata-twin/serve.js";
import { RawFirmataHost } from "./raw-host.js";

const dir = mkdtempSync(join(tmpdir(), "mhil-firmata-fw-"));
// A 2×3 board on an Uno: A0–A5 sense the six devices.
const unoPath = join(dir, "uno.json");
writeFileSync(
  unoPath,
  JSON.stringify({
    ...DEFAULT_BOARD_CONFIG,
    mcu: "uno",
    cols: 3,
    colLines: DEFAULT_BOARD_CONFIG.colLines.slice(0, 3),
    devices: [0, 1].flatMap((row) => [0, 1, 2].map((col) => ({ row, col, analogChannel: row * 3 + col, senseResistorOhms: 22000 }))),
  }),
);
const twins: ServedFirmataTwin[] = [];
const hosts: RawFirmataHost[] = [];
afterAll(async () => {
  for (const h of hosts) await h.close();
  for (const t of twins) await t.close();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(boardConfigPath?: string) {
  const twin = await serveFirmataTwin({ ...(boardConfigPath ? { boardConfigPath } : {}), seed: 4, log: () => undefined });
  twins.push(twin);
  const host = await RawFirmataHost.open(twin.path, twin.config.baudRate);
  hosts.push(host);
  return { twin, host };
}

const is =
  <K extends BoardMessage["type"]>(type: K) =>
  (m: BoardMessage): m is Extract<BoardMessage, { type: K }> =>
    m.type === type;

describe("firmata twin: StandardFirmata 2.5 as a host sees it", () => {
  test("an Uno's capability report: pins 0/1 (the USB serial) none; INPUT, PULLUP, OUTPUT, [ANALOG], [PWM], SERVO; I2C on A4/A5", async () => {
    const { host } = await connect(unoPath);
    const caps = await host.ask(encodeHost.capabilityQuery(), is("capabilities"), "capability report");
    // Written out from StandardFirmata.ino's CAPABILITY_QUERY case and Boards.h's ATmega328P macros (6 analog inputs).
    const I = { mode: PIN_MODE.INPUT, resolutionBits: 1 };
    const PU = { mode: PIN_MODE.PULLUP, resolutionBits: 1 };
    const O = { mode: PIN_MODE.OUTPUT, resolutionBits: 1 };
    const A = { mode: PIN_MODE.ANALOG, resolutionBits: 10 };
    const P = { mode: PIN_MODE.PWM, resolutionBits: 8 };
    const S = { mode: PIN_MODE.SERVO, resolutionBits: 14 };
    const I2C = { mode: 0x06, resolutionBits: 1 };
    const expected = [
      [],
      [],
      ...[2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13].map((p) => ([3, 5, 6, 9, 10, 11].includes(p) ? [I, PU, O, P, S] : [I, PU, O, S])),
      ...[14, 15, 16, 17].map(() => [I, PU, O, A, S]),
      [I, PU, O, A, S, I2C],
      [I, PU, O, A, S, I2C],
    ];
    expect(caps.pins).toEqual(expected);
    const mapping = await host.ask(encodeHost.analogMappingQuery(), is("analogMapping"), "analog mapping");
    expect(mapping.channels).toEqual([...new Array<null>(14).fill(null), 0, 1, 2, 3, 4, 5]);
    // A pin the board does not have: answered with its number alone.
    const none = await host.ask(encodeHost.pinStateQuery(40), is("unknownSysex"), "pin state of pin 40");
    expect(none).toEqual({ type: "unknownSysex", command: 0x6e, data: [40] });
  });

  test("a 1 written to an INPUT pin turns its pull-up on: the pin reads and reports 1, and stays pulled up until set INPUT again", async () => {
    const { host } = await connect(unoPath);
    const port0 = is("digitalPort");
    const state4 = (m: BoardMessage): m is Extract<BoardMessage, { type: "pinState" }> => m.type === "pinState" && m.pin === 4;
    await host.write(encodeHost.setPinMode(4, PIN_MODE.INPUT));
    // Reporting port 0 sends its inputs at once: pin 4 floats, unpulled (read as 0).
    expect(await host.ask(encodeHost.reportDigital(0, true), port0, "port 0")).toEqual({ type: "digitalPort", port: 0, mask: 0 });
    // DIGITAL_MESSAGE with bit 4 set: StandardFirmata calls pinMode(4, INPUT_PULLUP); the port now reads 1 there.
    expect(await host.ask(encodeHost.digitalPort(0, 1 << 4), port0, "port 0 after the write")).toEqual({ type: "digitalPort", port: 0, mask: 1 << 4 });
    expect(await host.ask(encodeHost.pinStateQuery(4), state4, "pin 4 state")).toEqual({ type: "pinState", pin: 4, mode: PIN_MODE.INPUT, state: 1 });
    // A 0 written to it changes the pin's state, not its pull-up (StandardFirmata writes only OUTPUT pins).
    await host.write(encodeHost.digitalPort(0, 0));
    expect(await host.ask(encodeHost.pinStateQuery(4), state4, "pin 4 state")).toEqual({ type: "pinState", pin: 4, mode: PIN_MODE.INPUT, state: 0 });
    // SET_DIGITAL_PIN_VALUE acts on OUTPUT pins only: the INPUT pin is untouched.
    await host.write(encodeHost.setDigitalPinValue(4, 0));
    // INPUT again: pinMode(INPUT) clears the pull-up, and the port reports the change.
    expect(await host.ask(encodeHost.setPinMode(4, PIN_MODE.INPUT), port0, "port 0 after INPUT")).toEqual({ type: "digitalPort", port: 0, mask: 0 });
    const reports = host.messages.filter(port0);
    expect(reports.map((m) => m.mask)).toEqual([0, 1 << 4, 0]); // the 0 write and the pin-value write sent nothing
  });

  test("over a real link, no more bytes arrive than the baud rate allows in the twin's own elapsed time", async () => {
    const { twin, host } = await connect();
    const perSecond = twin.config.baudRate / 10;
    const channels = twin.config.devices.map((d) => d.analogChannel);
    // In step first: whatever the board sent before (its announcement at power-on) is in once it answers this.
    await host.ask(encodeHost.versionQuery(), is("version"), "version");
    // Counted as analog reports (3 bytes each), so that a straggler of the power-on announcement still on its
    // way when the matcher saw a version message does not count as sent inside the window.
    const from = host.messages.length;
    const analogBytes = () => 3 * host.messages.slice(from).filter((m) => m.type === "analog").length;
    const t0 = twin.board.now();
    // At 1 ms, 8 channels ask for 24,000 bytes/s; a 57,600-baud line carries 5,760.
    await host.write([...encodeHost.samplingInterval(1), ...channels.flatMap((ch) => encodeHost.reportAnalog(ch, true))]);
    await host.until(() => analogBytes() >= 2000, "2000 bytes of analog reports");
    const t1 = twin.board.now();
    expect(analogBytes()).toBeLessThanOrEqual((t1 - t0) * perSecond);
    await host.write(channels.flatMap((ch) => encodeHost.reportAnalog(ch, false)));
  });
});
