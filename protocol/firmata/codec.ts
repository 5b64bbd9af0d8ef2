// The Firmata wire format as pure functions: message encoders, 7-bit packing, and a streaming decoder.
// No I/O here; the twin and the tests feed it bytes. Source: firmata/protocol protocol.md (v2.5+).

export const ANALOG_MESSAGE = 0xe0;
export const DIGITAL_MESSAGE = 0x90;
export const REPORT_ANALOG = 0xc0;
export const REPORT_DIGITAL = 0xd0;
export const START_SYSEX = 0xf0;
export const SET_PIN_MODE = 0xf4;
export const SET_DIGITAL_PIN_VALUE = 0xf5;
export const END_SYSEX = 0xf7;
export const REPORT_VERSION = 0xf9;
export const SYSTEM_RESET = 0xff;

export const ANALOG_MAPPING_QUERY = 0x69;
export const ANALOG_MAPPING_RESPONSE = 0x6a;
export const CAPABILITY_QUERY = 0x6b;
export const CAPABILITY_RESPONSE = 0x6c;
export const PIN_STATE_QUERY = 0x6d;
export const PIN_STATE_RESPONSE = 0x6e;
export const EXTENDED_ANALOG = 0x6f;
export const SERVO_CONFIG = 0x70;
export const STRING_DATA = 0x71;
export const I2C_REQUEST = 0x76;
export const I2C_CONFIG = 0x78;
export const REPORT_FIRMWARE = 0x79;
export const SAMPLING_INTERVAL = 0x7a;

/** Pin modes as numbered in the capability response and SET_PIN_MODE. */
export const PIN_MODE = { INPUT: 0x00, OUTPUT: 0x01, ANALOG: 0x02, PWM: 0x03, SERVO: 0x04, I2C: 0x06, SERIAL: 0x0a, PULLUP: 0x0b } as const;

/** Analog mapping value of a pin that has no analog channel. */
export const NO_ANALOG_CHANNEL = 0x7f;

export interface PinCapability {
  mode: number;
  resolutionBits: number;
}

/** Messages the host sends to the board. */
export type HostMessage =
  | { type: "analogWrite"; pin: number; value: number }
  | { type: "digitalPort"; port: number; mask: number }
  | { type: "reportAnalog"; channel: number; enable: boolean }
  | { type: "reportDigital"; port: number; enable: boolean }
  | { type: "setPinMode"; pin: number; mode: number }
  | { type: "setDigitalPinValue"; pin: number; value: number }
  | { type: "versionQuery" }
  | { type: "systemReset" }
  | { type: "firmwareQuery" }
  | { type: "capabilityQuery" }
  | { type: "analogMappingQuery" }
  | { type: "pinStateQuery"; pin: number }
  | { type: "extendedAnalog"; pin: number; value: number }
  | { type: "samplingInterval"; milliseconds: number }
  | { type: "servoConfig"; pin: number; minMicros: number; maxMicros: number }
  | { type: "i2cConfig"; delayMicros: number }
  | { type: "unknownSysex"; command: number; data: number[] };

/** Messages the board sends to the host. */
export type BoardMessage =
  | { type: "analog"; channel: number; value: number }
  | { type: "digitalPort"; port: number; mask: number }
  | { type: "version"; major: number; minor: number }
  | { type: "firmware"; major: number; minor: number; name: string }
  | { type: "capabilities"; pins: PinCapability[][] }
  | { type: "analogMapping"; channels: (number | null)[] }
  | { type: "pinState"; pin: number; mode: number; state: number }
  | { type: "string"; text: string }
  | { type: "unknownSysex"; command: number; data: number[] };

// --- 7-bit packing -------------------------------------------------------------------------------

/** A 14-bit value as [bits 0–6, bits 7–13]. */
export function pack14(value: number): [number, number] {
  if (!Number.isInteger(value) || value < 0 || value > 0x3fff) throw new RangeError(`pack14: ${value} is not an integer in [0, 16383]`);
  return [value & 0x7f, (value >> 7) & 0x7f];
}

