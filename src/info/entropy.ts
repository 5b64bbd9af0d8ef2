// Entropies in bits: the binary entropy h2 and the plug-in entropy of a table of counts.

/**
 * Binary entropy h2(p) = −p·log2 p − (1−p)·log2(1−p), in bits, with 0·log 0 = 0.
 * Assumes 0 ≤ p ≤ 1; a value outside is an error (it means a caller bug, not data).
 * Known answers: h2(0) = h2(1) = 0, h2(½) = 1, h2(¼) = 2 − ¾·log2 3 ≈ 0.811278.
 */
export function h2(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`h2: p = ${p} is not a probability`);
  if (p === 0 || p === 1) return 0;
  return -p * Math.log2(p) - (1 - p) * Math.log2(1 - p);
}

/**
 * Plug-in (maximum-likelihood) entropy of non-negative counts, in bits:
 * Ĥ = −Σ (c_i/N)·log2(c_i/N), N = Σ c_i. Zero counts contribute nothing.
 * Biased low by about (m−1)/(2N·ln 2) bits for m occupied cells (see Miller–Madow in mutual-information.ts).
 */
export function pluginEntropyBits(counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (!(c >= 0)) throw new RangeError(`pluginEntropyBits: count ${c} at index ${i} is negative or not a number`);
    total += c;
  }
  if (total === 0) return 0;
  let h = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c > 0) h -= (c / total) * Math.log2(c / total);
  }
  return h;
}

/** How many cells of a table of counts are non-zero. */
export function occupiedCells(counts: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) m++;
  return m;
}
