// The Firmata twin's timing against StandardFirmata 2.5's, on a virtual clock (exact answers on a loaded
// machine): it announces itself at power-on, paces every byte at the link's baud rate (10 bit times a byte,
// 5,760 bytes/s at 57,600 baud) however much it has to say, and its sampling timer catches up after a late loop
// (previousMillis += samplingInterval) instead of drifting. A late wake-up changes nothing it writes.
import { describe, expect, test } from "vitest";
import { DEFAULT_BOARD_CONFIG } from "../../protocol/firmata/board-config.js";
import { encodeBoard, encodeHost, FirmataDecoder, type BoardMessage } from "../../protocol/firmata/codec.js";
import { FirmataTwinBoard, type TwinWireEvent } from "../../emulators/firmata-twin/twin-board.js";
import { VirtualClock } from "./virtual-clock.js";

const BYTES_PER_SECOND = DEFAULT_BOARD_CONFIG.baudRate / 10; // 8N1: start + 8 data + stop bits
const CHANNELS = DEFAULT_BOARD_CONFIG.devices.map((d) => d.analogChannel); // A0–A7 on the 2×4 Nano board

function boot() {
  const clock = new VirtualClock();
  const delivered: { at: number; bytes: Uint8Array }[] = [];
  const twin = new FirmataTwinBoard({
    config: DEFAULT_BOARD_CONFIG,
    seed: 3,
    clock,
    send: (bytes) => {
      delivered.push({ at: clock.now(), bytes });
      return true;
    },
  });
  const events: TwinWireEvent[] = [];
  twin.watch((e) => events.push(e));
  return { clock, twin, delivered, events };
}

const bytesAfter = (delivered: { at: number; bytes: Uint8Array }[], t0: number, t: number) =>
  delivered.filter((d) => d.at > t0 && d.at <= t).reduce((s, d) => s + d.bytes.length, 0);

const decode = (chunks: Uint8Array[]): BoardMessage[] => {
  const dec = new FirmataDecoder<BoardMessage>("board-to-host");
  return chunks.flatMap((c) => dec.push(c));
};

