// StandardFirmata 2.5's pin callbacks on an AVR, as the twin runs them: pin modes, PWM and servo writes,
// digital port writes (a 1 written to an INPUT pin turns its pull-up on), the digital input ports it reports,
// and which analog channels it reports. Source: firmata/arduino examples/StandardFirmata/StandardFirmata.ino
// (setPinModeCallback, analogWriteCallback, digitalWriteCallback, setPinValueCallback, reportDigitalCallback,
// outputPort, systemResetCallback) and the Arduino AVR core (pinMode(INPUT) clears the pin's PORT bit, the
// pull-up; pinMode(OUTPUT) leaves it, so the pin drives that level).
import { PIN_MODE } from "../../protocol/firmata/codec.js";
import { analogChannelOf, type PinLayout } from "./pin-layout.js";

/** The Arduino Servo library on AVR (Servo.h): pulse limits and period, microseconds. */
const SERVO_MIN_MICROS = 544;
const SERVO_MAX_MICROS = 2400;
const SERVO_DEFAULT_MICROS = 1500;
const SERVO_PERIOD_MICROS = 20000;

/** What the pins ask of the rest of the board. */
export interface PinEffects {
  /** The pin's output changed: the line it drives moves to `fraction` of the supply. */
  output(pin: number, fraction: number): void;
  /** Send an analog channel's value now (enabling its report does, except during a reset). */
  sendAnalog(channel: number): void;
  sendDigitalPort(port: number, mask: number): void;
  sendString(text: string): void;
}

interface Servo {
  minMicros: number;
  maxMicros: number;
  micros: number;
}

export class FirmataPins {
  /** Firmata's pin modes (pinConfig); pins 0 and 1 stay INPUT (0), never configured. */
  readonly modes: number[];
  /** Firmata's pin states (pinState): what PIN_STATE_RESPONSE reports. */
  readonly states: number[];
  /** The AVR PORT bit of each pin: the level an output drives, the pull-up of an input. */
  private readonly latch: number[];
  private readonly pwm: number[];
  private readonly servos = new Map<number, Servo>();
  /** Bit per analog channel (analogInputsToReport). */
  private analogReporting = 0;
  readonly portCount: number;
  private readonly reportPorts: boolean[];
  /** Bit per pin in INPUT or PULLUP mode, per port (portConfigInputs). */
  private readonly inputBits: number[];
  private readonly previousPorts: number[];
  private resetting = false;

  constructor(
    private readonly layout: PinLayout,
    /** Full-scale PWM value of a pin (255 on an AVR). */
    private readonly pwmFullScale: (pin: number) => number,
    private readonly effects: PinEffects,
  ) {
    const n = layout.pinCount;
    this.modes = new Array<number>(n).fill(PIN_MODE.INPUT);
    this.states = new Array<number>(n).fill(0);
    this.latch = new Array<number>(n).fill(0);
    this.pwm = new Array<number>(n).fill(0);
    this.portCount = Math.ceil(n / 8);
    this.reportPorts = new Array<boolean>(this.portCount).fill(false);
    this.inputBits = new Array<number>(this.portCount).fill(0);
    this.previousPorts = new Array<number>(this.portCount).fill(0);
  }

  /** systemResetCallback: analog pins to ANALOG, digital pins to OUTPUT, nothing reported. */
  reset(): void {
    this.resetting = true;
    this.reportPorts.fill(false);
    this.inputBits.fill(0);
    this.previousPorts.fill(0);
    for (let p = 0; p < this.layout.pinCount; p++) {
      if (analogChannelOf(this.layout, p) !== null) this.setMode(p, PIN_MODE.ANALOG);
      else if (this.layout.digital(p)) this.setMode(p, PIN_MODE.OUTPUT);
    }
    this.servos.clear();
    this.analogReporting = 0;
    this.resetting = false;
  }