export const unpack14 = (lsb: number, msb: number): number => (lsb & 0x7f) | ((msb & 0x7f) << 7);

/** Any non-negative integer as little-endian 7-bit groups (at least two, as EXTENDED_ANALOG sends). */
export function pack7(value: number, minBytes = 2): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xfffffff) throw new RangeError(`pack7: ${value} is not an integer in [0, 2^28)`);
  const out: number[] = [];
  do {
    out.push(value & 0x7f);
    value = Math.floor(value / 128);
  } while (value > 0 || out.length < minBytes);
  return out;
}

export function unpack7(bytes: readonly number[]): number {
  let v = 0;
  for (let i = bytes.length - 1; i >= 0; i--) v = v * 128 + (bytes[i]! & 0x7f);
  return v;
}

/** Characters as two 7-bit bytes each (LSB, MSB), as REPORT_FIRMWARE and STRING_DATA carry them. */
export function packString(text: string): number[] {
  const out: number[] = [];
  for (const ch of Buffer.from(text, "latin1")) out.push(ch & 0x7f, (ch >> 7) & 0x7f);
  return out;
}

export function unpackString(bytes: readonly number[]): string {
  const chars: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) chars.push(unpack14(bytes[i]!, bytes[i + 1]!) & 0xff);
  return Buffer.from(chars).toString("latin1");
}

// --- encoders: host → board ---------------------------------------------------------------------

const sysex = (command: number, data: readonly number[] = []): number[] => [START_SYSEX, command, ...data, END_SYSEX];

export const encodeHost = {
  versionQuery: (): number[] => [REPORT_VERSION],
  systemReset: (): number[] => [SYSTEM_RESET],
  firmwareQuery: (): number[] => sysex(REPORT_FIRMWARE),
  capabilityQuery: (): number[] => sysex(CAPABILITY_QUERY),
  analogMappingQuery: (): number[] => sysex(ANALOG_MAPPING_QUERY),
  pinStateQuery: (pin: number): number[] => sysex(PIN_STATE_QUERY, [pin & 0x7f]),
  setPinMode: (pin: number, mode: number): number[] => [SET_PIN_MODE, pin & 0x7f, mode & 0x7f],
  setDigitalPinValue: (pin: number, value: number): number[] => [SET_DIGITAL_PIN_VALUE, pin & 0x7f, value ? 1 : 0],
  /** ANALOG_MESSAGE as a write: pins 0–15, 14-bit value. */
  analogWrite: (pin: number, value: number): number[] => [ANALOG_MESSAGE | (pin & 0x0f), ...pack14(value)],
  extendedAnalog: (pin: number, value: number): number[] => sysex(EXTENDED_ANALOG, [pin & 0x7f, ...pack7(value)]),
  digitalPort: (port: number, mask: number): number[] => [DIGITAL_MESSAGE | (port & 0x0f), ...pack14(mask & 0xff)],
  reportAnalog: (channel: number, enable: boolean): number[] => [REPORT_ANALOG | (channel & 0x0f), enable ? 1 : 0],
  reportDigital: (port: number, enable: boolean): number[] => [REPORT_DIGITAL | (port & 0x0f), enable ? 1 : 0],
  samplingInterval: (milliseconds: number): number[] => sysex(SAMPLING_INTERVAL, pack14(milliseconds)),
  servoConfig: (pin: number, minMicros: number, maxMicros: number): number[] => sysex(SERVO_CONFIG, [pin & 0x7f, ...pack14(minMicros), ...pack14(maxMicros)]),
  i2cConfig: (delayMicros = 0): number[] => sysex(I2C_CONFIG, pack14(delayMicros)),
};

// --- encoders: board → host ---------------------------------------------------------------------

