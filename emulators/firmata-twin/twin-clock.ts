// The twin's sense of time: a monotonic clock in seconds and a way to be woken at a given time. The real one
// runs on performance.now() and setTimeout; any other (a virtual clock) can drive the same twin.

export interface TwinClock {
  /** Seconds on a monotonic clock. */
  now(): number;
  /** Calls `wake` once at `seconds` (a busy machine may call it late, never early by more than a timer tick); returns a cancel. */
  wakeAt(seconds: number, wake: () => void): () => void;
}

export const REAL_TIME_CLOCK: TwinClock = {
  now: () => performance.now() / 1000,
  wakeAt(seconds, wake) {
    const timer = setTimeout(wake, Math.max(0, (seconds - performance.now() / 1000) * 1000));
    return () => clearTimeout(timer);
  },
};
