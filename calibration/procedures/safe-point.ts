import { setImmediate as nextTurn } from "node:timers/promises";

/**
 * True when a stop was asked for. It first lets the event loop turn once: with an in-process device every
 * await settles as a microtask, so without this turn a SIGINT handler would not run until the whole procedure
 * had finished.
 */
export async function stopRequested(signal: AbortSignal | undefined): Promise<boolean> {
  if (!signal) return false;
  await nextTurn();
  return signal.aborted;
}
