// Opens the backend a device URI names. The one place that knows every backend; each loads lazily.
import type { Crossbar } from "../hal/crossbar.js";
import { parseDeviceUri, type DeviceUri } from "../hal/uri.js";

export const DEFAULT_DEVICE_URI = "sim:";

/** What a caller may hear from the backend while it runs (a serial link's reconnects and refusals). */
export interface OpenCrossbarOptions {
  log?: (message: string) => void;
  /** Temperature of a simulated array, kelvin (its Johnson–Nyquist read noise); hardware ignores it. */
  temperatureKelvin?: number;
}

export async function openCrossbar(uriText: string = DEFAULT_DEVICE_URI, options: OpenCrossbarOptions = {}): Promise<Crossbar> {
  const uri: DeviceUri = parseDeviceUri(uriText);
  switch (uri.scheme) {
    case "sim":
      return (await import("../../sim/crossbar/open.js")).openSimCrossbar(uri, options.temperatureKelvin);
    case "twin":
      return (await import("../../calibration/twin.js")).openTwin(uri);
    case "serial":
      return (await import("../../drivers/serial-crossbar/open.js")).openSerialCrossbar(uri, options);
    case "firmata":
      return (await import("../../drivers/firmata-board/open.js")).openFirmataBoard(uri);
  }
}
