// Opening a serial port (serialport 13) with one clear line per failure, and finding the same device again
// after a disconnect by USB serial number or vendor:product id (a pty, which has neither, by its path).
import { UserError } from "../../src/hal/user-error.js";
import { realpathSync } from "node:fs";
import type { Duplex } from "node:stream";
import { SerialPort } from "serialport";

/** A port that cannot be opened: the message says why and how to fix it. */
export class SerialPortError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

/** How to find the device again: what SerialPort.list() said about it when it was first opened. */
export interface PortIdentity {
  path: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

export async function openSerialPort(path: string, baudRate: number): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate, autoOpen: false, lock: true });
  await new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(explainOpenError(path, err)) : resolve()));
  });
  return port;
}

export function explainOpenError(path: string, err: Error & { code?: string; errno?: number }): SerialPortError {
  const m = err.message ?? String(err);
  if (err.code === "ENOENT" || /ENOENT|No such file or directory/i.test(m)) {
    return new SerialPortError(`serial port ${path} does not exist (is the board plugged in? list ports with: ls /dev/ttyACM* /dev/ttyUSB*)`);
  }
  if (err.code === "EACCES" || /EACCES|Permission denied/i.test(m)) {
    return new SerialPortError(`permission denied opening ${path}: add yourself to the dialout group with \`sudo usermod -aG dialout $USER\`, then log out and in again`);
  }
  if (/Cannot lock port|Resource temporarily unavailable|EAGAIN|EBUSY/i.test(m)) {
    return new SerialPortError(`serial port ${path} is already in use by another program (close it, e.g. a serial monitor or another mhil run)`);
  }
  if (/ENOTTY|Inappropriate ioctl/i.test(m)) {
    return new SerialPortError(`${path} is not a serial port (a terminal device was expected)`);
  }
  return new SerialPortError(`cannot open serial port ${path}: ${m}`);
}

/** What the OS knows about the port at `path` (USB serial number, vendor and product id), if anything. */
export async function describePort(path: string): Promise<PortIdentity> {
  const real = safeRealpath(path);
  try {
    const ports = await SerialPort.list();
    const info = ports.find((p) => p.path === path || safeRealpath(p.path) === real);
    if (info) {
      return {
        path,
        ...(info.serialNumber ? { serialNumber: info.serialNumber } : {}),
        ...(info.vendorId ? { vendorId: info.vendorId } : {}),
        ...(info.productId ? { productId: info.productId } : {}),
      };
    }
  } catch {
    // no udev: fall back to the path
  }
  return { path };
}

/** Where the device is now: by USB serial number, else vendor:product id, else the same path (ptys). */
export async function findPortAgain(who: PortIdentity): Promise<string> {
  if (!who.serialNumber && !(who.vendorId && who.productId)) return who.path;
  const ports = await SerialPort.list();
  const bySerial = who.serialNumber ? ports.find((p) => p.serialNumber === who.serialNumber) : undefined;
  if (bySerial) return bySerial.path;
  const byIds = who.vendorId ? ports.filter((p) => p.vendorId === who.vendorId && p.productId === who.productId) : [];
  if (byIds.length === 1) return byIds[0]!.path;
  throw new SerialPortError(`device ${who.serialNumber ? `with USB serial ${who.serialNumber}` : `${who.vendorId}:${who.productId}`} is not connected`);
}

function safeRealpath(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

export type { Duplex };
