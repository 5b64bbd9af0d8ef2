// A clock for the Firmata twin that moves only when the test moves it: wake-ups run in time order, each at its
// own time, so timing tests have exact answers whatever the machine's load. stallTo() is a busy host: the clock
// jumps and the wake-ups it passed run late, all at once.
import type { TwinClock } from "../../emulators/firmata-twin/twin-clock.js";

interface Wake {
  at: number;
  order: number;
  wake: () => void;
  live: boolean;
}

export class VirtualClock implements TwinClock {
  private t = 0;
  private order = 0;
  private readonly pending: Wake[] = [];

  now(): number {
    return this.t;
  }

  wakeAt(seconds: number, wake: () => void): () => void {
    const w: Wake = { at: seconds, order: this.order++, wake, live: true };
    this.pending.push(w);
    return () => {
      w.live = false;
    };
  }

  /** Moves to `seconds`, running every wake-up due by then at its own time, in order. */
  runTo(seconds: number): void {
    for (let w = this.nextDue(seconds); w; w = this.nextDue(seconds)) {
      this.t = Math.max(this.t, w.at);
      w.wake();
    }
    this.t = Math.max(this.t, seconds);
  }

  /** A stall: the clock jumps to `seconds` first, so the wake-ups due meanwhile run late, at `seconds`. */
  stallTo(seconds: number): void {
    this.t = Math.max(this.t, seconds);
    this.runTo(seconds);
  }

  private nextDue(limit: number): Wake | null {
    let best = -1;
    for (let i = 0; i < this.pending.length; i++) {
      const w = this.pending[i]!;
      if (!w.live || w.at > limit) continue;
      const b = this.pending[best];
      if (!b || w.at < b.at || (w.at === b.at && w.order < b.order)) best = i;
    }
    if (best < 0) return null;
    const [w] = this.pending.splice(best, 1);
    for (let i = this.pending.length - 1; i >= 0; i--) if (!this.pending[i]!.live) this.pending.splice(i, 1);
    return w!;
  }
}
