// The serial tests' rig: a firmware twin of a seeded simulated device on an in-process link with the driver opened
// over it, both closed after each test; and RewritingEnd, which stands at the twin's end of the link and rewrites
// the lines that cross it (one lost, one damaged, every answer damaged for a while).
import { Duplex } from "node:stream";
import { afterEach } from "vitest";
import { LINE_END } from "../../protocol/serial-line/frame.js";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import { FirmwareTwin, type FirmwareTwinOptions } from "../../emulators/firmware-twin/twin.js";
import { createLink, type Link } from "../../emulators/link/link.js";
import { SerialCrossbar, type SerialCrossbarOptions } from "../../drivers/serial-crossbar/serial-crossbar.js";

export interface TwinLink {
  twin: FirmwareTwin;
  link: Link;
  serial: SerialCrossbar;
}

type DriverOptions = Omit<SerialCrossbarOptions, "connect" | "label">;

/** Opens twins of `uri` on clean links for the tests of one file (call at its top level); each is closed after its test. */
export function twinLinks(uri: string): (twin?: FirmwareTwinOptions, driver?: DriverOptions) => Promise<TwinLink> {
  const opened: SerialCrossbar[] = [];
  const twins: FirmwareTwin[] = [];
  afterEach(async () => {
    for (const c of opened.splice(0)) await c.close().catch(() => undefined);
    for (const t of twins.splice(0)) t.stop();
  });
  return async (twinOptions = {}, driver = {}) => {
    const twin = await FirmwareTwin.create(simCrossbarFromUri(parseDeviceUri(uri)), twinOptions);
    twins.push(twin);
    const link = createLink();
    twin.serve(link.device);
    const serial = await SerialCrossbar.overStream(link.host, driver);
    opened.push(serial);
    return { twin, link, serial };
  };
}

export interface LineRewrites {
  /** Each host line on its way to the twin (the empty text after a chunk's last line end too): its new text, or null to lose it. */
  toDevice?: (line: string) => string | null;
  /** Each line of the twin's answers on its way to the host, likewise. */
  toHost?: (line: string) => string;
}

/** The twin's end of a link (serve the twin with it) with the lines crossing it rewritten. */
export class RewritingEnd extends Duplex {
  constructor(private readonly inner: Duplex, private readonly rewrite: LineRewrites) {
    super();
    inner.on("data", (c: Buffer) => this.push(rewrite.toDevice ? rewriteLines(c, rewrite.toDevice) : c));
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.inner.write(this.rewrite.toHost ? rewriteLines(chunk, this.rewrite.toHost) : chunk);
    done();
  }
}

function rewriteLines(chunk: Buffer, rewrite: (line: string) => string | null): Buffer {
  const kept: string[] = [];
  for (const line of chunk.toString("latin1").split(LINE_END)) {
    const now = rewrite(line);
    if (now !== null) kept.push(now);
  }
  return Buffer.from(kept.join(LINE_END), "latin1");
}
