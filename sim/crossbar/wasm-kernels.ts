// WebAssembly SIMD (f32x4) kernels for the crossbar's matrix-vector products, assembled here from bytes
// (no external toolchain). Node ≥ 20 runs wasm SIMD natively.
//
// Exports (all pointers are byte offsets into the imported memory "env.mem"; G is row-major with a
// row stride of `stride` floats, stride a multiple of 4, padding columns zero):
//   forward(g, x, y, rows, stride):     y[j] = Σ_i x[i]·G[i][j]  for j < stride  (I = Gᵀ·V)
//   transposed(g, x, y, rows, stride):  y[i] = Σ_j G[i][j]·x[j]  for i < rows    (I = G·V; x padded to stride)
// Sums accumulate in float32, so each output carries at most the float32 summation error γ_n·Σ|x·G|.

/** The slice of the WebAssembly JS API used here (tsconfig's lib has no DOM/WebAssembly typings). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
};

/** A fresh wasm memory of at least `bytes` bytes. */
export function newWasmMemory(bytes: number): WasmMemory {
  return new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
}

const I32 = 0x7f, V128 = 0x7b;
const op = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b, void: 0x40,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Const: 0x41, i32Eqz: 0x45, i32LtS: 0x48, i32GtS: 0x4a, i32GtU: 0x4b, i32Add: 0x6a, i32Sub: 0x6b, i32Shl: 0x74,
  f32Load: 0x2a, f32Store: 0x38, f32Add: 0x92,
} as const;
const SIMD = 0xfd;
const simd = { load: 0x00, store: 0x0b, const: 0x0c, f32x4Splat: 0x13, f32x4ExtractLane: 0x1f, f32x4Add: 0xe4, f32x4Mul: 0xe6 } as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** A tiny emitter for function bodies. */
class Body {
  readonly bytes: number[] = [];
  get(l: number) { this.bytes.push(op.localGet, ...uleb(l)); return this; }
  set(l: number) { this.bytes.push(op.localSet, ...uleb(l)); return this; }
  tee(l: number) { this.bytes.push(op.localTee, ...uleb(l)); return this; }
  i32(n: number) { this.bytes.push(op.i32Const, ...sleb(n)); return this; }
  raw(...b: number[]) { this.bytes.push(...b); return this; }
  simd(code: number, ...imm: number[]) { this.bytes.push(SIMD, ...uleb(code), ...imm); return this; }
  v128Load(offset: number) { return this.simd(simd.load, 4, ...uleb(offset)); }
  v128Store(offset: number) { return this.simd(simd.store, 4, ...uleb(offset)); }
  v128Zero() { return this.simd(simd.const, ...new Array<number>(16).fill(0)); }
  /** local l += v (an i32 constant or a local's value). */
  addTo(l: number, v: { local: number } | number) {
    this.get(l);
    if (typeof v === "number") this.i32(v); else this.get(v.local);
    return this.raw(op.i32Add).set(l);
  }
  /** br_if depth when local a + k > local b (signed). */
  breakIfPast(a: number, k: number, b: number, depth: number) {
    return this.get(a).i32(k).raw(op.i32Add).get(b).raw(op.i32GtS, op.brIf, ...uleb(depth));
  }
}

