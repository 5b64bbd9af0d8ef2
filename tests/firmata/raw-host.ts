// A bare Firmata host on a serial port (serialport 13 and the codec, no firmata-io): it sends the bytes a test
// writes and decodes what the board sends, so a test sees the board's own replies byte for byte.
import { SerialPort } from "serialport";
import { FirmataDecoder, type BoardMessage } from "../../protocol/firmata/codec.js";

export class RawFirmataHost {
  /** Every message received, in order. */
  readonly messages: BoardMessage[] = [];
  /** Bytes received so far. */
  bytes = 0;
  private readonly decoder = new FirmataDecoder<BoardMessage>("board-to-host");
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly port: SerialPort) {
    port.on("data", (chunk: Buffer) => {
      this.bytes += chunk.length;
      this.messages.push(...this.decoder.push(chunk));
      for (const w of [...this.waiters]) w();
    });
  }

  /** Opens `path`; `flush` drops what the board sent before (as the driver does). */
  static async open(path: string, baudRate: number, flush = true): Promise<RawFirmataHost> {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    if (flush) await new Promise<void>((resolve) => port.flush(() => resolve()));
    return new RawFirmataHost(port);
  }

  async write(bytes: readonly number[]): Promise<void> {
    await new Promise<void>((resolve, reject) => this.port.write(Buffer.from(bytes), (e) => (e ? reject(e) : resolve())));
    await new Promise<void>((resolve) => this.port.drain(() => resolve()));
  }

  /** Waits until `ready()` holds, checked on every arrival (a broken board fails the test after 30 s). */
  until(ready: () => boolean, what: string): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${what} from the board within 30 s`));
      }, 30_000);
      const check = () => {
        if (!ready()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  /** Sends `bytes` and waits for the first message after them that `matches`. */
  async ask<T extends BoardMessage>(bytes: readonly number[], matches: (m: BoardMessage) => m is T, what: string): Promise<T> {
    const from = this.messages.length;
    await this.write(bytes);
    await this.until(() => this.messages.slice(from).some(matches), what);
    return this.messages.slice(from).find(matches)!;
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }
}
