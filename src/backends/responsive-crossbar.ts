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

  private async breathe(): Promise<void> {
    const now = performance.now();
    if (now - this.last < this.intervalMs) return;
    await new Promise<void>((r) => setImmediate(r));
    this.last = performance.now();
  }

  override async readCell(row: number, col: number, readVolts?: Volts) {
    await this.breathe();
    return this.inner.readCell(row, col, readVolts);
  }
  override async readArray(readVolts?: Volts) {
    await this.breathe();
    return this.inner.readArray(readVolts);
  }
  override async mvm(request: MvmRequest) {
    await this.breathe();
    return this.inner.mvm(request);
  }
  override async program(pulses: Pulse[]) {
    await this.breathe();
    return this.inner.program(pulses);
  }
}

/** Lets pending signals and timers run (between epochs of an in-memory store that never waits). */
export const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
