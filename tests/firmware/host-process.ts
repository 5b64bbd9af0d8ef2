// Test support for the firmware's host build: build it, start it on its own pty, and talk
// PROTOCOL.md lines to it (framed here with an independent CRC, not protocol/serial-line's codec).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { SerialPort } from "serialport";
import { ReadlineParser } from "@serialport/parser-readline";

export const FIRMWARE_DIR = "firmware";
export const HOST_BINARY = `${FIRMWARE_DIR}/build/host/mhil-fw`;

/** Runs `make -C firmware TARGET…`; returns stdout+stderr, throws with them on failure. */
export function make(targets: string[], env: Record<string, string> = {}): string {
  const r = spawnSync("make", ["-s", "-C", FIRMWARE_DIR, ...targets], { encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 16 << 20 });
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.status !== 0) throw new Error(`make ${targets.join(" ")} exited ${r.status}:\n${out}`);
  return out;
}

/** CRC-32C (PROTOCOL.md §1), bit by bit: independent of protocol/serial-line's table-driven one. */
export function crc32c(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc ^= text.charCodeAt(i);
    for (let b = 0; b < 8; b++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** "BODY" → "BODY *CRC". */
export function framed(body: string): string {
  return `${body} *${crc32c(`${body} `).toString(16).toUpperCase().padStart(8, "0")}`;
}

export function crcValid(line: string): boolean {
  const m = /^(.* )\*([0-9A-F]{8})$/.exec(line);
  return m !== null && crc32c(m[1]!) === parseInt(m[2]!, 16);
}

export interface FirmwareHost {
  path: string;
  process: ChildProcess;
  /** Every line the firmware wrote to stderr so far. */
  log: string[];
  waitForLog(pattern: RegExp, count?: number, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Spawns a firmware process that opens a pty itself and prints its path on stdout (matched by `ptyLine`,
 * path in group 1); collects its stderr lines. Resolves once the path is printed.
 */
async function spawnOnPty(command: string, args: string[], ptyLine: RegExp): Promise<FirmwareHost> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  let stderrRest = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    stderrRest += chunk;
    const parts = stderrRest.split("\n");
    stderrRest = parts.pop()!;
    log.push(...parts);
  });
  const path = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      out += chunk;
      const m = ptyLine.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`${command} exited ${code} before printing its pty: ${log.join("\n")}`)));
    child.once("error", reject);
  });
  return {
    path,
    process: child,
    log,
    async waitForLog(pattern, count = 1, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hits = log.filter((l) => pattern.test(l));
        if (hits.length >= count) return hits[count - 1]!;
        if (Date.now() > deadline) throw new Error(`no ${count}× ${pattern} in the firmware log:\n${log.join("\n")}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Starts the host build with --pty; resolves once it has printed its pty path. */
export function startFirmwareHost(args: string[] = []): Promise<FirmwareHost> {
  return spawnOnPty(HOST_BINARY, ["--pty", ...args], /^pty: (\S+)$/m);
}

/** A line-at-a-time client on the pty: send framed bodies, read reply lines in order. */
export class LineClient {
  private lines: string[] = [];
  private waiters: Array<(l: string) => void> = [];
  private constructor(private readonly port: SerialPort) {
    const parser = port.pipe(new ReadlineParser({ delimiter: "\n" }));
    parser.on("data", (l: string) => {
      const w = this.waiters.shift();
      if (w) w(l);
      else this.lines.push(l);
    });
  }

  static async open(path: string): Promise<LineClient> {
    const port = await new Promise<SerialPort>((resolve, reject) => {
      // No exclusive lock: a test may look at the firmware beside (or after) the driver's own port.
      const p = new SerialPort({ path, baudRate: 115200, lock: false }, (err) => (err ? reject(err) : resolve(p)));
    });
    return new LineClient(port);
  }

  sendRaw(bytes: string): void {
    this.port.write(bytes);
  }

  next(timeoutMs = 10_000): Promise<string> {
    const l = this.lines.shift();
    if (l !== undefined) return Promise.resolve(l);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("no reply line from the firmware")), timeoutMs);
      this.waiters.push((line) => {
        clearTimeout(t);
        resolve(line);
      });
    });
  }

  /**
   * Sends one framed request and returns the next line with the request's SEQ that is not the BOOT banner (a stray
   * line with another SEQ, e.g. a NAK of bytes that reached a board still booting, answers something else).
   */
  async ask(body: string): Promise<string> {
    this.sendRaw(`${framed(body)}\n`);
    const seq = body.slice(0, 5);
    for (;;) {
      const l = await this.next();
      if (!/^0000 BOOT /.test(l) && l.startsWith(seq)) return l;
    }
  }

  /** `0000 ID` until the board answers it (a board just started may lose the first bytes). */
  async identify(): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const l = await this.ask("0000 ID");
      if (/^0000 OK ID /.test(l) || attempt >= 20) return l;
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.port.close(() => resolve()));
  }
}

export const SIMAVR_HARNESS = `${FIRMWARE_DIR}/build/simavr/mhil-avr-uart`;
export const AVR_IMAGE = `${FIRMWARE_DIR}/build/avr/mhil-fw.elf`;

/**
 * Starts the AVR image under simavr (firmware/test/simavr_uart.c, `make simavr`), its analog front end
 * simulated; resolves with the pty its USART0 is on. `args` go to the harness (e.g. --log-dac, whose
 * lines land in `log`).
 */
export function startSimulatedAvr(args: string[] = []): Promise<FirmwareHost> {
  return spawnOnPty(SIMAVR_HARNESS, [...args, AVR_IMAGE], /^PTY (\S+)$/m);
}
