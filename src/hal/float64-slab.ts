// Small result arrays carved from shared slabs, as Node's Buffer pool does for small Buffers:
// `new Float64Array(n)` costs 0.6–1 µs in Node 20 (a fresh ArrayBuffer each time, measured), which was a
// third of a 64×64 product; a view on a slab costs ~30 ns. A slab is never reused, so every array starts
// zeroed and no two share an element; a retained array keeps its slab (16 KiB at most) alive.
const SLAB_BYTES = 16 * 1024;
/** Longer arrays get their own buffer (half a slab, Node's rule for its pool). */
const MAX_POOLED_LENGTH = SLAB_BYTES / 8 / 2;

let slab = new ArrayBuffer(SLAB_BYTES);
let offset = 0;

/** A zeroed Float64Array of `length` elements, like `new Float64Array(length)`, but cheap when small. */
export function newFloat64Array(length: number): Float64Array {
  if (length > MAX_POOLED_LENGTH) return new Float64Array(length);
  const bytes = length * 8;
  if (offset + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    offset = 0;
  }
  const a = new Float64Array(slab, offset, length);
  offset += bytes;
  return a;
}
