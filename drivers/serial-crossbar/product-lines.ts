// How a batch of product input vectors goes onto MVF/MVT lines (PROTOCOL.md §5, LIM mvb): as many vectors per line
// as the device takes, its line limit (maxin) and the longest reply line allow, and at most the cap the link's
// damage sets (damage-watch.ts); the batch split evenly into at least `minLines` lines so that the device works on
// one line while the next crosses and the answers stream back (the window stays full across the batch).
import { productReplyBytes, productReplyBytesOf, productRequestBytes, productVectorsFitting } from "../../protocol/serial-line/product-size.js";

export interface ProductLineLimits {
  /** LIM mvb: the most vectors the device runs from one line. */
  mvb: number;
  /** LIM maxin: the longest host → device line, bytes with its `\n`. */
  maxin: number;
  /** Elements of each output vector, and base-64 digits per element at most (⌈4·ahex/6⌉). */
  outputs: number;
  outputDigits: number;
  /** The most vectors per line the link's damage allows now (1 on a noisy link). */
  cap: number;
  /** Lines the batch is split into at least (when it has that many vectors), so they pipeline. */
  minLines: number;
}

/** The batch's vectors (encoded, in order) as lines: [first, end) index ranges, every line within the limits. */
export function productLines(encoded: readonly string[], limits: ProductLineLimits): [number, number][] {
  const n = encoded.length;
  const most = Math.max(1, Math.min(limits.mvb, limits.cap, productVectorsFitting(limits.outputs, limits.outputDigits)));
  const lineCount = Math.max(Math.ceil(n / most), Math.min(n, limits.minLines));
  const perLine = Math.ceil(n / lineCount);
  const lines: [number, number][] = [];
  let first = 0;
  while (first < n) {
    let end = first + 1;
    let bytes = productRequestBytes(1, encoded[first]!.length);
    while (end < n && end - first < perLine && bytes + 1 + encoded[end]!.length <= limits.maxin) bytes += 1 + encoded[end++]!.length;
    lines.push([first, end]);
    first = end;
  }
  return lines;
}

/**
 * The mean length of the output vectors the device has answered, per command: what a line's reply is expected to
 * take (the worst case, every element at full width, until the first answer). A 64-element vector of currents
 * takes ~65 characters where the worst case is 130, so the worst case would make lines on a damaged link too short.
 */
export class OutputVectorSizes {
  private readonly seen = new Map<string, { chars: number; vectors: number }>();

  observe(cmd: string, payload: readonly string[]): void {
    const s = this.seen.get(cmd) ?? { chars: 0, vectors: 0 };
    for (const v of payload) s.chars += v.length;
    s.vectors += payload.length;
    if (s.vectors > 1 << 16) [s.chars, s.vectors] = [s.chars / 2, s.vectors / 2]; // follow a change of data
    this.seen.set(cmd, s);
  }

  /** Expected bytes of the reply to a `cmd` line of `vectors` vectors. */
  replyBytes(cmd: string, vectors: number, outputs: number, outputDigits: number): number {
    const s = this.seen.get(cmd);
    if (!s || s.vectors === 0) return productReplyBytes(vectors, outputs, outputDigits);
    return productReplyBytesOf(vectors, s.chars / s.vectors);
  }
}
