// Opens the serial crossbar a `serial:` URI names: serial:/dev/ttyACM0?baud=115200&window=16&timeout=500&openTimeout=5.
//   timeout      longest retransmission timeout, ms (the timer adapts to the round trip below it)
//   retries      consecutive timeouts of one request before the device is identified again
//   reconnect    s to look for the device again after a disconnect
//   openTimeout  s that opening (ID and LIM, resent as needed) may take: raise it for a slow or very noisy link
import type { Crossbar } from "../../src/hal/crossbar.js";
import { DeviceUriError, intParam, type DeviceUri } from "../../src/hal/uri.js";
import { describePort, findPortAgain, openSerialPort, type PortIdentity } from "./port.js";
import { SerialCrossbar } from "./serial-crossbar.js";

export const DEFAULT_BAUD = 115200;
export const DEFAULT_WINDOW = 16;
const KNOWN_PARAMS = ["baud", "window", "timeout", "retries", "reconnect", "openTimeout"];

/** `log` also hears the driver's progress messages (link lost, device reset), e.g. to record them in a run. */
export async function openSerialCrossbar(uri: DeviceUri, options: { log?: (message: string) => void } = {}): Promise<Crossbar> {
  if (uri.target === "") throw new DeviceUriError(uri.text, "missing device path (serial:/dev/ttyACM0)");
  for (const k of Object.keys(uri.params)) {
    if (!KNOWN_PARAMS.includes(k)) throw new DeviceUriError(uri.text, `unknown parameter "${k}" (serial: takes ${KNOWN_PARAMS.join(", ")})`);
  }
  const baud = intParam(uri, "baud", DEFAULT_BAUD, 1);
  const window = intParam(uri, "window", DEFAULT_WINDOW, 1);
  const timeoutMs = intParam(uri, "timeout", 500, 1);
  const retries = intParam(uri, "retries", 10, 0);
  const reconnectSeconds = intParam(uri, "reconnect", 10, 0);
  const openTimeoutSeconds = intParam(uri, "openTimeout", 5, 1);
  let who: PortIdentity | null = null;
  return SerialCrossbar.open({
    label: `serial:${uri.target}`,
    window,
    timeoutSeconds: timeoutMs / 1000,
    retries,
    reconnectSeconds,
    openTimeoutSeconds,
    log: (m) => {
      process.stderr.write(`mhil: ${m}\n`);
      options.log?.(m);
    },
    connect: async () => {
      if (who === null) {
        const port = await openSerialPort(uri.target, baud);
        who = await describePort(uri.target);
        return port;
      }
      return openSerialPort(await findPortAgain(who), baud);
    },
  });
}
