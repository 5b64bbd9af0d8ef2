// The Firmata codec against byte sequences written out by hand from firmata/protocol protocol.md.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  encodeBoard,
  encodeHost,
  FirmataDecoder,
  pack14,
  pack7,
  packString,
  unpack14,
  unpack7,
  unpackString,
  type BoardMessage,
  type HostMessage,
} from "../../protocol/firmata/codec.js";

const fromHost = (bytes: number[]) => new FirmataDecoder<HostMessage>("host-to-board").push(bytes);
const fromBoard = (bytes: number[]) => new FirmataDecoder<BoardMessage>("board-to-host").push(bytes);

describe("7-bit packing", () => {
  test("a 14-bit value is LSB (bits 0-6) then MSB (bits 7-13)", () => {
    expect(pack14(1023)).toEqual([0x7f, 0x07]);
    expect(pack14(0x3fff)).toEqual([0x7f, 0x7f]);
    expect(pack14(128)).toEqual([0x00, 0x01]);
    expect(unpack14(0x7f, 0x07)).toBe(1023);
    expect(() => pack14(0x4000)).toThrow(/16383/);
    expect(() => pack14(-1)).toThrow();
  });

  test("pack14/unpack14 and pack7/unpack7 round-trip", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0x3fff }), (v) => unpack14(...pack14(v)) === v));
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xfffffff }), (v) => unpack7(pack7(v)) === v && pack7(v).every((b) => b < 0x80)));
  });

  test("strings travel as two 7-bit bytes per character", () => {
    expect(packString("St")).toEqual([0x53, 0x00, 0x74, 0x00]);
    expect(unpackString(packString("StandardFirmata"))).toBe("StandardFirmata");
  });
});

describe("host → board messages (protocol.md byte layouts)", () => {
  test("encoders", () => {
    expect(encodeHost.versionQuery()).toEqual([0xf9]);
    expect(encodeHost.firmwareQuery()).toEqual([0xf0, 0x79, 0xf7]);
    expect(encodeHost.capabilityQuery()).toEqual([0xf0, 0x6b, 0xf7]);
    expect(encodeHost.analogMappingQuery()).toEqual([0xf0, 0x69, 0xf7]);
    expect(encodeHost.pinStateQuery(13)).toEqual([0xf0, 0x6d, 0x0d, 0xf7]);
    expect(encodeHost.setPinMode(13, 1)).toEqual([0xf4, 0x0d, 0x01]);
    expect(encodeHost.setDigitalPinValue(13, 1)).toEqual([0xf5, 0x0d, 0x01]);
    // analog I/O message: 0xE0 | pin, LSB, MSB — PWM 200 on pin 9
    expect(encodeHost.analogWrite(9, 200)).toEqual([0xe9, 0x48, 0x01]);
    // extended analog: pin 20, 300 = 0b10_0101100
    expect(encodeHost.extendedAnalog(20, 300)).toEqual([0xf0, 0x6f, 0x14, 0x2c, 0x02, 0xf7]);
    // digital port 1, pins 8 and 15 high: bits 0-6 in the first byte, bit 7 in the second
    expect(encodeHost.digitalPort(1, 0b1000_0001)).toEqual([0x91, 0x01, 0x01]);
    expect(encodeHost.reportAnalog(2, true)).toEqual([0xc2, 0x01]);
    expect(encodeHost.reportDigital(1, false)).toEqual([0xd1, 0x00]);
    // sampling interval 19 ms (the Arduino default)
    expect(encodeHost.samplingInterval(19)).toEqual([0xf0, 0x7a, 0x13, 0x00, 0xf7]);
    expect(encodeHost.systemReset()).toEqual([0xff]);
  });

  test("decoder: every message type from its bytes", () => {
    expect(fromHost([0xf9])).toEqual([{ type: "versionQuery" }]);
    expect(fromHost([0xff])).toEqual([{ type: "systemReset" }]);
    expect(fromHost([0xf0, 0x79, 0xf7])).toEqual([{ type: "firmwareQuery" }]);
    expect(fromHost([0xf0, 0x6b, 0xf7])).toEqual([{ type: "capabilityQuery" }]);
    expect(fromHost([0xf0, 0x69, 0xf7])).toEqual([{ type: "analogMappingQuery" }]);
    expect(fromHost([0xf0, 0x6d, 0x0d, 0xf7])).toEqual([{ type: "pinStateQuery", pin: 13 }]);
    expect(fromHost([0xf4, 0x0d, 0x03])).toEqual([{ type: "setPinMode", pin: 13, mode: 3 }]);
    expect(fromHost([0xf5, 0x0d, 0x01])).toEqual([{ type: "setDigitalPinValue", pin: 13, value: 1 }]);
    expect(fromHost([0xe9, 0x48, 0x01])).toEqual([{ type: "analogWrite", pin: 9, value: 200 }]);
    expect(fromHost([0xf0, 0x6f, 0x14, 0x2c, 0x02, 0xf7])).toEqual([{ type: "extendedAnalog", pin: 20, value: 300 }]);
    expect(fromHost([0xf0, 0x6f, 0x05, 0x7f, 0x7f, 0x01, 0xf7])).toEqual([{ type: "extendedAnalog", pin: 5, value: 0x7fff }]);
    expect(fromHost([0x91, 0x01, 0x01])).toEqual([{ type: "digitalPort", port: 1, mask: 0x81 }]);
    expect(fromHost([0xc2, 0x01, 0xd1, 0x00])).toEqual([
      { type: "reportAnalog", channel: 2, enable: true },
      { type: "reportDigital", port: 1, enable: false },
    ]);
    expect(fromHost([0xf0, 0x7a, 0x13, 0x00, 0xf7])).toEqual([{ type: "samplingInterval", milliseconds: 19 }]);
    expect(fromHost([0xf0, 0x01, 0x02, 0xf7])).toEqual([{ type: "unknownSysex", command: 0x01, data: [0x02] }]);
  });

  test("decoder: split across chunks, leading noise dropped, a status byte cuts a broken sysex", () => {
    const d = new FirmataDecoder<HostMessage>("host-to-board");
    expect(d.push([0x05, 0x7f, 0xe3])).toEqual([]); // two data bytes with no status: noise
    expect(d.push([0x10])).toEqual([]);
    expect(d.push([0x00, 0xf0, 0x7a])).toEqual([{ type: "analogWrite", pin: 3, value: 16 }]);
    expect(d.push([0x13, 0xf9])).toEqual([{ type: "versionQuery" }]); // sysex cut short by 0xF9
    expect(d.push([0xf0, 0x7a, 0x0a, 0x00, 0xf7])).toEqual([{ type: "samplingInterval", milliseconds: 10 }]);
  });
});

