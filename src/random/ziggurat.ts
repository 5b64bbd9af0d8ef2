// The ziggurat's tables (Marsaglia & Tsang 2000), shared by Rng.normal/fillNormal in JS and by wasm kernels that
// draw the same deviates from the same xoshiro128** stream inside their own loops (sim/devices/pulse-kernel.wat).

// Ziggurat tables (Marsaglia & Tsang 2000, 128 strips), for 25-bit signed values: |hz| < K[i] accepts hz·W[i].
export const ZIG_STRIPS = 128;
export const ZIG_R = 3.442619855899;
export const ZIG_V = 9.91256303526217e-3;
export const ZIG_K = new Int32Array(ZIG_STRIPS);
export const ZIG_W = new Float64Array(ZIG_STRIPS);
export const ZIG_F = new Float64Array(ZIG_STRIPS);
{
  const m = 2 ** 24; // magnitude range of a 25-bit signed value
  let dn = ZIG_R;
  let tn = dn;
  const q = ZIG_V / Math.exp(-0.5 * dn * dn);
  ZIG_K[0] = Math.floor((dn / q) * m);
  ZIG_K[1] = 0;
  ZIG_W[0] = q / m;
  ZIG_W[ZIG_STRIPS - 1] = dn / m;
  ZIG_F[0] = 1;
  ZIG_F[ZIG_STRIPS - 1] = Math.exp(-0.5 * dn * dn);
  for (let i = ZIG_STRIPS - 2; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(ZIG_V / dn + Math.exp(-0.5 * dn * dn)));
    ZIG_K[i + 1] = Math.floor((dn / tn) * m);
    tn = dn;
    ZIG_F[i] = Math.exp(-0.5 * dn * dn);
    ZIG_W[i] = dn / m;
  }
}

/** Byte offsets of the tables and the generator's four state words in a kernel's memory. */
export interface ZigguratLayout {
  k: number;
  w: number;
  f: number;
  state: number;
}

/** Bytes a ZigguratLayout needs: K (int32), W and F (float64), four state words. */
export const ZIGGURAT_BYTES = ZIG_STRIPS * (4 + 8 + 8) + 16;

/** A layout starting at `base` (8-byte aligned). */
export function zigguratLayout(base: number): ZigguratLayout {
  return { k: base, w: base + ZIG_STRIPS * 4, f: base + ZIG_STRIPS * 12, state: base + ZIG_STRIPS * 20 };
}

/** Copies the tables into a kernel's memory at `layout`. */
export function writeZigguratTables(buffer: ArrayBuffer, layout: ZigguratLayout): void {
  new Int32Array(buffer, layout.k, ZIG_STRIPS).set(ZIG_K);
  new Float64Array(buffer, layout.w, ZIG_STRIPS).set(ZIG_W);
  new Float64Array(buffer, layout.f, ZIG_STRIPS).set(ZIG_F);
}
