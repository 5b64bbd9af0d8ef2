// Opens the analog test board a `firmata:` URI names: firmata:/dev/ttyUSB0?board=path/to/board.json.
import type { Crossbar } from "../../src/hal/crossbar.js";
import { DeviceUriError, type DeviceUri } from "../../src/hal/uri.js";
import { DEFAULT_BOARD_CONFIG, loadBoardConfig, type BoardConfig } from "../../protocol/firmata/board-config.js";
import { FirmataBoard } from "./firmata-board.js";
import { connectFirmata, openSerialTransport } from "./link.js";

/** Opens the serial port named by the URI at the board's baud rate (57600 for StandardFirmata). */
export async function openFirmataBoard(uri: DeviceUri): Promise<Crossbar> {
  if (!uri.target) throw new DeviceUriError(uri.text, "firmata: needs a serial device path, e.g. firmata:/dev/ttyUSB0");
  for (const k of Object.keys(uri.params)) {
    if (k !== "board") throw new DeviceUriError(uri.text, `unknown parameter "${k}" (firmata: takes ?board=path/to/board.json)`);
  }
  const config: BoardConfig = uri.params.board ? loadBoardConfig(uri.params.board) : DEFAULT_BOARD_CONFIG;
  const port = await openSerialTransport(uri.target, config.baudRate);
  try {
    const link = await connectFirmata(port, uri.target, config.connectTimeoutSeconds);
    return await FirmataBoard.start(link, config);
  } catch (e) {
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    throw e;
  }
}
