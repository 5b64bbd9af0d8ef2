// A virtual Arduino running StandardFirmata: answers the Firmata protocol and drives the analog board
// model from its pin writes. Transport-free: bytes in through receive(), bytes out through `send`.
import type { BoardConfig } from "../../protocol/firmata/board-config.js";
import { AnalogBoard } from "./analog-board.js";
import { DEFAULT_TWIN_DEVICE, type TwinDeviceParams } from "./board-device.js";
import { encodeBoard, FirmataDecoder, PIN_MODE, type HostMessage, type PinCapability } from "../../protocol/firmata/codec.js";

export const TWIN_FIRMWARE_NAME = "StandardFirmata";
export const TWIN_FIRMWARE_VERSION = { major: 2, minor: 5 } as const;
export const TWIN_PROTOCOL_VERSION = { major: 2, minor: 5 } as const;

/** An Arduino's pins as StandardFirmata reports them. */
interface PinLayout {
  pinCount: number;
  pwmPins: number[];
  /** The pin of analog channel 0; channels follow consecutively. */
  firstAnalogPin: number;
  analogChannels: number;
  /** Analog-only pins (no digital modes), e.g. A6 and A7 on a Nano. */
  analogOnlyPins: number[];
}

const LAYOUTS: Record<BoardConfig["mcu"], PinLayout> = {
  uno: { pinCount: 20, pwmPins: [3, 5, 6, 9, 10, 11], firstAnalogPin: 14, analogChannels: 6, analogOnlyPins: [] },
  nano: { pinCount: 22, pwmPins: [3, 5, 6, 9, 10, 11], firstAnalogPin: 14, analogChannels: 8, analogOnlyPins: [20, 21] },
  mega: {
    pinCount: 70,
    pwmPins: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 44, 45, 46],
    firstAnalogPin: 54,
    analogChannels: 16,
    analogOnlyPins: [],
  },
};

export interface TwinBoardOptions {
  config: BoardConfig;
  seed: number;
  device?: TwinDeviceParams;
  /** Writes bytes to the host; returns false when the link is backed up (reports are skipped until drained()). */
  send: (bytes: Uint8Array) => boolean;
  /** Seconds on a monotonic clock. */
  clock?: () => number;
  log?: (line: string) => void;
}

export class FirmataTwinBoard {
  readonly analog: AnalogBoard;
  private readonly layout: PinLayout;
  private readonly decoder = new FirmataDecoder<HostMessage>("host-to-board");
  private readonly modes: number[];
  /** Last value written to each pin (PWM code or digital level): the pin "state" of PIN_STATE_RESPONSE. */
  private readonly values: number[];
  private readonly reporting = new Set<number>();
  private samplingMs = 19;
  private timer: NodeJS.Timeout | null = null;
  private backedUp = false;
  private powered = true;
  private readonly clock: () => number;

  constructor(private readonly opts: TwinBoardOptions) {
    this.layout = LAYOUTS[opts.config.mcu];
    this.clock = opts.clock ?? (() => performance.now() / 1000);
    this.analog = new AnalogBoard(opts.config, opts.device ?? DEFAULT_TWIN_DEVICE, opts.seed, this.clock());
    this.modes = Array.from({ length: this.layout.pinCount }, (_, p) => (this.analogChannelOf(p) !== null ? PIN_MODE.ANALOG : PIN_MODE.OUTPUT));
    this.values = new Array<number>(this.layout.pinCount).fill(0);
    this.schedule();
  }

  /** Bytes from the host. */
  receive(bytes: Uint8Array): void {
    if (!this.powered) return;
    for (const m of this.decoder.push(bytes)) this.handle(m);
  }

  /** The link caught up: reports resume. */
  drained(): void {
    this.backedUp = false;
  }

