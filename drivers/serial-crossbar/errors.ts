// Errors the serial driver reports: each message is one line saying what happened and what to do.

/** The device refused a request (an ERR reply that consumed it: SYNTAX, UNKNOWN, LIMIT, FAULT, REUSED). */
export class DeviceRefusedError extends Error {
  constructor(readonly code: string, readonly command: string, detail: string) {
    super(`device refused ${command}: ERR ${code} ${detail}`);
    this.name = "DeviceRefusedError";
  }
}

/** The link or the device failed in a way the driver could not recover from. */
export class SerialLinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SerialLinkError";
  }
}

/** The device was reset while a pulse request was outstanding: whether it was applied is unknown. */
export class DeviceResetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeviceResetError";
  }
}

/** After a reconnect or resync the port answers as a different device: the driver refuses to go on. */
export class DeviceMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeviceMismatchError";
  }
}
