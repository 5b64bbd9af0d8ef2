// Checks the board config against the board's own capability report before any pin is touched.
import type { Firmata } from "firmata-io";
import type { BoardConfig } from "../../protocol/firmata/board-config.js";
import { DeviceLinkError } from "./link.js";

/** Firmata's PWM pin mode. */
export const PWM_MODE = 3;

/** Throws naming the config field when a line pin has no PWM or a device's analog input does not exist. */
export function checkPins(io: Firmata, config: BoardConfig, path: string): void {
  const lines = [...config.rowLines.map((l, i) => [l, `rowLines.${i}.pin`] as const), ...config.colLines.map((l, i) => [l, `colLines.${i}.pin`] as const)];
  for (const [l, at] of lines) {
    const pin = io.pins[l.pin];
    if (!pin || !pin.supportedModes.includes(PWM_MODE)) {
      throw new DeviceLinkError(`board config ${at}: pin ${l.pin} is not a PWM output on the board at ${path} (its capability report says so)`);
    }
  }
  config.devices.forEach((d, i) => {
    if (io.analogPins[d.analogChannel] === undefined) {
      throw new DeviceLinkError(`board config devices.${i}.analogChannel: the board at ${path} has no analog input A${d.analogChannel}`);
    }
  });
}
