// A virtual Arduino running StandardFirmata 2.5: answers the Firmata protocol and drives the analog board
// model from its pin writes. Transport-free: bytes in through receive(), bytes out through `send`.
//
// What it keeps of the real firmware (firmata/arduino examples/StandardFirmata/StandardFirmata.ino, Firmata.cpp):
// - at power-on it announces itself (Firmata.begin: the protocol version, then the firmware name and version),
//   then resets to its default pin configuration (systemResetCallback);
// - its serial link is a UART at the config's baud rate (uart.ts): every byte it sends takes 10 bit times,
//   and a write blocks the firmware while its 64-byte transmit buffer is full; host bytes arrive as fast as
//   the line brings them;
// - its loop: read the digital inputs, handle every host message that has arrived, then run at most one
//   sampling round, when `millis − previousMillis > samplingInterval`, advancing previousMillis by one interval:
//   a late loop catches the missed rounds up instead of drifting (as long as the line can carry them).
// Not modelled: the bootloader and blinkVersion's LED blinking before the announcement (about 2 s on a real
// board), analogRead's ~0.1 ms conversion time, the 64-byte receive buffer overflowing, I2C devices.
import type { BoardConfig } from "../../protocol/firmata/board-config.js";
import { encodeBoard, END_SYSEX, FirmataDecoder, PIN_MODE, PIN_STATE_RESPONSE, START_SYSEX, type HostMessage } from "../../protocol/firmata/codec.js";
import { AnalogBoard } from "./analog-board.js";
import { DEFAULT_TWIN_DEVICE, type TwinDeviceParams } from "./board-device.js";
import { FirmataPins } from "./firmata-pins.js";
import { analogMapping, capabilityReport, LAYOUTS, type PinLayout } from "./pin-layout.js";
import { REAL_TIME_CLOCK, type TwinClock } from "./twin-clock.js";
import { UartChannel } from "./uart.js";

/** REPORT_FIRMWARE's name: Firmata.setFirmwareVersion passes __FILE__, which the Arduino IDE names StandardFirmata.ino.cpp; ".cpp" is cut. */
export const TWIN_FIRMWARE_NAME = "StandardFirmata.ino";
/** FirmataConstants.h of Firmata 2.5: FIRMWARE_MAJOR/MINOR_VERSION and PROTOCOL_MAJOR/MINOR_VERSION. */
export const TWIN_FIRMWARE_VERSION = { major: 2, minor: 5 } as const;
export const TWIN_PROTOCOL_VERSION = { major: 2, minor: 5 } as const;
/** StandardFirmata's samplingInterval at boot, milliseconds, and its MINIMUM_SAMPLING_INTERVAL. */
const BOOT_SAMPLING_MS = 19;
const MIN_SAMPLING_MS = 1;
/** The AVR core's HardwareSerial transmit buffer (SERIAL_TX_BUFFER_SIZE on boards with ≥ 1 kB of RAM). */
const TX_BUFFER_BYTES = 64;

/** What crossed the twin's serial port, on its own clock: for tests and inspection. */
export type TwinWireEvent =
  /** A host message the firmware handled. */
  | { kind: "host"; message: HostMessage; seconds: number }
  /** Bytes the firmware wrote to its serial port (whole messages; they wait on the line). */
  | { kind: "written"; bytes: Uint8Array; seconds: number }
  /** Bytes through the line, handed to the host. */
  | { kind: "delivered"; bytes: Uint8Array; seconds: number };

export interface TwinBoardOptions {
  config: BoardConfig;
  seed: number;
  device?: TwinDeviceParams;
  /** Writes bytes to the host; returns false when the link is backed up (bytes are lost until drained(), as a USB-serial chip loses them). */
  send: (bytes: Uint8Array) => boolean;
  clock?: TwinClock;
  log?: (line: string) => void;
}

export class FirmataTwinBoard {
  readonly analog: AnalogBoard;
  readonly layout: PinLayout;
  readonly pins: FirmataPins;
  private readonly clock: TwinClock;
  private readonly decoder = new FirmataDecoder<HostMessage>("host-to-board");
  private readonly tx: UartChannel;
  private readonly rx: UartChannel;
  /** Host messages in, not yet handled, with when their last byte came in. */
  private readonly pendingHost: { message: HostMessage; at: number }[] = [];
  private readonly watchers = new Set<(e: TwinWireEvent) => void>();
  private readonly bootSeconds: number;
  private samplingMs = BOOT_SAMPLING_MS;
  private previousMillis = 0;
  /** Where the firmware's loop has got to on the clock. */
  private firmwareAt: number;
  /** The time of what the firmware is doing: a host message's effects, a round's samples, a write. */
  private at: number;
  private nextWake = Infinity;
  private cancelWake: (() => void) | null = null;
  private backedUp = false;
  private powered = true;

