// Serves the firmware twin on a pseudo-terminal made by socat, so a host opens it exactly as it opens a
// USB crossbar controller: `serial:/dev/pts/N`. socat bridges the pty to its stdin/stdout, which the twin serves.
import { spawn } from "node:child_process";
import { Duplex } from "node:stream";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import type { SimulatedCrossbar } from "../../sim/crossbar/simulated-crossbar.js";
import { FirmwareTwin, type FirmwareTwinOptions } from "./twin.js";
import { socatPtyPath } from "../pty/socat-pty.js";
import { serveFaultPty } from "../pty/fault-pty.js";

export interface ServeFirmwareTwinOptions extends FirmwareTwinOptions {
  /** The simulated device behind the twin, a sim: URI (default "sim:"). Ignored when `crossbar` is given. */
  device?: string;
  crossbar?: SimulatedCrossbar;
  log?: (line: string) => void;
  /**
   * Pace the bytes as a UART at this baud rate would (baud/10 bytes/s each way, 8N1), so a host sees a real
   * link's limit over the pty (a pty alone has none). Default: unpaced.
   */
  baud?: number;
}

export interface ServedFirmwareTwin {
  /** The pty a host opens, e.g. /dev/pts/4. */
  path: string;
  twin: FirmwareTwin;
  /** Stops serving: socat is killed and the pty disappears. Safe to call more than once. */
  close(): Promise<void>;
}

export async function serveFirmwareTwin(opts: ServeFirmwareTwinOptions = {}): Promise<ServedFirmwareTwin> {
  const crossbar = opts.crossbar ?? simCrossbarFromUri(parseDeviceUri(opts.device ?? "sim:"));
  const twin = await FirmwareTwin.create(crossbar, opts);
  if (opts.baud !== undefined) return servePaced(twin, crossbar, opts.baud, opts);
  // ignoreeof: a host closing the port (one mhil command, then the next) must not end the pty.
  const socat = spawn("socat", ["-d", "-d", "pty,raw,echo=0,ignoreeof", "STDIO"], { stdio: ["pipe", "pipe", "pipe"] });
  let path: string;
  try {
    path = await socatPtyPath(socat);
  } catch (e) {
    socat.kill("SIGKILL");
    throw e;
  }
  socat.stdin!.on("error", () => undefined); // EPIPE when socat goes first
  const stream = Duplex.from({ readable: socat.stdout!, writable: socat.stdin! });
  stream.on("error", () => undefined);
  twin.serve(stream);
  const id = await crossbar.identify();
  opts.log?.(`firmware twin: ${id.model} ${id.rows}×${id.cols}, serial ${opts.serial ?? id.serial}, serving on ${path}`);
  const exited = new Promise<void>((resolve) => (socat.exitCode !== null || socat.signalCode !== null ? resolve() : socat.once("exit", () => resolve())));
  let closed = false;
  return {
    path,
    twin,
    async close() {
      if (closed) return;
      closed = true;
      twin.stop();
      if (socat.exitCode === null && socat.signalCode === null) socat.kill("SIGTERM");
      await exited;
      opts.log?.("firmware twin: stopped");
    },
  };
}

/** The twin behind a pty whose bytes cross a link paced at `baud` (the fault pty with a throttle and no faults). */
async function servePaced(twin: FirmwareTwin, crossbar: SimulatedCrossbar, baud: number, opts: ServeFirmwareTwinOptions): Promise<ServedFirmwareTwin> {
  if (!Number.isFinite(baud) || baud <= 0) throw new RangeError(`baud ${baud}: must be a positive number`);
  const pty = await serveFaultPty((deviceEnd) => twin.serve(deviceEnd), { throttle: { baud, latencyMs: 0 } });
  const id = await crossbar.identify();
  opts.log?.(`firmware twin: ${id.model} ${id.rows}×${id.cols}, serial ${opts.serial ?? id.serial}, serving on ${pty.path} paced at ${baud} baud (${baud / 10} bytes/s each way)`);
  let closed = false;
  return {
    path: pty.path,
    twin,
    async close() {
      if (closed) return;
      closed = true;
      twin.stop();
      await pty.close();
      opts.log?.("firmware twin: stopped");
    },
  };
}
