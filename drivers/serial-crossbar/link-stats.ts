// What the link cost: how often lines were sent again and why. A run records it (SerialCrossbar.linkStats(), and
// the one-line summary the driver logs when it closes) so a noisy link shows up in numbers, not only in time.

// A type, not an interface: it is the contract's LinkCounters (named counts), which needs an index signature.
export type LinkStats = {
  /** Sequenced requests issued by the caller. */
  requests: number;
  /** Every line written: first copies, resends, identify/LIM probes. */
  linesSent: number;
  /** … of which request copies (`+`, sent behind each request once the device has shown damaged requests). */
  requestCopies: number;
  /** Lines written again (any reason below). */
  resends: number;
  /** … of which `0000 RPT SEQ`: the answer of a request that ran, asked for again with a short line. */
  fetches: number;
  /** Received lines that failed their CRC, framing or decoding (payload included): asked for again by SEQ. */
  damagedReplies: number;
  /** … pairs of damaged copies (DUP 2) rebuilt into the line they were sent as: no round trip (not counted above). */
  mergedCopies: number;
  /** Device NAKs: ERR CRC / LONG (it got a damaged line), ORDER (a line before it was lost), BUSY. */
  naks: number;
  /** ERR HELD answers: a request that arrived ahead of a lost one, kept by the device (not sent again). */
  held: number;
  /** Refusals (SYNTAX, UNKNOWN, LIMIT, REUSED) resent once, as a line damaged in transit may earn one. */
  refusalsRetried: number;
  /** Refusals confirmed (the identical line refused twice), reported to the caller as DeviceRefusedError. */
  refusals: number;
  /** Retransmission timeouts (no answer at all); each doubles the timer up to its maximum. */
  timeouts: number;
  /** Identify/LIM probes sent again during open or resync (damaged answers or timeouts). */
  probeResends: number;
  reconnects: number;
  resyncs: number;
  /** Most sends one request needed so far. */
  maxSendsPerRequest: number;
  /** The retransmission timeout in use now, ms (smoothed round trip + 4 deviations, backed off after timeouts). */
  rtoMs: number;
};

export function emptyLinkStats(initialRtoMs: number): LinkStats {
  return {
    requests: 0, linesSent: 0, requestCopies: 0, resends: 0, fetches: 0, damagedReplies: 0, mergedCopies: 0, naks: 0, held: 0, refusalsRetried: 0, refusals: 0, timeouts: 0,
    probeResends: 0, reconnects: 0, resyncs: 0, maxSendsPerRequest: 0, rtoMs: initialRtoMs,
  };
}

/** One line for logs and run records: "link: 1200 requests, 1388 lines (188 resent: 97 damaged replies, …)". */
export function formatLinkStats(s: Readonly<LinkStats>): string {
  return `link: ${s.requests} requests, ${s.linesSent} lines sent (${s.requestCopies} request copies, ${s.resends} resent, ${s.fetches} of them RPT): ${s.damagedReplies} damaged replies, ${s.mergedCopies} rebuilt from two damaged copies, ` +
    `${s.naks} NAKs, ${s.held} held, ${s.timeouts} timeouts, ${s.refusalsRetried} refusals resent, ${s.refusals} refusals, ${s.probeResends} probe resends, ` +
    `${s.reconnects} reconnects, ${s.resyncs} resyncs; at most ${s.maxSendsPerRequest} sends for one request; timeout now ${Math.round(s.rtoMs)} ms`;
}