  constructor(private readonly opts: TwinBoardOptions) {
    this.clock = opts.clock ?? REAL_TIME_CLOCK;
    this.layout = LAYOUTS[opts.config.mcu];
    this.at = this.clock.now();
    this.bootSeconds = this.at;
    this.firmwareAt = this.at;
    this.tx = new UartChannel(opts.config.baudRate);
    this.rx = new UartChannel(opts.config.baudRate);
    this.analog = new AnalogBoard(opts.config, opts.device ?? DEFAULT_TWIN_DEVICE, opts.seed, this.at);
    const lines = [...opts.config.rowLines, ...opts.config.colLines];
    this.pins = new FirmataPins(this.layout, (pin) => 2 ** (lines.find((l) => l.pin === pin)?.resolutionBits ?? 8) - 1, {
      output: (pin, fraction) => {
        const line = this.analog.lineOfPin(pin);
        if (line) this.analog.drive(line.kind, line.index, fraction, this.at);
      },
      sendAnalog: (channel) => this.emit(encodeBoard.analog(channel, this.analogRead(channel))),
      sendDigitalPort: (port, mask) => this.emit(encodeBoard.digitalPort(port, mask)),
      sendString: (text) => this.emit(encodeBoard.string(text)),
    });
    // setup(): Firmata.begin announces the protocol version and the firmware, then systemResetCallback.
    this.emit(encodeBoard.version(TWIN_PROTOCOL_VERSION.major, TWIN_PROTOCOL_VERSION.minor));
    this.emit(encodeBoard.firmware(TWIN_FIRMWARE_VERSION.major, TWIN_FIRMWARE_VERSION.minor, TWIN_FIRMWARE_NAME));
    this.pins.reset();
  }

  /** Seconds on the twin's clock. */
  now(): number {
    return this.clock.now();
  }

  /** Bytes from the host: they reach the firmware as the line brings them. */
  receive(bytes: Uint8Array): void {
    if (!this.powered || bytes.length === 0) return;
    this.rx.write(Uint8Array.from(bytes), this.clock.now());
    this.wakeAt(Math.max(this.firmwareAt, this.rx.nextDoneAt()!));
  }

  /** The host side caught up: bytes reach it again. */
  drained(): void {
    this.backedUp = false;
  }

  /** Calls `listener` with what crosses the serial port; returns the unsubscribe. */
  watch(listener: (e: TwinWireEvent) => void): () => void {
    this.watchers.add(listener);
    return () => this.watchers.delete(listener);
  }

  /** USB unplugged: the board loses power, every line falls to 0 V, nothing more is sent. */
  powerOff(): void {
    this.powered = false;
    this.analog.powerOff(this.clock.now());
    this.tx.clear();
    this.rx.clear();
    this.stop();
  }

  /** Stops the twin's wake-ups (the twin is being put away). */
  stop(): void {
    this.cancelWake?.();
    this.cancelWake = null;
    this.nextWake = Infinity;
  }

  /** Line voltages now, rows then columns. */
  lineVolts(): number[] {
    return this.analog.lineVolts(this.clock.now());
  }

  // --- the firmware's loop --------------------------------------------------------------------

  /**
   * Runs the firmware up to now. Its loop runs continuously on a real board; here each thing it does happens at
   * its own time (a host message when its last byte is in, a round when it falls due, both no earlier than the
   * firmware is free of a blocking write), so a wake-up that comes late on a busy host changes nothing the host
   * can see but when the bytes reach it.
   */
  private step(): void {
    const now = this.clock.now();
    if (this.powered) {
      this.decodeArrived(now);
      this.runUntil(now);
    }
    this.deliver(now);
    if (this.powered) this.scheduleNext();
  }

  /** Host messages whose bytes are all in by `now`, each stamped with when its last byte came in. */
  private decodeArrived(now: number): void {
    for (let at = this.rx.nextByteAt(); at !== null && at <= now; at = this.rx.nextByteAt()) {
      for (const message of this.decoder.push([this.rx.takeByte()])) this.pendingHost.push({ message, at });
    }
  }

  private runUntil(now: number): void {
    for (;;) {
      // Serial.write blocks while the transmit buffer is full: nothing happens before it has room.
      const free = Math.max(this.firmwareAt, this.tx.freeDownTo(TX_BUFFER_BYTES));
      const next = this.pendingHost[0];
      const messageAt = next ? Math.max(free, next.at) : Infinity;
      const reporting = this.pins.reportedChannels().length > 0;
      const roundAt = reporting ? Math.max(free, this.roundDueAt()) : Infinity;
      const at = Math.min(messageAt, roundAt);
      if (at > now) break;
      this.firmwareAt = at;
      this.at = Math.max(at, this.analog.integratedTo);
      // One loop iteration handles the input that has arrived before it checks the timer.
      if (messageAt <= roundAt) {
        this.skipIdleRounds(at);
        this.handle(this.pendingHost.shift()!.message);
      } else {
        this.previousMillis += this.samplingMs;
        this.sampleRound();
      }
      // The next iteration starts by reading the digital inputs: only a host message changes them.
      this.pins.checkDigitalInputs();
    }
    if (this.pins.reportedChannels().length === 0) this.skipIdleRounds(now);
  }