export const encodeBoard = {
  version: (major: number, minor: number): number[] => [REPORT_VERSION, major & 0x7f, minor & 0x7f],
  firmware: (major: number, minor: number, name: string): number[] => sysex(REPORT_FIRMWARE, [major & 0x7f, minor & 0x7f, ...packString(name)]),
  analog: (channel: number, value: number): number[] => [ANALOG_MESSAGE | (channel & 0x0f), ...pack14(value)],
  digitalPort: (port: number, mask: number): number[] => [DIGITAL_MESSAGE | (port & 0x0f), ...pack14(mask & 0xff)],
  capabilities: (pins: readonly (readonly PinCapability[])[]): number[] =>
    sysex(
      CAPABILITY_RESPONSE,
      pins.flatMap((modes) => [...modes.flatMap((m) => [m.mode & 0x7f, m.resolutionBits & 0x7f]), 0x7f]),
    ),
  analogMapping: (channels: readonly (number | null)[]): number[] => sysex(ANALOG_MAPPING_RESPONSE, channels.map((c) => (c === null ? NO_ANALOG_CHANNEL : c & 0x7f))),
  pinState: (pin: number, mode: number, state: number): number[] => sysex(PIN_STATE_RESPONSE, [pin & 0x7f, mode & 0x7f, ...pack7(state, 1)]),
  string: (text: string): number[] => sysex(STRING_DATA, packString(text)),
};

// --- decoding -----------------------------------------------------------------------------------

/** Which side's messages a decoder reads: 0xF9 is one byte from the host and three from the board. */
export type Direction = "host-to-board" | "board-to-host";

/**
 * A streaming decoder: push bytes as they arrive, get whole messages back. Bytes that cannot start a
 * message are dropped (a status byte always restarts framing), as a real Firmata parser does.
 */
export class FirmataDecoder<M extends HostMessage | BoardMessage> {
  private buf: number[] = [];
  private sysexOpen = false;

  constructor(readonly direction: Direction) {}

  push(bytes: Iterable<number>): M[] {
    const out: M[] = [];
    for (const b of bytes) {
      const m = this.byte(b & 0xff);
      if (m) out.push(m as M);
    }
    return out;
  }

  private byte(b: number): HostMessage | BoardMessage | null {
    if (this.sysexOpen) {
      if (b === END_SYSEX) {
        this.sysexOpen = false;
        const [command, ...data] = this.buf;
        this.buf = [];
        return command === undefined ? null : this.direction === "host-to-board" ? decodeHostSysex(command, data) : decodeBoardSysex(command, data);
      }
      if (b & 0x80) {
        // A status byte inside a sysex: the sysex was cut short; drop it and start over on this byte.
        this.sysexOpen = false;
        this.buf = [];
      } else {
        this.buf.push(b);
        return null;
      }
    }
    if (b & 0x80) {
      this.buf = [b];
      if (b === START_SYSEX) {
        this.buf = [];
        this.sysexOpen = true;
        return null;
      }
    } else {
      if (this.buf.length === 0) return null; // data byte with no status: noise
      this.buf.push(b);
    }
    const status = this.buf[0]!;
    const need = messageLength(status, this.direction);
    if (need === null) {
      this.buf = [];
      return null;
    }
    if (this.buf.length < need) return null;
    const msg = this.buf;
    this.buf = [];
    return this.direction === "host-to-board" ? decodeHostShort(msg) : decodeBoardShort(msg);
  }
}

/** Bytes in a non-sysex message starting with `status`, or null for a status this side never sends. */
function messageLength(status: number, direction: Direction): number | null {
  const kind = status < 0xf0 ? status & 0xf0 : status;
  switch (kind) {
    case ANALOG_MESSAGE:
    case DIGITAL_MESSAGE:
    case SET_PIN_MODE:
    case SET_DIGITAL_PIN_VALUE:
      return 3;
    case REPORT_ANALOG:
    case REPORT_DIGITAL:
      return 2;
    case REPORT_VERSION:
      return direction === "host-to-board" ? 1 : 3;
    case SYSTEM_RESET:
      return 1;
    default:
      return null;
  }
}

