// Serves the Firmata twin on a pseudo-terminal (socat), so a host opens it exactly as it opens a USB Arduino.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_BOARD_CONFIG, loadBoardConfig, type BoardConfig } from "../../protocol/firmata/board-config.js";
import type { TwinDeviceParams } from "./board-device.js";
import { FirmataTwinBoard } from "./twin-board.js";
import { socatPtyPath } from "../pty/socat-pty.js";

export interface FirmataTwinOptions {
  /** The board config the twin is wired by (default: the built-in 2 × 4 Nano board). */
  boardConfigPath?: string;
  seed?: number;
  device?: TwinDeviceParams;
  log: (line: string) => void;
}

export interface ServedFirmataTwin {
  /** The pty a host opens, e.g. /dev/pts/4. */
  path: string;
  /** The twin itself: its conductances, line voltages and true energy, for tests and inspection. */
  board: FirmataTwinBoard;
  config: BoardConfig;
  /** Pulls the USB cable: the pty closes under the host and the board loses power. */
  unplug(): Promise<void>;
  /** Stops serving (the pty disappears) and releases everything. Safe to call more than once. */
  close(): Promise<void>;
}

export async function serveFirmataTwin(opts: FirmataTwinOptions): Promise<ServedFirmataTwin> {
  const config = opts.boardConfigPath ? loadBoardConfig(opts.boardConfigPath) : DEFAULT_BOARD_CONFIG;
  const dir = mkdtempSync(join(tmpdir(), "mhil-firmata-twin-"));
  // ignoreeof: a host closing the port (mhil info, then mhil train) must not end the pty.
  const socat = spawn("socat", ["-d", "-d", `pty,raw,echo=0,link=${join(dir, "tty")},ignoreeof`, "STDIO"], { stdio: ["pipe", "pipe", "pipe"] });
  let path: string;
  try {
    path = await socatPtyPath(socat);
  } catch (e) {
    socat.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const board = new FirmataTwinBoard({
    config,
    seed: opts.seed ?? 1,
    ...(opts.device ? { device: opts.device } : {}),
    send: (bytes) => (socat.stdin.writable ? socat.stdin.write(bytes) : false),
    log: opts.log,
  });
  socat.stdin.on("drain", () => board.drained());
  socat.stdin.on("error", () => undefined); // EPIPE after unplug: the board is already off
  socat.stdout.on("data", (chunk: Buffer) => board.receive(chunk));
  opts.log(`firmata twin: ${config.model}, ${config.rows}×${config.cols} devices, serving on ${path}`);

  let closed = false;
  const exited = new Promise<void>((resolve) => (socat.exitCode !== null ? resolve() : socat.once("exit", () => resolve())));
  const unplug = async () => {
    board.powerOff();
    if (socat.exitCode === null) socat.kill("SIGTERM");
    await exited;
  };
  return {
    path,
    board,
    config,
    unplug,
    async close() {
      if (closed) return;
      closed = true;
      await unplug();
      board.stop();
      rmSync(dir, { recursive: true, force: true });
      opts.log("firmata twin: stopped");
    },
  };
}