  /**
   * StandardFirmata's timer: a round falls due at the first millisecond where millis − previousMillis >
   * samplingInterval, and previousMillis advances by one interval, so late rounds are caught up.
   */
  private roundDueAt(): number {
    return this.bootSeconds + (this.previousMillis + this.samplingMs + 1) / 1000;
  }

  /** Rounds with nothing to report send nothing: the timer passes them at once. */
  private skipIdleRounds(now: number): void {
    if (this.pins.reportedChannels().length > 0) return;
    const late = Math.floor((now - this.bootSeconds) * 1000 + 1e-9) - this.previousMillis - this.samplingMs;
    if (late > 0) this.previousMillis += this.samplingMs * Math.ceil(late / this.samplingMs);
  }

  private sampleRound(): void {
    const codes = this.analog.sample(this.at);
    const out: number[] = [];
    for (const ch of this.pins.reportedChannels()) out.push(...encodeBoard.analog(ch, codes.get(ch) ?? 0));
    this.emit(out);
  }

  private scheduleNext(): void {
    const times: number[] = [];
    const through = this.tx.nextDoneAt();
    if (through !== null) times.push(through);
    const free = Math.max(this.firmwareAt, this.tx.freeDownTo(TX_BUFFER_BYTES));
    const arriving = this.rx.nextDoneAt();
    if (arriving !== null) times.push(Math.max(free, arriving));
    if (this.pendingHost.length > 0) times.push(Math.max(free, this.pendingHost[0]!.at));
    if (this.pins.reportedChannels().length > 0) times.push(Math.max(free, this.roundDueAt()));
    if (times.length > 0) this.wakeAt(Math.min(...times));
  }

  private wakeAt(seconds: number): void {
    if (!this.powered || seconds >= this.nextWake) return;
    this.cancelWake?.();
    this.nextWake = seconds;
    this.cancelWake = this.clock.wakeAt(seconds, () => {
      this.nextWake = Infinity;
      this.cancelWake = null;
      this.step();
    });
  }

  private emit(bytes: number[]): void {
    if (!this.powered || bytes.length === 0) return;
    const b = Uint8Array.from(bytes);
    this.tx.write(b, this.at);
    for (const w of this.watchers) w({ kind: "written", bytes: b, seconds: this.at });
    this.wakeAt(this.tx.nextDoneAt()!);
  }

  private deliver(now: number): void {
    const bytes = this.tx.take(now);
    if (bytes.length === 0) return;
    if (!this.backedUp && !this.opts.send(bytes)) this.backedUp = true;
    for (const w of this.watchers) w({ kind: "delivered", bytes, seconds: now });
  }

  private analogRead(channel: number): number {
    return this.analog.sample(this.at).get(channel) ?? 0;
  }

  // --- the host's messages --------------------------------------------------------------------

  private handle(m: HostMessage): void {
    for (const w of this.watchers) w({ kind: "host", message: m, seconds: this.at });
    const pins = this.pins;
    switch (m.type) {
      case "versionQuery":
        return this.emit(encodeBoard.version(TWIN_PROTOCOL_VERSION.major, TWIN_PROTOCOL_VERSION.minor));
      case "firmwareQuery":
        return this.emit(encodeBoard.firmware(TWIN_FIRMWARE_VERSION.major, TWIN_FIRMWARE_VERSION.minor, TWIN_FIRMWARE_NAME));
      case "capabilityQuery":
        return this.emit(encodeBoard.capabilities(capabilityReport(this.layout)));
      case "analogMappingQuery":
        return this.emit(encodeBoard.analogMapping(analogMapping(this.layout)));
      case "pinStateQuery":
        // A pin the board does not have is answered with its number alone.
        if (m.pin >= this.layout.pinCount) return this.emit([START_SYSEX, PIN_STATE_RESPONSE, m.pin, END_SYSEX]);
        return this.emit(encodeBoard.pinState(m.pin, pins.modes[m.pin]!, pins.states[m.pin]!));
      case "setPinMode":
        return pins.setMode(m.pin, m.mode);
      case "analogWrite":
      case "extendedAnalog":
        return pins.analogWrite(m.pin, m.value);
      case "digitalPort":
        return pins.writePort(m.port, m.mask);
      case "setDigitalPinValue":
        return pins.setPinValue(m.pin, m.value);
      case "reportAnalog":
        return pins.reportAnalog(m.channel, m.enable);
      case "reportDigital":
        return pins.reportDigital(m.port, m.enable);
      case "samplingInterval":
        this.samplingMs = Math.max(MIN_SAMPLING_MS, m.milliseconds);
        return;
      case "servoConfig":
        return pins.configureServo(m.pin, m.minMicros, m.maxMicros);
      case "i2cConfig":
        // enableI2CPins: the I2C pins become I2C pins (no device answers on the twin's bus).
        for (const p of this.layout.i2cPins) pins.setMode(p, PIN_MODE.I2C);
        return;
      case "systemReset":
        return pins.reset();
      case "unknownSysex":
        this.opts.log?.(`firmata twin: ignored sysex 0x${m.command.toString(16)}`);
        return;
    }
  }
}