function decodeHostShort(m: number[]): HostMessage | null {
  const s = m[0]!;
  const kind = s < 0xf0 ? s & 0xf0 : s;
  switch (kind) {
    case ANALOG_MESSAGE:
      return { type: "analogWrite", pin: s & 0x0f, value: unpack14(m[1]!, m[2]!) };
    case DIGITAL_MESSAGE:
      return { type: "digitalPort", port: s & 0x0f, mask: unpack14(m[1]!, m[2]!) };
    case REPORT_ANALOG:
      return { type: "reportAnalog", channel: s & 0x0f, enable: m[1] !== 0 };
    case REPORT_DIGITAL:
      return { type: "reportDigital", port: s & 0x0f, enable: m[1] !== 0 };
    case SET_PIN_MODE:
      return { type: "setPinMode", pin: m[1]!, mode: m[2]! };
    case SET_DIGITAL_PIN_VALUE:
      return { type: "setDigitalPinValue", pin: m[1]!, value: m[2]! ? 1 : 0 };
    case REPORT_VERSION:
      return { type: "versionQuery" };
    case SYSTEM_RESET:
      return { type: "systemReset" };
    default:
      return null;
  }
}

function decodeBoardShort(m: number[]): BoardMessage | null {
  const s = m[0]!;
  const kind = s < 0xf0 ? s & 0xf0 : s;
  switch (kind) {
    case ANALOG_MESSAGE:
      return { type: "analog", channel: s & 0x0f, value: unpack14(m[1]!, m[2]!) };
    case DIGITAL_MESSAGE:
      return { type: "digitalPort", port: s & 0x0f, mask: unpack14(m[1]!, m[2]!) };
    case REPORT_VERSION:
      return { type: "version", major: m[1]!, minor: m[2]! };
    default:
      return null;
  }
}

function decodeHostSysex(command: number, data: number[]): HostMessage {
  switch (command) {
    case REPORT_FIRMWARE:
      return { type: "firmwareQuery" };
    case CAPABILITY_QUERY:
      return { type: "capabilityQuery" };
    case ANALOG_MAPPING_QUERY:
      return { type: "analogMappingQuery" };
    case PIN_STATE_QUERY:
      if (data.length >= 1) return { type: "pinStateQuery", pin: data[0]! };
      break;
    case EXTENDED_ANALOG:
      if (data.length >= 2) return { type: "extendedAnalog", pin: data[0]!, value: unpack7(data.slice(1)) };
      break;
    case SAMPLING_INTERVAL:
      if (data.length >= 2) return { type: "samplingInterval", milliseconds: unpack14(data[0]!, data[1]!) };
      break;
    case SERVO_CONFIG:
      if (data.length >= 5) return { type: "servoConfig", pin: data[0]!, minMicros: unpack14(data[1]!, data[2]!), maxMicros: unpack14(data[3]!, data[4]!) };
      break;
    case I2C_CONFIG:
      return { type: "i2cConfig", delayMicros: data.length >= 2 ? unpack14(data[0]!, data[1]!) : 0 };
  }
  return { type: "unknownSysex", command, data };
}

function decodeBoardSysex(command: number, data: number[]): BoardMessage {
  switch (command) {
    case REPORT_FIRMWARE:
      if (data.length >= 2) return { type: "firmware", major: data[0]!, minor: data[1]!, name: unpackString(data.slice(2)) };
      break;
    case CAPABILITY_RESPONSE: {
      const pins: PinCapability[][] = [];
      let modes: PinCapability[] = [];
      for (let i = 0; i < data.length; ) {
        if (data[i] === 0x7f) {
          pins.push(modes);
          modes = [];
          i += 1;
        } else {
          modes.push({ mode: data[i]!, resolutionBits: data[i + 1] ?? 0 });
          i += 2;
        }
      }
      return { type: "capabilities", pins };
    }
    case ANALOG_MAPPING_RESPONSE:
      return { type: "analogMapping", channels: data.map((c) => (c === NO_ANALOG_CHANNEL ? null : c)) };
    case PIN_STATE_RESPONSE:
      if (data.length >= 3) return { type: "pinState", pin: data[0]!, mode: data[1]!, state: unpack7(data.slice(2)) };
      break;
    case STRING_DATA:
      return { type: "string", text: unpackString(data) };
  }
  return { type: "unknownSysex", command, data };
}