describe("firmata twin: StandardFirmata's timing", () => {
  test("at power-on it announces the protocol version, then its name and version, unasked, at the baud rate", () => {
    const { clock, delivered } = boot();
    clock.runTo(0.1);
    const expected = [...encodeBoard.version(2, 5), ...encodeBoard.firmware(2, 5, "StandardFirmata.ino")];
    expect(expected.length).toBe(46);
    expect(delivered.flatMap((d) => [...d.bytes])).toEqual(expected);
    // No byte is handed on before the line could have carried it.
    let sent = 0;
    for (const d of delivered) {
      sent += d.bytes.length;
      expect(sent).toBeLessThanOrEqual(Math.floor(d.at * BYTES_PER_SECOND + 1e-9));
    }
  });

  test("at a 1 ms sampling interval, 8 channels fill the 57,600-baud line and never exceed it", () => {
    const { clock, twin, delivered } = boot();
    clock.runTo(0.1);
    const t0 = clock.now();
    // 24 bytes a round every millisecond would be 24,000 bytes/s: the line carries 5,760.
    twin.receive(Uint8Array.from([...encodeHost.samplingInterval(1), ...CHANNELS.flatMap((ch) => encodeHost.reportAnalog(ch, true))]));
    for (let k = 1; k <= 20; k++) {
      const t = t0 + 0.05 * k;
      clock.runTo(t);
      const allowed = (t - t0) * BYTES_PER_SECOND;
      const sent = bytesAfter(delivered, t0, t);
      expect(sent, `bytes by ${t.toFixed(2)} s`).toBeLessThanOrEqual(Math.floor(allowed + 1e-9));
      // The line never idles once the reports start: short of full by at most a transmit buffer's worth.
      expect(sent, `bytes by ${t.toFixed(2)} s`).toBeGreaterThanOrEqual(allowed - 64);
    }
    // Whole analog messages only; once A7's report is on (its first report sent at once), round after round of
    // A0–A7 in pin order: nothing lost or cut.
    const messages = decode(delivered.filter((d) => d.at > t0).map((d) => d.bytes));
    expect(messages.length).toBeGreaterThan(5700 / 3 - 30);
    expect(messages.every((m) => m.type === "analog")).toBe(true);
    const channels = messages.map((m) => (m.type === "analog" ? m.channel : -1));
    const rounds = channels.slice(channels.indexOf(7) + 1);
    expect(rounds).toEqual(rounds.map((_, i) => CHANNELS[i % 8]));
  });

  test("the sampling timer catches up after the loop was held up: every round falls due on StandardFirmata's schedule", () => {
    const { clock, twin, events } = boot();
    clock.runTo(1.0);
    // Reporting A0 every 5 ms. The 7 bytes are in by 1.0012 s (millisecond 1001); by then previousMillis has
    // stepped by the boot interval of 19 ms to 988, then by 5 ms to 998: rounds fall due at ms 1004 + 5k.
    twin.receive(Uint8Array.from([...encodeHost.samplingInterval(5), ...encodeHost.reportAnalog(0, true)]));
    clock.runTo(1.1);
    // A capability query: its 201-byte reply fills the 64-byte transmit buffer and holds the loop for ~24 ms.
    twin.receive(Uint8Array.from(encodeHost.capabilityQuery()));
    clock.runTo(2.0);
    const written = events.filter((e): e is Extract<TwinWireEvent, { kind: "written" }> => e.kind === "written" && e.seconds > 1);
    const reply = written.find((e) => decode([e.bytes])[0]?.type === "capabilities")!;
    expect(reply.bytes.length).toBe(201);
    const a0 = written.filter((e) => decode([e.bytes]).every((m) => m.type === "analog" && m.channel === 0)).map((e) => e.seconds);
    const rounds = a0.slice(1); // the first is the report sent at once when reporting was enabled
    expect(a0[0]).toBeCloseTo(1 + 7 / BYTES_PER_SECOND, 12);
    // Every round due by 2.0 s was sent: ms 1004, 1009, …, 1999 (a timer that restarts from a late round would lose some).
    expect(rounds.length).toBe(200);
    const due = rounds.map((_, k) => (1004 + 5 * k) / 1000);
    const held = rounds.map((t, k) => t - due[k]! > 1e-9);
    // On time, each at the start of its millisecond, except the rounds that fell due while the reply held the
    // loop: those go out late, one after the other as the buffer frees, and the schedule then resumes unshifted.
    const firstHeld = held.indexOf(true);
    const lastHeld = held.lastIndexOf(true);
    expect(due[firstHeld]!).toBeGreaterThan(reply.seconds);
    expect(lastHeld - firstHeld + 1).toBeGreaterThanOrEqual(4); // ~24 ms of 5 ms rounds
    expect(held.slice(firstHeld, lastHeld + 1).every(Boolean)).toBe(true);
    const freed = reply.seconds + (reply.bytes.length - 64) / BYTES_PER_SECOND;
    expect(rounds[firstHeld]!).toBeGreaterThanOrEqual(freed - 1e-9);
    for (let k = 0; k < 200; k++) if (!held[k]) expect(rounds[k], `round ${k}`).toBeCloseTo(due[k]!, 12);
  });

  test("a late wake-up changes nothing the board writes, only when it reaches the host", () => {
    const run = (stalls: boolean) => {
      const { clock, twin, events, delivered } = boot();
      const host: [number, number[]][] = [
        [0.2, [...encodeHost.samplingInterval(3), ...CHANNELS.flatMap((ch) => encodeHost.reportAnalog(ch, true))]],
        [0.25, [3, 5].flatMap((pin) => encodeHost.analogWrite(pin, 60))],
        [0.31, [...encodeHost.analogWrite(3, 0), ...encodeHost.versionQuery()]],
        [0.4, CHANNELS.flatMap((ch) => encodeHost.reportAnalog(ch, false))],
      ];
      for (const [t, bytes] of host) {
        if (stalls) clock.stallTo(t);
        else for (let s = clock.now(); s < t; s += 0.0005) clock.runTo(s);
        clock.runTo(t);
        twin.receive(Uint8Array.from(bytes));
      }
      if (stalls) clock.stallTo(0.6);
      clock.runTo(0.6);
      const written = events.filter((e) => e.kind !== "delivered").map((e) => ({ ...e, ...("bytes" in e ? { bytes: [...e.bytes] } : {}) }));
      return { written, bytes: delivered.flatMap((d) => [...d.bytes]) };
    };
    const onTime = run(false);
    const late = run(true);
    expect(onTime.written.length).toBeGreaterThan(50);
    expect(late.written).toEqual(onTime.written);
    expect(late.bytes).toEqual(onTime.bytes);
  });
});
