// The retransmission timeout (RFC 6298 in spirit): smoothed round trip plus four deviations, from answers to
// lines sent once (Karn: a resent line's answer is ambiguous); doubled after each timeout, up to the maximum.

export class RetransmitTimer {
  private srtt: number | null = null;
  private rttvar = 0;
  private backoff = 1;

  /** `minMs` floors the estimate (scheduling jitter), `maxMs` caps it and the backoff, `initialMs` before any sample. */
  constructor(private readonly minMs: number, private readonly maxMs: number, private readonly initialMs: number) {}

  /** The timeout now, ms. */
  get ms(): number {
    const base = this.srtt === null ? this.initialMs : this.srtt + 4 * this.rttvar;
    return Math.min(this.maxMs, Math.max(this.minMs, base) * this.backoff);
  }

  /** A round trip measured on a line sent once. */
  sample(rttMs: number): void {
    const r = Math.max(0, rttMs);
    if (this.srtt === null) {
      this.srtt = r;
      this.rttvar = r / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r);
      this.srtt = 0.875 * this.srtt + 0.125 * r;
    }
    this.backoff = 1;
  }

  /** A timeout: wait twice as long next time (up to the maximum). */
  backOff(): void {
    if (this.ms < this.maxMs) this.backoff *= 2;
  }

  /** An answer arrived: the link is moving again. */
  progress(): void {
    this.backoff = 1;
  }
}