  /** setPinModeCallback. */
  setMode(pin: number, mode: number): void {
    if (pin >= this.layout.pinCount) return;
    const digital = this.layout.digital(pin);
    if (digital && mode !== PIN_MODE.SERVO) this.servos.delete(pin);
    const channel = analogChannelOf(this.layout, pin);
    if (channel !== null) this.reportAnalog(channel, mode === PIN_MODE.ANALOG);
    if (digital) {
      const bit = 1 << (pin & 7);
      const port = pin >> 3;
      if (mode === PIN_MODE.INPUT || mode === PIN_MODE.PULLUP) this.inputBits[port]! |= bit;
      else this.inputBits[port]! &= ~bit;
    }
    this.states[pin] = 0;
    switch (mode) {
      case PIN_MODE.ANALOG:
        if (channel === null) break;
        if (digital) this.latch[pin] = 0; // pinMode(INPUT): output driver and pull-up off
        this.modes[pin] = mode;
        break;
      case PIN_MODE.INPUT:
        if (!digital) break;
        this.latch[pin] = 0;
        this.modes[pin] = mode;
        break;
      case PIN_MODE.PULLUP:
        if (!digital) break;
        this.latch[pin] = 1;
        this.modes[pin] = mode;
        this.states[pin] = 1;
        break;
      case PIN_MODE.OUTPUT:
        if (!digital) break;
        if (this.modes[pin] === PIN_MODE.PWM) this.latch[pin] = 0; // digitalWrite(LOW) ends the PWM
        this.modes[pin] = mode;
        break;
      case PIN_MODE.PWM:
        if (!this.layout.pwmPins.includes(pin)) break;
        this.pwm[pin] = 0; // analogWrite(pin, 0)
        this.latch[pin] = 0;
        this.modes[pin] = mode;
        break;
      case PIN_MODE.SERVO:
        if (!digital) break;
        this.modes[pin] = mode;
        if (!this.servos.has(pin)) this.servos.set(pin, { minMicros: SERVO_MIN_MICROS, maxMicros: SERVO_MAX_MICROS, micros: SERVO_DEFAULT_MICROS });
        break;
      case PIN_MODE.I2C:
        if (this.layout.i2cPins.includes(pin)) this.modes[pin] = mode;
        break;
      case PIN_MODE.SERIAL:
        break; // StandardFirmata has no serial feature
      default:
        this.effects.sendString("Unknown pin mode");
    }
    this.drive(pin);
  }

  /** SERVO_CONFIG: (re)attaches a servo with its pulse limits, then sets SERVO mode. */
  configureServo(pin: number, minMicros: number, maxMicros: number): void {
    if (!this.layout.digital(pin)) return;
    this.servos.set(pin, { minMicros, maxMicros, micros: SERVO_DEFAULT_MICROS });
    this.setMode(pin, PIN_MODE.SERVO);
  }

  /** analogWriteCallback (ANALOG_MESSAGE and EXTENDED_ANALOG): acts on PWM and SERVO pins only. */
  analogWrite(pin: number, value: number): void {
    if (pin >= this.layout.pinCount) return;
    const mode = this.modes[pin];
    if (mode === PIN_MODE.SERVO) {
      const s = this.servos.get(pin);
      if (s) s.micros = servoMicros(s, value);
      this.states[pin] = value;
    } else if (mode === PIN_MODE.PWM) {
      this.pwm[pin] = value;
      this.states[pin] = value;
    } else {
      return;
    }
    this.drive(pin);
  }

  /** digitalWriteCallback: OUTPUT pins take the bit; a 1 on an INPUT pin turns its pull-up on (state 1). */
  writePort(port: number, mask: number): void {
    if (port >= this.portCount) return;
    for (let bit = 0; bit < 8; bit++) {
      const pin = port * 8 + bit;
      if (pin >= this.layout.pinCount || !this.layout.digital(pin)) continue;
      const mode = this.modes[pin];
      if (mode !== PIN_MODE.OUTPUT && mode !== PIN_MODE.INPUT) continue; // PWM, ANALOG, SERVO… untouched
      const value = (mask >> bit) & 1;
      if (mode === PIN_MODE.OUTPUT) this.latch[pin] = value;
      else if (value === 1 && this.states[pin] !== 1) this.latch[pin] = 1; // pinMode(INPUT_PULLUP)
      this.states[pin] = value;
      this.drive(pin);
    }
  }

