// The link to the board: a serialport 13 port, wrapped in firmata-io's Firmata, handed to johnny-five.
// Nothing here loads the `firmata` package or serialport 8: johnny-five is given a ready io instance.
import { UserError } from "../../src/hal/user-error.js";
import { SerialPort } from "serialport";
import firmataIo, { type Firmata, type FirmataTransport } from "firmata-io";
import five from "johnny-five";

/** The link to the board broke (unplugged, port closed) or the board stopped answering. */
export class DeviceLinkError extends UserError {
  constructor(message: string) {
    super(message, 1);
  }
}

export interface FirmataLink {
  io: Firmata;
  board: InstanceType<typeof five.Board>;
  transport: FirmataTransport;
  /** Where the link goes, for messages (a device path). */
  path: string;
}

/** Opens a serial device (a USB Arduino or a pty) at `baudRate`; a failure names the path. */
export async function openSerialTransport(path: string, baudRate: number): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) =>
    port.open((err) => (err ? reject(new DeviceLinkError(`firmata: cannot open ${path} at ${baudRate} baud: ${err.message}`)) : resolve())),
  );
  // Drop whatever the board sent before we were listening.
  await new Promise<void>((resolve) => port.flush(() => resolve()));
  return port;
}

/**
 * Runs the Firmata handshake over `transport` (version, firmware, capabilities, analog mapping) and hands
 * the ready io to johnny-five. A real Arduino resets when its port opens and announces itself; a board that
 * was already running does not, so the version is asked for until it answers or `timeoutSeconds` pass.
 */
export async function connectFirmata(transport: FirmataTransport, path: string, timeoutSeconds: number): Promise<FirmataLink> {
  const io = new firmataIo.Firmata(transport, { reportVersionTimeout: 200 });
  // After the handshake errors surface through our own listeners on the transport; keep Node from throwing.
  io.on("error", () => undefined);
  let retry: NodeJS.Timeout | undefined;
  let timer: NodeJS.Timeout | undefined;
  let onClose: (() => void) | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      io.once("ready", () => resolve());
      onClose = () => reject(new DeviceLinkError(`firmata: ${path} closed during the handshake`));
      transport.once("close", onClose);
      timer = setTimeout(
        () => reject(new DeviceLinkError(`firmata: no Firmata answer from ${path} within ${timeoutSeconds} s (is StandardFirmata flashed, and the baud rate right?)`)),
        timeoutSeconds * 1000,
      );
      retry = setInterval(() => {
        // REPORT_VERSION and QUERY_FIRMWARE (0xF9; 0xF0 0x79 0xF7), written raw to add no listeners.
        if (!io.versionReceived) transport.write(Buffer.from([0xf9, 0xf0, 0x79, 0xf7]));
      }, 500);
    });
  } finally {
    clearInterval(retry);
    clearTimeout(timer);
    if (onClose) transport.off("close", onClose);
  }
  // The io is ready, so johnny-five emits connect and ready on the next ticks without a 10 s timer.
  const board = new five.Board({ io, repl: false, debug: false, sigint: false });
  board.on("error", () => undefined);
  await new Promise<void>((resolve) => board.once("ready", () => resolve()));
  return { io, board, transport, path };
}
