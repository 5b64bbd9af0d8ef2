// What the damage the host sees says about how to use the link. A line of b bytes crosses a link that damages each
// byte with probability p intact with probability (1 − p)^b, and every damaged line costs a round trip (a NAK and
// the request again, or an RPT and the reply again) while the caller waits. Two answers to that (PROTOCOL.md §7):
// - request copies (§3): once NAKs of damaged requests reach 1 in 50 requests (at least 8), each request line goes
//   with a copy behind it, which runs in its place when it arrives damaged;
// - copies (DUP 2): once damaged answers reach 1 in 50 requests (at least 8), a damaged reply costs its copy's
//   bytes instead of a round trip, and two damaged copies are merged into the line (copy-merge.ts); asked once per
//   session;
// - shorter product lines: the vectors one MVF/MVT line carries (LIM mvb) shrink to the count that puts the fewest
//   bytes on the link per vector answered at the byte damage seen (a line needs asking again with probability
//   1 − (1 − q(request))(1 − the chance its reply's copies cannot be rebuilt)).
import { MAX_STRETCHES } from "../../protocol/serial-line/copy-merge.js";
import type { LinkStats } from "./link-stats.js";

/** Damaged answers before the host judges the link noisy (copies, shorter lines). */
const MIN_DAMAGED_LINES = 8;
/** Damaged answers per request at which copies are asked for. */
const COPIES_AT_DAMAGE_PER_REQUEST = 1 / 50;
/** Received bytes after which the counts are halved, so the estimate follows a link that changes. */
const DECAY_BYTES = 1 << 20;

export class DamageWatch {
  private bytesReceived = 0;
  private damagedLines = 0;
  private copiesAsked = false;

  /** Every line as it arrived (copies too), intact (its CRC and fields held) or not. */
  observe(line: string, intact: boolean): void {
    this.bytesReceived += line.length + 1;
    if (!intact) this.damagedLines++;
    if (this.bytesReceived > DECAY_BYTES) {
      this.bytesReceived /= 2;
      this.damagedLines /= 2;
    }
  }

  /** The chance a byte is damaged, as seen on the answers (0 until the link has shown damage). */
  get byteDamage(): number {
    if (this.damagedLines < MIN_DAMAGED_LINES) return 0;
    return Math.min(0.5, this.damagedLines / this.bytesReceived);
  }

  /** True once, when damaged answers reach 1 in 50 requests (at least 8): time to ask for copies (DUP 2). */
  shouldAskForCopies(stats: Readonly<LinkStats>): boolean {
    const damaged = stats.damagedReplies;
    if (this.copiesAsked || damaged < MIN_DAMAGED_LINES || damaged < COPIES_AT_DAMAGE_PER_REQUEST * stats.requests) return false;
    this.copiesAsked = true;
    return true;
  }

  /**
   * True once, when the device's NAKs of damaged requests reach 1 in 50 requests (at least 8): time to send each
   * request line with a copy behind it (PROTOCOL.md §3). The host's lines are short, so the copies cost few bytes;
   * a damaged request without one costs a round trip while the caller waits.
   */
  shouldCopyRequests(stats: Readonly<LinkStats>): boolean {
    return stats.naks >= MIN_DAMAGED_LINES && stats.naks >= COPIES_AT_DAMAGE_PER_REQUEST * stats.requests;
  }

  /** A new session on a reset device: it sends single lines again and may be asked for copies again. */
  forgetCopies(): void {
    this.copiesAsked = false;
  }

  /**
   * How many vectors (≤ `most`) a product line should carry now: all it may on a link that has shown no damage, else
   * the count that puts the fewest bytes on the link per vector answered. A line of k vectors costs its request and
   * `copies` replies each time it is sent, and is sent 1 / ((1 − q(request))(1 − q(reply))) times on average
   * (q(reply) of two copies: pairLost); a longer line spreads its SEQ, CRC and four M fields over more vectors but
   * is damaged more often. Selective repeat sends only the damaged line again, so this, not the chance of any damage at
   * all, is what a line's length costs. `bytes(k)`: the request and the expected reply of a k-vector line.
   */
  vectorsPerLine(most: number, bytes: (k: number) => { request: number; reply: number }, copies: number): number {
    const p = this.byteDamage;
    if (p === 0) return most;
    const damaged = (b: number) => 1 - Math.pow(1 - p, b);
    let best = 1;
    let bestCost = Infinity;
    for (let k = 1; k <= most; k++) {
      const { request, reply } = bytes(k);
      // Sent again unless the request and (one of) its answers both arrive.
      const through = (1 - damaged(request)) * (1 - (copies >= 2 ? pairLost(p, reply) : damaged(reply)));
      const cost = (request + copies * reply) / (k * through);
      if (cost < bestCost) [best, bestCost] = [k, cost];
    }
    return best;
  }
}

/** Damaged pairs the merge leaves unrebuilt though few bytes were hit (both copies hit at one place), measured. */
const MERGE_MISSES = 0.04;

/**
 * The chance two copies of a `bytes`-byte line cannot give the line (copy-merge.ts): both damaged and hit in more
 * places than the merge tries (faults in both copies together are Poisson with mean 2·p·bytes), or hit at one place.
 */
export function pairLost(p: number, bytes: number): number {
  const bothDamaged = Math.pow(1 - Math.pow(1 - p, bytes), 2);
  const mean = 2 * p * bytes;
  let term = Math.exp(-mean);
  let atMost = term;
  for (let k = 1; k <= MAX_STRETCHES; k++) {
    term *= mean / k;
    atMost += term;
  }
  return Math.min(bothDamaged, 1 - atMost + MERGE_MISSES * bothDamaged);
}