  /** setPinValueCallback: OUTPUT pins only (it cannot turn a pull-up on). */
  setPinValue(pin: number, value: number): void {
    if (pin >= this.layout.pinCount || !this.layout.digital(pin) || this.modes[pin] !== PIN_MODE.OUTPUT) return;
    this.states[pin] = value;
    this.latch[pin] = value ? 1 : 0;
    this.drive(pin);
  }

  /** reportAnalogCallback: enabling a channel sends its value at once (not during a reset). */
  reportAnalog(channel: number, enable: boolean): void {
    if (channel >= this.layout.analogChannels) return;
    if (!enable) {
      this.analogReporting &= ~(1 << channel);
      return;
    }
    this.analogReporting |= 1 << channel;
    if (!this.resetting) this.effects.sendAnalog(channel);
  }

  /** The channels the sampling loop reports: enabled, on a pin in ANALOG mode, in pin order. */
  reportedChannels(): number[] {
    const out: number[] = [];
    for (let ch = 0; ch < this.layout.analogChannels; ch++) {
      if (this.analogReporting & (1 << ch) && this.modes[this.layout.firstAnalogPin + ch] === PIN_MODE.ANALOG) out.push(ch);
    }
    return out;
  }

  /** reportDigitalCallback: enabling a port sends its inputs at once. */
  reportDigital(port: number, enable: boolean): void {
    if (port >= this.portCount) return;
    this.reportPorts[port] = enable;
    if (enable) this.outputPort(port, true);
  }

  /** checkDigitalInputs: every reported port whose inputs changed is sent. */
  checkDigitalInputs(): void {
    for (let port = 0; port < this.portCount; port++) if (this.reportPorts[port]) this.outputPort(port, false);
  }

  private outputPort(port: number, force: boolean): void {
    const value = this.readPort(port) & this.inputBits[port]!;
    if (!force && this.previousPorts[port] === value) return;
    this.effects.sendDigitalPort(port, value);
    this.previousPorts[port] = value;
  }

  /**
   * The levels of a port's digital pins as inputs. Nothing outside the board drives the twin's digital pins:
   * an input reads its pull-up, 1 when it is on and 0 (a floating pin) when it is off; an output reads its level.
   */
  private readPort(port: number): number {
    let v = 0;
    for (let bit = 0; bit < 8; bit++) {
      const pin = port * 8 + bit;
      if (pin < this.layout.pinCount && this.layout.digital(pin) && this.latch[pin]) v |= 1 << bit;
    }
    return v;
  }

  /**
   * The fraction of the supply the pin drives onto its line: its level as an output, its PWM duty, its servo
   * pulse's duty. Any other mode leaves the line undriven; the twin holds it at 0 V (its RC capacitor
   * discharges through the devices), and a pull-up's ~35 kΩ current is not modelled.
   */
  private drive(pin: number): void {
    const mode = this.modes[pin];
    let fraction = 0;
    if (mode === PIN_MODE.OUTPUT) fraction = this.latch[pin]!;
    else if (mode === PIN_MODE.PWM) fraction = Math.min(1, this.pwm[pin]! / this.pwmFullScale(pin));
    else if (mode === PIN_MODE.SERVO) fraction = (this.servos.get(pin)?.micros ?? 0) / SERVO_PERIOD_MICROS;
    this.effects.output(pin, fraction);
  }
}

/** Servo::write: below 544 the value is an angle (0–180°) mapped onto the pulse limits, else microseconds; clamped. */
function servoMicros(s: Servo, value: number): number {
  let v = value;
  if (v < SERVO_MIN_MICROS) {
    const angle = Math.min(180, Math.max(0, v));
    v = Math.trunc((angle * (s.maxMicros - s.minMicros)) / 180) + s.minMicros;
  }
  return Math.min(s.maxMicros, Math.max(s.minMicros, v));
}
