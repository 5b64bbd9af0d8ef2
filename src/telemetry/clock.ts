// The journal's clock: microseconds since the Unix epoch that never repeat and never go back.
// One clock per journal gives every point a distinct timestamp, so timestamps are unique per series
// (a stronger property than InfluxDB needs) and a re-sent point overwrites itself instead of adding a twin.

/** Wall clock in whole microseconds (performance.now() has sub-millisecond resolution). */
export function wallMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

export class MonotonicMicrosClock {
  /**
   * @param lastMicros the last timestamp already used (from the journal on reopen), so a resumed run continues above it
   * @param now the wall clock; injectable so a test can make it stand still or jump back
   */
  constructor(private lastMicros = 0, private readonly now: () => number = wallMicros) {}

  /** The next timestamp: the wall clock, or one microsecond after the last one if the wall clock has not moved on. */
  next(): number {
    const t = Math.max(this.now(), this.lastMicros + 1);
    this.lastMicros = t;
    return t;
  }

  last(): number {
    return this.lastMicros;
  }
}