describe("board → host messages", () => {
  test("version report: 0xF9 major minor", () => {
    expect(encodeBoard.version(2, 5)).toEqual([0xf9, 0x02, 0x05]);
    expect(fromBoard([0xf9, 0x02, 0x05])).toEqual([{ type: "version", major: 2, minor: 5 }]);
  });

  test("firmware name and version: F0 79 major minor name-as-7-bit-pairs F7", () => {
    const bytes = [0xf0, 0x79, 0x02, 0x05, 0x53, 0x00, 0x74, 0x00, 0x64, 0x00, 0xf7]; // "Std"
    expect(encodeBoard.firmware(2, 5, "Std")).toEqual(bytes);
    expect(fromBoard(bytes)).toEqual([{ type: "firmware", major: 2, minor: 5, name: "Std" }]);
  });

  test("analog report: channel 3 = 1023", () => {
    expect(encodeBoard.analog(3, 1023)).toEqual([0xe3, 0x7f, 0x07]);
    expect(fromBoard([0xe3, 0x7f, 0x07])).toEqual([{ type: "analog", channel: 3, value: 1023 }]);
  });

  test("capability response: modes and resolutions per pin, 0x7F after each pin", () => {
    // pin 0: INPUT/1, OUTPUT/1; pin 1: ANALOG/10, PWM/8; pin 2: nothing
    const bytes = [0xf0, 0x6c, 0x00, 0x01, 0x01, 0x01, 0x7f, 0x02, 0x0a, 0x03, 0x08, 0x7f, 0x7f, 0xf7];
    const pins = [
      [
        { mode: 0, resolutionBits: 1 },
        { mode: 1, resolutionBits: 1 },
      ],
      [
        { mode: 2, resolutionBits: 10 },
        { mode: 3, resolutionBits: 8 },
      ],
      [],
    ];
    expect(encodeBoard.capabilities(pins)).toEqual(bytes);
    expect(fromBoard(bytes)).toEqual([{ type: "capabilities", pins }]);
  });

  test("analog mapping response: one byte per pin, 127 for none", () => {
    const bytes = [0xf0, 0x6a, 0x7f, 0x7f, 0x00, 0x01, 0xf7];
    expect(encodeBoard.analogMapping([null, null, 0, 1])).toEqual(bytes);
    expect(fromBoard(bytes)).toEqual([{ type: "analogMapping", channels: [null, null, 0, 1] }]);
  });

  test("pin state response: pin, mode, state in 7-bit groups", () => {
    expect(encodeBoard.pinState(9, 3, 200)).toEqual([0xf0, 0x6e, 0x09, 0x03, 0x48, 0x01, 0xf7]);
    expect(fromBoard([0xf0, 0x6e, 0x09, 0x03, 0x48, 0x01, 0xf7])).toEqual([{ type: "pinState", pin: 9, mode: 3, state: 200 }]);
  });

  test("string data", () => {
    expect(encodeBoard.string("ok")).toEqual([0xf0, 0x71, 0x6f, 0x00, 0x6b, 0x00, 0xf7]);
    expect(fromBoard([0xf0, 0x71, 0x6f, 0x00, 0x6b, 0x00, 0xf7])).toEqual([{ type: "string", text: "ok" }]);
  });

  test("a report version from the board is three bytes, from the host one", () => {
    expect(fromBoard([0xf9, 0x02])).toEqual([]);
    expect(fromHost([0xf9, 0x02])).toEqual([{ type: "versionQuery" }]);
  });
});
