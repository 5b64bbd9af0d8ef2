// The ziggurat's tables (Marsaglia & Tsang 2000), shared by Rng.normal/fillNormal in JS and by wasm kernels that
// draw the same deviates from the same xoshiro128** stream inside their own loops (see emitNormal).
import { FunctionBuilder, OP, type ModuleBuilder } from "../wasm/assembler.js";

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

/** Locals (i32) emitNormal uses: the generator state and its scratch. */
export const NORMAL_LOCALS = ["zs0", "zs1", "zs2", "zs3", "zu", "ziz", "zhz", "zsg", "zt"] as const;

/** Loads the state words from memory into the locals (before a loop that draws). */
export function emitLoadState(fn: FunctionBuilder, layout: ZigguratLayout): void {
  ["zs0", "zs1", "zs2", "zs3"].forEach((s, k) => fn.i32(0).mem(OP.i32Load, layout.state + 4 * k).set(s));
}

/** Stores the locals back to the state words (after the loop, and around a call to the tail). */
export function emitStoreState(fn: FunctionBuilder, layout: ZigguratLayout): void {
  ["zs0", "zs1", "zs2", "zs3"].forEach((s, k) => fn.i32(0).get(s).mem(OP.i32Store, layout.state + 4 * k));
}

/** One xoshiro128** step on the locals, result (as int32) left in zu; the same steps as Rng.fillNormal. */
function emitStep(fn: FunctionBuilder): void {
  fn.get("zs1").i32(5).op(OP.i32Mul).i32(7).op(OP.i32Rotl).i32(9).op(OP.i32Mul).set("zu");
  fn.get("zs1").i32(9).op(OP.i32Shl).set("zt");
  fn.get("zs2", "zs0").op(OP.i32Xor).set("zs2");
  fn.get("zs3", "zs1").op(OP.i32Xor).set("zs3");
  fn.get("zs1", "zs2").op(OP.i32Xor).set("zs1");
  fn.get("zs0", "zs3").op(OP.i32Xor).set("zs0");
  fn.get("zs2", "zt").op(OP.i32Xor).set("zs2");
  fn.get("zs3").i32(11).op(OP.i32Rotl).set("zs3");
}

/**
 * Emits code that leaves the stream's next standard normal deviate in the f64 local `out`: the fast path
 * inline (state in locals), the ~3 % of draws that miss their strip's box through the `tail` function
 * (defineZigguratTail) with the state stored around the call. Same numbers, in the same order, as Rng.normal.
 */
export function emitNormal(fn: FunctionBuilder, layout: ZigguratLayout, tail: number, out: string): void {
  emitStep(fn);
  fn.get("zu").i32(127).op(OP.i32And).set("ziz");
  fn.get("zu").i32(7).op(OP.i32ShrS).tee("zhz").i32(31).op(OP.i32ShrS).set("zsg");
  fn.get("zhz", "zsg").op(OP.i32Xor).get("zsg").op(OP.i32Sub);
  fn.get("ziz").i32(2).op(OP.i32Shl).mem(OP.i32Load, layout.k);
  fn.op(OP.i32LtS).if(
    () => fn.get("zhz").op(OP.f64ConvertI32S).get("ziz").i32(3).op(OP.i32Shl).mem(OP.f64Load, layout.w).op(OP.f64Mul).set(out),
    () => {
      emitStoreState(fn, layout);
      fn.get("zhz", "ziz").call(tail).set(out);
      emitLoadState(fn, layout);
    },
  );
}

/**
 * Defines the functions emitNormal's slow path calls: `next` (one step on the state in memory) and
 * `tail(hz, iz)` (Rng.normalTail, expression for expression, with the imported Math.exp and Math.log, so
 * the same bits). Needs the imports from importMath. Returns the tail's function index.
 */
export function defineZigguratTail(mb: ModuleBuilder, layout: ZigguratLayout, math: { exp: number; log: number }): number {
  const next = new FunctionBuilder([], ["i32"]);
  next.locals("i32", ...NORMAL_LOCALS);
  emitLoadState(next, layout);
  emitStep(next);
  emitStoreState(next, layout);
  next.get("zu");
  const nextIndex = mb.define("next", next, false);

  const t = new FunctionBuilder([["hz", "i32"], ["iz", "i32"]], ["f64"]);
  t.locals("f64", "x", "tt", "y").locals("i32", "sg");
  // uniform(): nextUint32() (unsigned) × 2^-32.
  const uniform = () => t.call(nextIndex).op(OP.f64ConvertI32U).f64(2.3283064365386963e-10).op(OP.f64Mul);
  const wAt = (iz: string) => t.get(iz).i32(3).op(OP.i32Shl).mem(OP.f64Load, layout.w);
  const fAt = (iz: string, offset: number) => t.get(iz).i32(3).op(OP.i32Shl).mem(OP.f64Load, layout.f + offset);
  t.loop(() => {
    t.get("hz").op(OP.f64ConvertI32S);
    wAt("iz");
    t.op(OP.f64Mul).set("x");
    t.get("iz").op(OP.i32Eqz).if(() => {
      // The base strip's tail beyond R (Marsaglia 1964).
      t.loop(() => {
        t.f64(1);
        uniform();
        t.op(OP.f64Sub).call(math.log).op(OP.f64Neg).f64(ZIG_R).op(OP.f64Div).set("tt");
        t.f64(1);
        uniform();
        t.op(OP.f64Sub).call(math.log).op(OP.f64Neg).set("y");
        t.get("y", "y").op(OP.f64Add).get("tt", "tt").op(OP.f64Mul).op(OP.f64Lt).brIf(0);
      });
      t.get("hz").i32(0).op(OP.i32GtS).ifF64(
        () => t.f64(ZIG_R).get("tt").op(OP.f64Add),
        () => t.f64(-ZIG_R).get("tt").op(OP.f64Sub),
      );
      t.op(OP.return);
    });
    // Wedge: F[iz] + u·(F[iz−1] − F[iz]) < exp(−x²/2).
    fAt("iz", 0);
    uniform();
    fAt("iz", -8);
    fAt("iz", 0);
    t.op(OP.f64Sub, OP.f64Mul, OP.f64Add);
    t.f64(-0.5).get("x").op(OP.f64Mul).get("x").op(OP.f64Mul).call(math.exp);
    t.op(OP.f64Lt).if(() => t.get("x").op(OP.return));
    t.call(nextIndex).tee("hz").i32(127).op(OP.i32And).set("iz");
    t.get("hz").i32(7).op(OP.i32ShrS).tee("hz").i32(31).op(OP.i32ShrS).set("sg");
    t.get("hz", "sg").op(OP.i32Xor).get("sg").op(OP.i32Sub);
    t.get("iz").i32(2).op(OP.i32Shl).mem(OP.i32Load, layout.k);
    t.op(OP.i32LtS).if(() => {
      t.get("hz").op(OP.f64ConvertI32S);
      wAt("iz");
      t.op(OP.f64Mul, OP.return);
    });
    t.br(0);
  });
  t.f64(Number.NaN); // unreachable: the loop only leaves by return
  return mb.define("tail", t, false);
}

/** Imports Math.exp and Math.log (V8 calls its own ieee754 routines for these imports, the ones Math uses). */
export function importMath(mb: ModuleBuilder): { exp: number; log: number } {
  return { exp: mb.importFunction("math", "exp", ["f64"], ["f64"]), log: mb.importFunction("math", "log", ["f64"], ["f64"]) };
}

export const MATH_IMPORTS = { math: { exp: Math.exp, log: Math.log } };
