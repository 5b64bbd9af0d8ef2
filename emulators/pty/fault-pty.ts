// A pseudo-terminal whose bytes cross a seeded fault link (emulators/link/link.ts) before they reach a device: a host
// opens `serial:<path>` as it opens a USB board, and every byte it writes or reads may be corrupted, dropped or
// duplicated at the given rates. The device end is handed to `attach` (a twin's serve(), or a bridge to the
// firmware's own pty).
import { spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { Duplex } from "node:stream";
import { bridge } from "../link/bridge.js";
import { createLink, type Link, type LinkOptions } from "../link/link.js";
import { socatPtyPath } from "./socat-pty.js";

export interface FaultPty {
  /** The pty (or `linkPath`, a symlink to it) a host opens. */
  path: string;
  /** The fault link: its byte statistics per direction, and setFaults() to change the rates. */
  link: Link;
  /** Stops socat (the pty disappears) and the link. Safe to call more than once. */
  close(): Promise<void>;
}

export async function serveFaultPty(attach: (deviceEnd: Duplex) => void, options: LinkOptions & { linkPath?: string } = {}): Promise<FaultPty> {
  const link = createLink(options);
  if (options.linkPath) rmSync(options.linkPath, { force: true });
  const address = `pty,raw,echo=0,ignoreeof${options.linkPath ? `,link=${options.linkPath}` : ""}`;
  // ignoreeof: a host closing the port (one command, then the next) must not end the pty.
  const socat = spawn("socat", ["-d", "-d", address, "STDIO"], { stdio: ["pipe", "pipe", "pipe"] });
  let ptyPath: string;
  try {
    ptyPath = await socatPtyPath(socat);
  } catch (e) {
    socat.kill("SIGKILL");
    throw e;
  }
  // socat announces the pty before it makes the link= symlink: wait for the name.
  for (let i = 0; options.linkPath && i < 100 && !existsSync(options.linkPath); i++) await new Promise((r) => setTimeout(r, 20));
  socat.stdin!.on("error", () => undefined); // EPIPE when socat goes first
  const hostSide = Duplex.from({ readable: socat.stdout!, writable: socat.stdin! });
  hostSide.on("error", () => undefined);
  const unbridge = bridge(hostSide, link.host);
  attach(link.device);
  const exited = new Promise<void>((resolve) => (socat.exitCode !== null || socat.signalCode !== null ? resolve() : socat.once("exit", () => resolve())));
  let closed = false;
  return {
    path: options.linkPath ?? ptyPath,
    link,
    async close() {
      if (closed) return;
      closed = true;
      unbridge();
      link.cut();
      if (socat.exitCode === null && socat.signalCode === null) socat.kill("SIGTERM");
      await exited;
      if (options.linkPath) rmSync(options.linkPath, { force: true });
    },
  };
}
