// An Arduino's pins as StandardFirmata 2.5 sees them, and the capability report it builds from them.
// Source: firmata/arduino (github.com/firmata/arduino), Boards.h (the IS_PIN_* macros of the ATmega328P and
// ATmega2560 sections) and examples/StandardFirmata/StandardFirmata.ino (the CAPABILITY_QUERY case).
// StandardFirmata does not include utility/SerialFirmata.h, so it has no serial feature: pins 0 and 1 (the
// USB serial link) are neither digital nor analog to it and report no modes at all.
import type { BoardConfig } from "../../protocol/firmata/board-config.js";
import { PIN_MODE, type PinCapability } from "../../protocol/firmata/codec.js";

/** Resolutions the capability report states (StandardFirmata.ino: INPUT/PULLUP/OUTPUT 1, SERVO 14, I2C 1). */
const DIGITAL_BITS = 1;
const SERVO_BITS = 14;
/** The ADC resolution the report states ("10 = 10-bit resolution", written as a constant on AVR). */
const ANALOG_REPORT_BITS = 10;
/** Boards.h DEFAULT_PWM_RESOLUTION on AVR boards. */
const PWM_REPORT_BITS = 8;

export interface PinLayout {
  pinCount: number;
  /** Pins StandardFirmata treats as digital (IS_PIN_DIGITAL). */
  digital: (pin: number) => boolean;
  /** Pins with PWM (digitalPinHasPWM). */
  pwmPins: readonly number[];
  /** The pin of analog channel 0 (channels follow consecutively) and how many there are. */
  firstAnalogPin: number;
  analogChannels: number;
  /** The I2C pins (IS_PIN_I2C: SDA, SCL). */
  i2cPins: readonly number[];
}

export const LAYOUTS: Record<BoardConfig["mcu"], PinLayout> = {
  // ATmega328P with 6 analog inputs: TOTAL_PINS 20, digital 2–19, analog 14–19, I2C on A4/A5.
  uno: { pinCount: 20, digital: (p) => p >= 2 && p <= 19, pwmPins: [3, 5, 6, 9, 10, 11], firstAnalogPin: 14, analogChannels: 6, i2cPins: [18, 19] },
  // ATmega328P with 8 analog inputs: TOTAL_PINS 22; A6 and A7 (pins 20, 21) are analog only.
  nano: { pinCount: 22, digital: (p) => p >= 2 && p <= 19, pwmPins: [3, 5, 6, 9, 10, 11], firstAnalogPin: 14, analogChannels: 8, i2cPins: [18, 19] },
  // ATmega2560: TOTAL_PINS 70, digital 2–69, analog 54–69, I2C on 20/21.
  mega: {
    pinCount: 70,
    digital: (p) => p >= 2 && p < 70,
    pwmPins: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 44, 45, 46],
    firstAnalogPin: 54,
    analogChannels: 16,
    i2cPins: [20, 21],
  },
};

/** The analog channel of `pin` (PIN_TO_ANALOG), or null when it has none. */
export function analogChannelOf(layout: PinLayout, pin: number): number | null {
  const ch = pin - layout.firstAnalogPin;
  return ch >= 0 && ch < layout.analogChannels ? ch : null;
}

/** The pin of analog channel `channel`. */
export function pinOfAnalogChannel(layout: PinLayout, channel: number): number {
  return layout.firstAnalogPin + channel;
}

/** Every pin's modes in StandardFirmata's order: INPUT, PULLUP, OUTPUT, ANALOG, PWM, SERVO, I2C. */
export function capabilityReport(layout: PinLayout): PinCapability[][] {
  return Array.from({ length: layout.pinCount }, (_, p) => {
    const modes: PinCapability[] = [];
    const digital = layout.digital(p);
    if (digital) {
      modes.push({ mode: PIN_MODE.INPUT, resolutionBits: DIGITAL_BITS }, { mode: PIN_MODE.PULLUP, resolutionBits: DIGITAL_BITS }, { mode: PIN_MODE.OUTPUT, resolutionBits: DIGITAL_BITS });
    }
    if (analogChannelOf(layout, p) !== null) modes.push({ mode: PIN_MODE.ANALOG, resolutionBits: ANALOG_REPORT_BITS });
    if (layout.pwmPins.includes(p)) modes.push({ mode: PIN_MODE.PWM, resolutionBits: PWM_REPORT_BITS });
    if (digital) modes.push({ mode: PIN_MODE.SERVO, resolutionBits: SERVO_BITS });
    if (layout.i2cPins.includes(p)) modes.push({ mode: PIN_MODE.I2C, resolutionBits: 1 });
    return modes;
  });
}

/** The ANALOG_MAPPING_RESPONSE: each pin's analog channel, or null (sent as 127). */
export function analogMapping(layout: PinLayout): (number | null)[] {
  return Array.from({ length: layout.pinCount }, (_, p) => analogChannelOf(layout, p));
}
