// A line transport over any byte stream (serialport, pty, in-process pair, fault link): lines in, lines out.
import type { Duplex } from "node:stream";
import { ReadlineParser } from "@serialport/parser-readline";
import { LINE_END } from "../../protocol/serial-line/frame.js";

export interface LineLinkEvents {
  onLine(line: string): void;
  /** The stream closed or failed without close() being called; `disconnected` when the device went away. */
  onClose(reason: { error?: Error; disconnected: boolean }): void;
}

export class LineLink {
  private readonly parser: ReadlineParser;
  private closing = false;
  private ended = false;
  private outgoing = "";
  private flushSoon: NodeJS.Immediate | null = null;

  constructor(readonly stream: Duplex, private readonly events: LineLinkEvents) {
    // latin1: one char per byte, so a damaged byte stays one char and the CRC sees exactly what arrived.
    this.parser = new ReadlineParser({ delimiter: "\n", encoding: "latin1" });
    this.parser.on("data", (line: string) => {
      if (!this.ended && line !== "" && line !== "\r") this.events.onLine(line); // empty: the second break of a line end
    });
    stream.pipe(this.parser);
    stream.on("close", this.onStreamClose);
    stream.on("error", this.onStreamError);
    stream.on("end", this.onStreamEnd);
  }

  get open(): boolean {
    return !this.ended;
  }

  /**
   * Writes lines (each ended by LINE_END). Lines written in one turn of the event loop (the resends that one chunk of
   * answers asks for, the requests its answers release) go out as one chunk: one system call, and one wake-up of the
   * device side, instead of one per line.
   */
  write(lines: string[]): void {
    if (this.ended || lines.length === 0) return;
    for (const l of lines) this.outgoing += l + LINE_END;
    this.flushSoon ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushSoon = null;
    if (this.ended || this.outgoing === "") return;
    this.stream.write(this.outgoing, "latin1");
    this.outgoing = "";
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.flush();
    this.closing = true;
    this.detach();
    // A serial port must be closed, not only destroyed: SerialPort has no _destroy, so destroy() leaves the fd open
    // and a read waiting on its poller, which keeps the process alive (spinning) after the run has ended.
    const port = this.stream as Duplex & { isOpen?: boolean; close?: (cb: (err?: Error | null) => void) => void };
    if (port.isOpen === true && typeof port.close === "function") {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1000);
        t.unref();
        port.close!(() => resolve());
      });
    }
    await new Promise<void>((resolve) => {
      if (this.stream.destroyed) return resolve();
      this.stream.once("close", () => resolve());
      const t = setTimeout(resolve, 1000);
      t.unref();
      this.stream.destroy();
    });
  }

  private readonly onStreamClose = (err?: unknown) => this.lost(err instanceof Error ? err : undefined);
  private readonly onStreamError = (err: Error) => this.lost(err);
  private readonly onStreamEnd = () => this.lost(undefined);

  private lost(error: Error | undefined): void {
    if (this.ended) return;
    this.detach();
    if (this.closing) return;
    const disconnected = Boolean((error as { disconnected?: boolean } | undefined)?.disconnected) || error === undefined;
    this.events.onClose({ error, disconnected });
    if (!this.stream.destroyed) this.stream.destroy();
  }

  private detach(): void {
    this.ended = true;
    if (this.flushSoon) clearImmediate(this.flushSoon);
    this.flushSoon = null;
    this.outgoing = "";
    this.stream.unpipe(this.parser);
    this.stream.off("close", this.onStreamClose);
    this.stream.off("error", this.onStreamError);
    this.stream.off("end", this.onStreamEnd);
    this.stream.on("error", () => {}); // late errors of a stream we gave up on
  }
}