  /** USB unplugged: the board loses power, every line falls to 0 V, nothing more is sent. */
  powerOff(): void {
    this.powered = false;
    this.analog.powerOff(this.clock());
    this.stop();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Line voltages now, rows then columns. */
  lineVolts(): number[] {
    return this.analog.lineVolts(this.clock());
  }

  private emit(bytes: number[]): void {
    if (!this.powered) return;
    if (!this.opts.send(Uint8Array.from(bytes))) this.backedUp = true;
  }

  private analogChannelOf(pin: number): number | null {
    const ch = pin - this.layout.firstAnalogPin;
    return ch >= 0 && ch < this.layout.analogChannels ? ch : null;
  }

  private capabilities(): PinCapability[][] {
    const { pinCount, pwmPins, analogOnlyPins } = this.layout;
    return Array.from({ length: pinCount }, (_, p) => {
      const modes: PinCapability[] = [];
      if (!analogOnlyPins.includes(p)) {
        modes.push({ mode: PIN_MODE.INPUT, resolutionBits: 1 }, { mode: PIN_MODE.OUTPUT, resolutionBits: 1 }, { mode: PIN_MODE.PULLUP, resolutionBits: 1 });
      }
      if (this.analogChannelOf(p) !== null) modes.push({ mode: PIN_MODE.ANALOG, resolutionBits: this.opts.config.adc.bits });
      if (pwmPins.includes(p)) modes.push({ mode: PIN_MODE.PWM, resolutionBits: this.pwmBits(p) });
      return modes;
    });
  }

  private pwmBits(pin: number): number {
    const line = [...this.opts.config.rowLines, ...this.opts.config.colLines].find((l) => l.pin === pin);
    return line?.resolutionBits ?? 8;
  }

  private handle(m: HostMessage): void {
    const now = this.clock();
    switch (m.type) {
      case "versionQuery":
        this.emit(encodeBoard.version(TWIN_PROTOCOL_VERSION.major, TWIN_PROTOCOL_VERSION.minor));
        return;
      case "firmwareQuery":
        this.emit(encodeBoard.firmware(TWIN_FIRMWARE_VERSION.major, TWIN_FIRMWARE_VERSION.minor, TWIN_FIRMWARE_NAME));
        return;
      case "capabilityQuery":
        this.emit(encodeBoard.capabilities(this.capabilities()));
        return;
      case "analogMappingQuery":
        this.emit(encodeBoard.analogMapping(Array.from({ length: this.layout.pinCount }, (_, p) => this.analogChannelOf(p))));
        return;
      case "pinStateQuery":
        if (m.pin < this.layout.pinCount) this.emit(encodeBoard.pinState(m.pin, this.modes[m.pin]!, this.values[m.pin]!));
        return;
      case "setPinMode":
        if (m.pin >= this.layout.pinCount) return;
        this.modes[m.pin] = m.mode;
        // StandardFirmata: entering PWM mode writes 0; an output keeps its latch.
        if (m.mode === PIN_MODE.PWM) this.write(m.pin, 0, now);
        return;
      case "analogWrite":
      case "extendedAnalog":
        // StandardFirmata's analogWrite only acts on a pin in PWM (or servo) mode.
        if (m.pin < this.layout.pinCount && this.modes[m.pin] === PIN_MODE.PWM) this.write(m.pin, m.value, now);
        return;
      case "digitalPort":
        for (let bit = 0; bit < 8; bit++) {
          const pin = m.port * 8 + bit;
          if (pin < this.layout.pinCount && this.modes[pin] === PIN_MODE.OUTPUT) this.writeDigital(pin, (m.mask >> bit) & 1, now);
        }
        return;
      case "setDigitalPinValue":
        if (m.pin < this.layout.pinCount && this.modes[m.pin] === PIN_MODE.OUTPUT) this.writeDigital(m.pin, m.value, now);
        return;
      case "reportAnalog":
        if (m.enable) {
          this.reporting.add(m.channel);
          // Firmata ≥ 2.4: enabling a channel reports its value at once.
          const code = this.analog.sample(now).get(m.channel) ?? 0;
          this.emit(encodeBoard.analog(m.channel, code));
        } else {
          this.reporting.delete(m.channel);
        }
        return;
      case "reportDigital":
        return; // no digital inputs are wired on this board
      case "samplingInterval":
        this.samplingMs = Math.max(1, m.milliseconds);
        this.schedule();
        return;
      case "systemReset":
        this.reporting.clear();
        this.samplingMs = 19;
        for (let p = 0; p < this.layout.pinCount; p++) {
          this.modes[p] = this.analogChannelOf(p) !== null ? PIN_MODE.ANALOG : PIN_MODE.OUTPUT;
          this.write(p, 0, now);
        }
        this.schedule();
        return;
      case "unknownSysex":
        this.opts.log?.(`firmata twin: ignored sysex 0x${m.command.toString(16)}`);
        return;
    }
  }

  private write(pin: number, value: number, now: number): void {
    this.values[pin] = value;
    const line = this.analog.lineOfPin(pin);
    if (line) this.analog.drive(line.kind, line.index, value / (2 ** this.pwmBits(pin) - 1), now);
  }

  private writeDigital(pin: number, level: number, now: number): void {
    this.values[pin] = level;
    const line = this.analog.lineOfPin(pin);
    if (line) this.analog.drive(line.kind, line.index, level ? 1 : 0, now);
  }

  private schedule(): void {
    this.stop();
    if (!this.powered) return;
    const tick = () => {
      this.timer = setTimeout(tick, this.samplingMs);
      if (this.reporting.size === 0 || this.backedUp) return;
      const codes = this.analog.sample(this.clock());
      const out: number[] = [];
      for (const ch of [...this.reporting].sort((a, b) => a - b)) out.push(...encodeBoard.analog(ch, codes.get(ch) ?? 0));
      this.emit(out);
    };
    this.timer = setTimeout(tick, this.samplingMs);
  }
}