// forward: params g=0 x=1 y=2 rows=3 stride=4; locals jb=5 p=6 i=7 strideBytes=8 xp=9 p2=10, acc v128 11..18, s=19, s1=20.
// Rows go two at a time (two splats, twice the independent loads per pass), then a last single row if odd.
function forwardBody(): number[] {
  const [g, x, y, rows, stride, jb, p, i, sb, xp, p2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const acc = (k: number) => 11 + k;
  const s = 19, s1 = 20;
  const b = new Body();
  b.get(stride).i32(2).raw(op.i32Shl).set(sb);
  b.i32(0).set(jb);
  const columnBlock = (width: number) => {
    const nAcc = width / 4;
    b.raw(op.block, op.void, op.loop, op.void);
    b.breakIfPast(jb, width * 4, sb, 1);
    for (let k = 0; k < nAcc; k++) b.v128Zero().set(acc(k));
    b.get(g).get(jb).raw(op.i32Add).set(p);
    b.get(x).set(xp);
    b.get(rows).set(i);
    // Pairs of rows.
    b.raw(op.block, op.void, op.loop, op.void);
    b.get(i).i32(2).raw(op.i32LtS, op.brIf, 1);
    b.get(xp).raw(op.f32Load, 2, 0).simd(simd.f32x4Splat).set(s);
    b.get(xp).raw(op.f32Load, 2, 4).simd(simd.f32x4Splat).set(s1);
    b.get(p).get(sb).raw(op.i32Add).set(p2);
    for (let k = 0; k < nAcc; k++) {
      b.get(acc(k)).get(s).get(p).v128Load(16 * k).simd(simd.f32x4Mul).simd(simd.f32x4Add);
      b.get(s1).get(p2).v128Load(16 * k).simd(simd.f32x4Mul).simd(simd.f32x4Add).set(acc(k));
    }
    b.get(p2).get(sb).raw(op.i32Add).set(p);
    b.addTo(xp, 8).addTo(i, -2);
    b.raw(op.br, 0, op.end, op.end);
    // The last row when rows is odd.
    b.raw(op.block, op.void);
    b.get(i).raw(op.i32Eqz, op.brIf, 0);
    b.get(xp).raw(op.f32Load, 2, 0).simd(simd.f32x4Splat).set(s);
    for (let k = 0; k < nAcc; k++) {
      b.get(acc(k)).get(s).get(p).v128Load(16 * k).simd(simd.f32x4Mul).simd(simd.f32x4Add).set(acc(k));
    }
    b.raw(op.end);
    for (let k = 0; k < nAcc; k++) b.get(y).get(jb).raw(op.i32Add).get(acc(k)).v128Store(16 * k);
    b.addTo(jb, width * 4);
    b.raw(op.br, 0, op.end, op.end);
  };
  columnBlock(32);
  columnBlock(4);
  b.raw(op.end);
  return withLocals([[6, I32], [10, V128]], b.bytes);
}

// transposed: params g=0 x=1 y=2 rows=3 stride=4; locals p=5 yp=6 r=7 q=8 xq=9 end=10, a v128 11..14
function transposedBody(): number[] {
  const [g, x, y, rows, stride, p, yp, r, q, xq, end] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const a = (k: number) => 11 + k;
  const b = new Body();
  b.get(g).set(p).get(y).set(yp).get(rows).set(r);
  b.raw(op.block, op.void, op.loop, op.void);
  b.get(r).raw(op.i32Eqz, op.brIf, 1);
  for (let k = 0; k < 4; k++) b.v128Zero().set(a(k));
  b.get(p).tee(q).get(stride).i32(2).raw(op.i32Shl, op.i32Add).set(end);
  b.get(x).set(xq);
  for (const width of [16, 4]) {
    const n = width / 4;
    b.raw(op.block, op.void, op.loop, op.void);
    b.breakIfPast(q, width * 4, end, 1);
    for (let k = 0; k < n; k++) b.get(a(k)).get(q).v128Load(16 * k).get(xq).v128Load(16 * k).simd(simd.f32x4Mul).simd(simd.f32x4Add).set(a(k));
    b.addTo(q, width * 4).addTo(xq, width * 4);
    b.raw(op.br, 0, op.end, op.end);
  }
  b.get(a(0)).get(a(1)).simd(simd.f32x4Add).get(a(2)).get(a(3)).simd(simd.f32x4Add).simd(simd.f32x4Add).set(a(0));
  b.get(yp);
  b.get(a(0)).simd(simd.f32x4ExtractLane, 0).get(a(0)).simd(simd.f32x4ExtractLane, 1).raw(op.f32Add);
  b.get(a(0)).simd(simd.f32x4ExtractLane, 2).get(a(0)).simd(simd.f32x4ExtractLane, 3).raw(op.f32Add, op.f32Add);
  b.raw(op.f32Store, 2, 0);
  b.get(end).set(p).addTo(yp, 4).addTo(r, -1);
  b.raw(op.br, 0, op.end, op.end);
  b.raw(op.end);
  return withLocals([[6, I32], [4, V128]], b.bytes);
}

function withLocals(groups: Array<[count: number, type: number]>, code: number[]): number[] {
  const body = [...uleb(groups.length), ...groups.flatMap(([n, t]) => [...uleb(n), t]), ...code];
  return [...uleb(body.length), ...body];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function name(s: string): number[] {
  const b = [...Buffer.from(s, "utf8")];
  return [...uleb(b.length), ...b];
}

/** The module's bytes. */
export function kernelModuleBytes(): Uint8Array {
  const type = section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 0]);
  const imports = section(2, [1, ...name("env"), ...name("mem"), 0x02, 0x00, 1]);
  const funcs = section(3, [2, 0, 0]);
  const exports = section(7, [2, ...name("forward"), 0x00, 0, ...name("transposed"), 0x00, 1]);
  const code = section(10, [2, ...forwardBody(), ...transposedBody()]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...funcs, ...exports, ...code]);
}

export interface KernelExports {
  forward(g: number, x: number, y: number, rows: number, stride: number): void;
  transposed(g: number, x: number, y: number, rows: number, stride: number): void;
}

let compiled: object | null = null;

/** Instantiates the kernels over `memory` (compiled once per process). */
export function instantiateKernels(memory: WasmMemory): KernelExports {
  compiled ??= new WebAssembly.Module(kernelModuleBytes());
  return new WebAssembly.Instance(compiled, { env: { mem: memory } }).exports as unknown as KernelExports;
}
