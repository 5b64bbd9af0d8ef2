// Errors the serial driver reports: each message is one line saying what happened and what to do.
import { UserError } from "../../src/hal/user-error.js";

/** The device refused a request (an ERR reply that consumed it: SYNTAX, UNKNOWN, LIMIT, FAULT, REUSED). */
export class DeviceRefusedError extends UserError {
  constructor(readonly code: string, readonly command: string, detail: string) {
    super(`device refused ${command}: ERR ${code} ${detail}`, 1);
  }
}

/** The link or the device failed in a way the driver could not recover from. */
export class SerialLinkError extends UserError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** The device was reset while a pulse request was outstanding: whether it was applied is unknown. */
export class DeviceResetError extends UserError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** After a reconnect or resync the port answers as a different device: the driver refuses to go on. */
export class DeviceMismatchError extends UserError {
  constructor(message: string) {
    super(message, 1);
  }
}
