// Two damaged copies of one line (PROTOCOL.md §4 Copies): the line rebuilt from what each copy kept intact, so a
// pair whose copies were both hit still needs no round trip.
//
// Byte faults are sparse: the copies agree but for a few short stretches where one of them was hit (a byte
// replaced, lost or doubled). An edit-distance alignment of the two within a band (lost and doubled bytes shift
// one copy against the other by a few places) finds those stretches; of the lines that take each stretch from one
// copy or the other, the one whose CRC-32C holds is the line. Each wrong candidate passes the CRC with probability
// 2^-32, so a merge may add at most 2^MAX_STRETCHES × 2^-32 (1.5 × 10⁻⁸) to the chance a damaged line is taken for
// an intact one; it is refused when more than one distinct candidate holds, or when the copies differ in more
// stretches than that (then the host asks again, as it did before merging).

/** Most places one copy may be shifted against the other (lost and doubled bytes). */
const BAND = 8;
/** Most stretches tried: 2^6 = 64 candidates. */
export const MAX_STRETCHES = 6;

/** Where the copies differ: the text of each there. */
interface Stretch {
  a: string;
  b: string;
}

/**
 * The line both damaged copies `a` and `b` were sent as, decoded, or null when it cannot be told: `decode` gives a
 * candidate decoded when it is an intact line (its CRC and framing hold), else null. Only a single distinct
 * candidate that decodes is returned.
 */
export function mergeDamagedCopies<T>(a: string, b: string, decode: (line: string) => T | null): T | null {
  if (a === b) return null;
  const parts = align(a, b);
  if (parts === null) return null;
  const stretches = parts.filter((p): p is Stretch => typeof p !== "string");
  if (stretches.length === 0 || stretches.length > MAX_STRETCHES) return null;
  let found = null as { line: string; decoded: T } | null;
  for (let choice = 0; choice < 1 << stretches.length; choice++) {
    let k = 0;
    let line = "";
    for (const p of parts) {
      if (typeof p === "string") line += p;
      else line += (choice >> k++) & 1 ? p.b : p.a;
    }
    if (line === found?.line) continue;
    const decoded = decode(line);
    if (decoded === null) continue;
    if (found !== null) return null; // two different lines hold: cannot tell
    found = { line, decoded };
  }
  return found?.decoded ?? null;
}

/**
 * The copies as runs they share (strings) and stretches where they differ, from a minimal edit-distance alignment
 * restricted to |i − j| ≤ BAND; null when no alignment within the band exists. The shared head and tail are taken
 * off first: the alignment only spans the first to the last difference.
 */
function align(a: string, b: string): (string | Stretch)[] | null {
  let head = 0;
  while (head < a.length && head < b.length && a.charCodeAt(head) === b.charCodeAt(head)) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a.charCodeAt(a.length - 1 - tail) === b.charCodeAt(b.length - 1 - tail)) tail++;
  const middle = alignMiddle(a.slice(head, a.length - tail), b.slice(head, b.length - tail));
  if (middle === null) return null;
  const parts: (string | Stretch)[] = [];
  if (head > 0) parts.push(a.slice(0, head));
  parts.push(...middle);
  if (tail > 0) parts.push(a.slice(a.length - tail));
  return parts;
}

const FAR = 1 << 29;

function alignMiddle(a: string, b: string): (string | Stretch)[] | null {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > BAND) return null;
  const width = 2 * BAND + 1;
  // cost[i * width + (j − i + BAND)]: edits to turn a[0..i) into b[0..j); cells outside the band stay FAR.
  const cost = new Int32Array((n + 1) * width).fill(FAR);
  const at = (i: number, j: number) => (Math.abs(j - i) > BAND || j < 0 || j > m ? -1 : i * width + (j - i + BAND));
  const get = (i: number, j: number) => {
    const k = at(i, j);
    return k < 0 ? FAR : cost[k]!;
  };
  for (let i = 0; i <= n; i++) {
    const row = i * width - i + BAND;
    for (let j = Math.max(0, i - BAND); j <= Math.min(m, i + BAND); j++) {
      if (i === 0 && j === 0) {
        cost[row] = 0;
        continue;
      }
      let best = FAR;
      if (i > 0 && j > 0) best = cost[row - width + j]! + (a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1); // (i−1, j−1)
      if (i > 0 && j - i + 1 <= BAND) best = Math.min(best, cost[row - width + 1 + j]! + 1); // (i−1, j)
      if (j > 0 && j - 1 - i >= -BAND) best = Math.min(best, cost[row + j - 1]! + 1); // (i, j−1)
      cost[row + j] = best;
    }
  }
  // Trace back, preferring matches, so shared runs stay whole; consecutive edits form one stretch.
  const parts: (string | Stretch)[] = [];
  let shared = "";
  let diffA = "";
  let diffB = "";
  const flushShared = () => {
    if (shared) parts.push(shared);
    shared = "";
  };
  const flushDiff = () => {
    if (diffA || diffB) parts.push({ a: diffA, b: diffB });
    diffA = diffB = "";
  };
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const here = get(i, j);
    if (i > 0 && j > 0 && a.charCodeAt(i - 1) === b.charCodeAt(j - 1) && get(i - 1, j - 1) === here) {
      flushDiff();
      shared = a[i - 1] + shared;
      i--;
      j--;
      continue;
    }
    flushShared();
    if (i > 0 && j > 0 && get(i - 1, j - 1) === here - 1) {
      diffA = a[i - 1] + diffA;
      diffB = b[j - 1] + diffB;
      i--;
      j--;
    } else if (i > 0 && get(i - 1, j) === here - 1) {
      diffA = a[i - 1] + diffA;
      i--;
    } else {
      diffB = b[j - 1] + diffB;
      j--;
    }
  }
  flushDiff();
  flushShared();
  return parts.reverse();
}
