// Keeps the process responsive (signals, timers, telemetry) while training on an in-process device.
import type { Crossbar, MvmRequest, Pulse } from "../hal/crossbar.js";
import { CrossbarDecorator } from "../hal/crossbar-decorator.js";
import type { Volts } from "../hal/units.js";

/**
 * A pass-through Crossbar that lets the event loop run at least every `intervalMs`. An in-process
 * backend (the simulator) answers with already-resolved promises, so a training loop on it never
 * reaches the event loop and a Ctrl+C would wait for the whole run; a real link yields by itself.
 * Answers are returned unchanged.
 */
export class ResponsiveCrossbar extends CrossbarDecorator {
  private last = performance.now();

  constructor(inner: Crossbar, private readonly intervalMs = 50) {
    super(inner);
  }

  /** True when the event loop has not run for intervalMs (checked on every call: a clock read, no promise). */
  private due(): boolean {
    return performance.now() - this.last >= this.intervalMs;
  }

  private async breathe(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    this.last = performance.now();
  }

  // Not async: a call that need not yield hands back the backend's own promise (the products of a training
  // run are ~200,000 calls; each extra async frame cost a promise and a microtask).
  override readCell(row: number, col: number, readVolts?: Volts) {
    return this.due() ? this.breathe().then(() => this.inner.readCell(row, col, readVolts)) : this.inner.readCell(row, col, readVolts);
  }
  override readArray(readVolts?: Volts) {
    return this.due() ? this.breathe().then(() => this.inner.readArray(readVolts)) : this.inner.readArray(readVolts);
  }
  override mvm(request: MvmRequest) {
    return this.due() ? this.breathe().then(() => this.inner.mvm(request)) : this.inner.mvm(request);
  }
  override program(pulses: Pulse[]) {
    return this.due() ? this.breathe().then(() => this.inner.program(pulses)) : this.inner.program(pulses);
  }
}

/** Lets pending signals and timers run (between epochs of an in-memory store that never waits). */
export const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
