// One seeded random generator for everything random: same seed, same results, bit for bit.
// xoshiro128** (Blackman & Vigna) on 32-bit integers: fast in JS, state is four uint32s.
import { ZIG_F, ZIG_K, ZIG_R, ZIG_W } from "./ziggurat.js";

export interface RngState {
  s: [number, number, number, number];
  /** A cached normal deviate to return next, or null (the ziggurat caches none; kept for saved states). */
  spare: number | null;
}

export class Rng {
  /** xoshiro128** state as four int32 words (typed storage keeps V8 from boxing them). */
  private readonly st = new Int32Array(4);
  /** A cached normal deviate carried over from a saved state (NaN when none). */
  private spare = Number.NaN;

  constructor(seed: number | string = 0) {
    // SplitMix32-style expansion of the seed into four non-zero words.
    let h = typeof seed === "number" ? seed >>> 0 ^ Math.floor(seed / 4294967296) : hashString(seed);
    const next = () => {
      h = (h + 0x9e3779b9) | 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    const st = this.st;
    st[0] = next();
    st[1] = next();
    st[2] = next();
    st[3] = next();
    if ((st[0]! | st[1]! | st[2]! | st[3]!) === 0) st[0] = 1;
  }

  /** A generator for a named sub-stream, independent of how much this one has been used. */
  fork(label: string | number): Rng {
    const st = this.st;
    return new Rng(hashString(`${st[0]! >>> 0}:${st[1]! >>> 0}:${st[2]! >>> 0}:${st[3]! >>> 0}:${label}`));
  }

  /** Uniform uint32. */
  nextUint32(): number {
    const st = this.st;
    const s0 = st[0]!, s1 = st[1]!, s2 = st[2]! ^ s0, s3 = st[3]! ^ s1;
    const m = Math.imul(s1, 5);
    const r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    st[1] = s1 ^ s2;
    st[0] = s0 ^ s3;
    st[2] = s2 ^ (s1 << 9);
    st[3] = (s3 << 11) | (s3 >>> 21);
    return r;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() * 2.3283064365386963e-10;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /**
   * Standard normal deviate: Marsaglia & Tsang's ziggurat (2000), 128 strips, on one uint32 per draw
   * in ~99 % of cases. The strip index uses the low 7 bits and the value the other 25 (sign included),
   * so index and value share no bits (Doornik 2005's concern).
   */
  normal(): number {
    if (this.spare === this.spare) {
      // A cached deviate from a state saved before the ziggurat (polar method): return it once.
      const v = this.spare;
      this.spare = Number.NaN;
      return v;
    }
    const u = this.nextUint32() | 0;
    const iz = u & 127;
    const hz = u >> 7;
    if ((hz < 0 ? -hz : hz) < ZIG_K[iz]!) return hz * ZIG_W[iz]!;
    return this.normalTail(hz, iz);
  }

  /**
   * Fills out[from..to) with standard normal deviates: the same numbers, in the same order, as that many
   * calls of normal(), but with the generator state held in locals (several times faster in a loop).
   */
  fillNormal(out: Float64Array, from = 0, to = out.length): Float64Array {
    let k = from;
    while (k < to && this.spare === this.spare) out[k++] = this.normal();
    const st = this.st;
    const K = ZIG_K, W = ZIG_W;
    let s0 = st[0]!, s1 = st[1]!, s2 = st[2]!, s3 = st[3]!;
    while (k < to) {
      // Fast path until a draw misses its strip's box (~1 %): no call in this loop, so the state stays in registers.
      let hz = 0, iz = 0;
      for (; k < to; k++) {
        // xoshiro128** step (as nextUint32), result as int32.
        const m = Math.imul(s1, 5);
        const u = Math.imul((m << 7) | (m >>> 25), 9);
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        iz = u & 127;
        hz = u >> 7;
        const sg = hz >> 31; // |hz| without a branch on the (random) sign
        if (((hz ^ sg) - sg) >= K[iz]!) break;
        out[k] = hz * W[iz]!;
      }
      if (k >= to) break;
      st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
      out[k++] = this.normalTail(hz, iz);
      s0 = st[0]!; s1 = st[1]!; s2 = st[2]!; s3 = st[3]!;
    }
    st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
    return out;
  }

  private normalTail(hz: number, iz: number): number {
    for (;;) {
      const x = hz * ZIG_W[iz]!;
      if (iz === 0) {
        // The base strip's tail beyond R (Marsaglia 1964).
        let t: number, y: number;
        do {
          t = -Math.log(1 - this.uniform()) / ZIG_R;
          y = -Math.log(1 - this.uniform());
        } while (y + y < t * t);
        return hz > 0 ? ZIG_R + t : -ZIG_R - t;
      }
      if (ZIG_F[iz]! + this.uniform() * (ZIG_F[iz - 1]! - ZIG_F[iz]!) < Math.exp(-0.5 * x * x)) return x;
      const u = this.nextUint32() | 0;
      iz = u & 127;
      hz = u >> 7;
      if ((hz < 0 ? -hz : hz) < ZIG_K[iz]!) return hz * ZIG_W[iz]!;
    }
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(a: T[] | Int32Array | Uint32Array): typeof a {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }

  /**
   * Copies the four state words to out[at..at+4), for a kernel that continues this stream (see
   * src/random/ziggurat.ts). False, copying nothing, while a cached deviate from an old saved state is pending.
   */
  exportWords(out: Int32Array, at: number): boolean {
    if (this.spare === this.spare) return false;
    const st = this.st;
    out[at] = st[0]!;
    out[at + 1] = st[1]!;
    out[at + 2] = st[2]!;
    out[at + 3] = st[3]!;
    return true;
  }

  /** Takes the state words back from a kernel that continued the stream (the inverse of exportWords). */
  importWords(from: Int32Array, at: number): void {
    const st = this.st;
    st[0] = from[at]!;
    st[1] = from[at + 1]!;
    st[2] = from[at + 2]!;
    st[3] = from[at + 3]!;
  }

  getState(): RngState {
    const st = this.st;
    return { s: [st[0]! >>> 0, st[1]! >>> 0, st[2]! >>> 0, st[3]! >>> 0], spare: Number.isNaN(this.spare) ? null : this.spare };
  }

  setState(state: RngState): void {
    for (let k = 0; k < 4; k++) this.st[k] = state.s[k]!;
    this.spare = state.spare ?? Number.NaN;
  }
}

function hashString(s: string): number {
  // FNV-1a, 32-bit.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
