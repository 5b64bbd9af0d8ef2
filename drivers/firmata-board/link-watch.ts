// Watches the link to the board: once it is lost (unplugged, port closed) every wait ends and every later
// call is refused with the same reason, which says whether the board is in its safe state.
import type { BoardConfig } from "../../protocol/firmata/board-config.js";
import { DeviceLinkError } from "./link.js";

/** How long an answer may be late before a write checks the link is still there. */
const PROBE_SECONDS = 0.25;

export class LinkWatch {
  /** Why the link was lost, once it was. */
  lost: DeviceLinkError | null = null;
  /** Set by the driver's own close(): a port that closes after it is not an unplug. */
  closed = false;
  private lostWaiters: ((e: DeviceLinkError) => void)[] = [];

  constructor(
    private readonly path: string,
    private readonly config: BoardConfig,
  ) {}

  /** The link went: records why and ends every wait with it. */
  linkLost(reason: string): void {
    if (this.lost || this.closed) return;
    const state = this.config.poweredFromUsb
      ? "the board is powered from USB, so it lost power and every line is at 0 V (its safe state)"
      : "the board has its own supply: its lines may still be driven, ground them by hand";
    this.lost = new DeviceLinkError(`firmata board on ${this.path} unplugged: ${reason}; ${state}`);
    for (const w of this.lostWaiters) w(this.lost);
    this.lostWaiters = [];
  }

  /** Throws when `what` may not run: the link is lost, or the driver is closed (a barrier may still run). */
  guard(what: string): void {
    if (this.lost) throw new DeviceLinkError(`${what}: ${this.lost.message}`);
    if (this.closed && what !== "barrier") throw new DeviceLinkError(`${what}: the firmata board on ${this.path} is closed`);
  }

  /** `p`, or the link's loss if that comes first. */
  untilLost<T>(p: Promise<T>): Promise<T> {
    if (this.lost) return Promise.reject(this.lost);
    return Promise.race([p, new Promise<never>((_, reject) => this.lostWaiters.push(reject))]);
  }

  /**
   * `p`, an answer the board owes, or the link's loss. A tty whose other end hung up (a pty whose master closed)
   * reads as end of file, which the serial port does not report: only a write finds it gone. So while the
   * answer is late, `probe` writes a harmless message every PROBE_SECONDS.
   */
  untilAnswered<T>(p: Promise<T>, probe: () => void): Promise<T> {
    const timer = setInterval(() => {
      if (!this.lost) probe();
    }, PROBE_SECONDS * 1000);
    return this.untilLost(p).finally(() => clearInterval(timer));
  }

  sleep(seconds: number): Promise<void> {
    if (seconds <= 0) return Promise.resolve();
    return this.untilLost(new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000)));
  }
}
