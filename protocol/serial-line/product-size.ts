// Bytes of MVF/MVT lines (PROTOCOL.md §1, §5): what the host packs a batch by, and what the twin sizes LIM mvb by.
import { MAX_DEVICE_LINE_BYTES } from "./frame.js";

/** `SEQ MVF ` and ` *CRC\n`: a request line's bytes besides its vectors (each vector adds its digits and a space). */
const REQUEST_OVERHEAD_BYTES = 4 + 1 + 3 + 2 + 8 + 1;
/** `SEQ OK MVF `, four M fields of at most 12 characters and their spaces, ` *CRC\n`: a product reply besides its vectors. */
const REPLY_OVERHEAD_BYTES = 4 + 1 + 2 + 1 + 3 + 4 * 13 + 2 + 8 + 1;

/** Bytes of an MVF/MVT line of `vectors` vectors of `charsPerVector` encoded characters each, with its line break. */
export function productRequestBytes(vectors: number, charsPerVector: number): number {
  return REQUEST_OVERHEAD_BYTES + vectors * (1 + charsPerVector);
}

/** Bytes of the reply to a line of `vectors` vectors whose output vectors take `charsPerVector` characters each. */
export function productReplyBytesOf(vectors: number, charsPerVector: number): number {
  return REPLY_OVERHEAD_BYTES + vectors * (1 + charsPerVector);
}

/** Bytes of the longest reply to a line of `vectors` vectors (every one of `outputs` elements at its full width). */
export function productReplyBytes(vectors: number, outputs: number, outputDigits: number): number {
  return productReplyBytesOf(vectors, 1 + outputs * outputDigits);
}

/** The most vectors whose longest reply still fits one device line (at least 1). */
export function productVectorsFitting(outputs: number, outputDigits: number): number {
  return Math.max(1, Math.floor((MAX_DEVICE_LINE_BYTES - REPLY_OVERHEAD_BYTES) / (2 + outputs * outputDigits)));
}
