// A small WebAssembly assembler: functions with named locals, emitted as bytes (no external toolchain).
// Node ≥ 20 runs wasm (and its SIMD) natively; the kernels are assembled once per process.

/** The slice of the WebAssembly JS API used here (tsconfig's lib has no DOM/WebAssembly typings). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
};

/** A fresh wasm memory of at least `bytes` bytes (it never grows, so views on it stay valid). */
export function newWasmMemory(bytes: number): WasmMemory {
  return new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
}

export function compileModule(bytes: Uint8Array): object {
  return new WebAssembly.Module(bytes);
}

export function instantiate(module: object, imports: Record<string, Record<string, unknown>>): Record<string, unknown> {
  return new WebAssembly.Instance(module, imports).exports;
}

export type ValType = "i32" | "f32" | "f64" | "v128";
const TYPE_CODE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Opcodes used by the kernels (WebAssembly core spec §5.4). */
export const OP = {
  block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, brIf: 0x0d, return: 0x0f, call: 0x10, select: 0x1b,
  i32Load: 0x28, f32Load: 0x2a, f64Load: 0x2b, i32Load8U: 0x2d, i32Store: 0x36, f32Store: 0x38, f64Store: 0x39, i32Store8: 0x3a,
  i32Eqz: 0x45, i32Eq: 0x46, i32Ne: 0x47, i32LtS: 0x48, i32LtU: 0x49, i32GtS: 0x4a, i32GtU: 0x4b, i32LeS: 0x4c, i32GeS: 0x4e, i32GeU: 0x4f,
  f64Eq: 0x61, f64Ne: 0x62, f64Lt: 0x63, f64Gt: 0x64, f64Le: 0x65, f64Ge: 0x66,
  i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32And: 0x71, i32Or: 0x72, i32Xor: 0x73, i32Shl: 0x74, i32ShrS: 0x75, i32ShrU: 0x76, i32Rotl: 0x77,
  f32Add: 0x92, f64Neg: 0x9a, f64Sqrt: 0x9f, f64Add: 0xa0, f64Sub: 0xa1, f64Mul: 0xa2, f64Div: 0xa3,
  f64ConvertI32S: 0xb7, f64ConvertI32U: 0xb8,
} as const;
const SIMD_PREFIX = 0xfd;
/** SIMD opcodes (after the 0xfd prefix). */
export const SIMD = { load: 0x00, store: 0x0b, const: 0x0c, f32x4Splat: 0x13, f32x4ExtractLane: 0x1f, f32x4Add: 0xe4, f32x4Mul: 0xe6 } as const;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
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

const f64Bytes = (x: number): number[] => [...new Uint8Array(new Float64Array([x]).buffer)];
/** Natural alignment (log2 bytes) of each memory access opcode. */
const ALIGN: Partial<Record<number, number>> = {
  [OP.i32Load]: 2, [OP.f32Load]: 2, [OP.f64Load]: 3, [OP.i32Load8U]: 0, [OP.i32Store]: 2, [OP.f32Store]: 2, [OP.f64Store]: 3, [OP.i32Store8]: 0,
};

/** One function's body: parameters and locals by name, instructions appended in order. */
export class FunctionBuilder {
  readonly bytes: number[] = [];
  private readonly index = new Map<string, number>();
  private readonly localTypes: ValType[] = [];
  readonly paramTypes: ValType[];

  constructor(params: Array<[name: string, type: ValType]>, readonly resultTypes: ValType[] = []) {
    this.paramTypes = params.map(([, t]) => t);
    params.forEach(([n], i) => this.index.set(n, i));
  }

  /** Declares locals (all zero on entry). */
  locals(type: ValType, ...names: string[]): this {
    for (const n of names) {
      if (this.index.has(n)) throw new Error(`wasm local "${n}" declared twice`);
      this.index.set(n, this.paramTypes.length + this.localTypes.length);
      this.localTypes.push(type);
    }
    return this;
  }

  private at(name: string): number[] {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`wasm local "${name}" is not declared`);
    return uleb(i);
  }

  op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  get(...names: string[]): this {
    for (const n of names) this.bytes.push(0x20, ...this.at(n));
    return this;
  }
  set(name: string): this {
    return this.op(0x21, ...this.at(name));
  }
  tee(name: string): this {
    return this.op(0x22, ...this.at(name));
  }
  i32(n: number): this {
    return this.op(0x41, ...sleb(n | 0));
  }
  f64(x: number): this {
    return this.op(0x44, ...f64Bytes(x));
  }
  /** A load or store with its natural alignment and a constant byte offset. */
  mem(opcode: number, offset = 0): this {
    return this.op(opcode, ALIGN[opcode]!, ...uleb(offset));
  }
  simd(code: number, ...imm: number[]): this {
    return this.op(SIMD_PREFIX, ...uleb(code), ...imm);
  }
  v128Load(offset: number): this {
    return this.simd(SIMD.load, 4, ...uleb(offset));
  }
  v128Store(offset: number): this {
    return this.simd(SIMD.store, 4, ...uleb(offset));
  }
  v128Zero(): this {
    return this.simd(SIMD.const, ...new Array<number>(16).fill(0));
  }
  /** local += v (an i32 constant or another local). */
  addTo(name: string, v: string | number): this {
    this.get(name);
    if (typeof v === "number") this.i32(v);
    else this.get(v);
    return this.op(OP.i32Add).set(name);
  }
  call(funcIndex: number): this {
    return this.op(OP.call, ...uleb(funcIndex));
  }
  /** block … end (br 0 inside leaves it). */
  block(body: () => void): this {
    this.op(OP.block, 0x40);
    body();
    return this.op(OP.end);
  }
  /** loop … end (br 0 inside repeats it). */
  loop(body: () => void): this {
    this.op(OP.loop, 0x40);
    body();
    return this.op(OP.end);
  }
  /** if (condition on the stack) … else … end, no result. */
  if(then: () => void, otherwise?: () => void): this {
    this.op(OP.if, 0x40);
    then();
    if (otherwise) {
      this.op(OP.else);
      otherwise();
    }
    return this.op(OP.end);
  }
  /** if with an f64 result. */
  ifF64(then: () => void, otherwise: () => void): this {
    this.op(OP.if, TYPE_CODE.f64);
    then();
    this.op(OP.else);
    otherwise();
    return this.op(OP.end);
  }
  br(depth: number): this {
    return this.op(OP.br, ...uleb(depth));
  }
  brIf(depth: number): this {
    return this.op(OP.brIf, ...uleb(depth));
  }

  /** The function's code entry (size-prefixed locals and body). */
  encode(): number[] {
    const groups: Array<[number, ValType]> = [];
    for (const t of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const body = [...uleb(groups.length), ...groups.flatMap(([n, t]) => [...uleb(n), TYPE_CODE[t]]), ...this.bytes, OP.end];
    return [...uleb(body.length), ...body];
  }
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function name(s: string): number[] {
  const b = [...Buffer.from(s, "utf8")];
  return [...uleb(b.length), ...b];
}

function funcType(params: ValType[], results: ValType[]): number[] {
  return [0x60, ...uleb(params.length), ...params.map((t) => TYPE_CODE[t]), ...uleb(results.length), ...results.map((t) => TYPE_CODE[t])];
}

/**
 * A module importing one memory (env.mem) and any functions, exporting the functions it defines.
 * Imported functions take the first indices, in order of import, then defined functions in order.
 */
export class ModuleBuilder {
  private readonly imports: Array<{ module: string; field: string; params: ValType[]; results: ValType[] }> = [];
  private readonly funcs: Array<{ name: string; fn: FunctionBuilder; exported: boolean }> = [];

  /** Imports a function; returns its index for `call`. */
  importFunction(module: string, field: string, params: ValType[], results: ValType[]): number {
    if (this.funcs.length > 0) throw new Error("import functions before defining any");
    this.imports.push({ module, field, params, results });
    return this.imports.length - 1;
  }

  /** The index the next defined function will get (for calls to it from functions defined later). */
  nextIndex(): number {
    return this.imports.length + this.funcs.length;
  }

  define(fnName: string, fn: FunctionBuilder, exported = true): number {
    this.funcs.push({ name: fnName, fn, exported });
    return this.imports.length + this.funcs.length - 1;
  }

  bytes(): Uint8Array {
    const types: number[][] = [];
    const typeIndex = (params: ValType[], results: ValType[]) => {
      const t = funcType(params, results);
      let i = types.findIndex((x) => x.length === t.length && x.every((b, k) => b === t[k]));
      if (i < 0) i = types.push(t) - 1;
      return i;
    };
    const importEntries = this.imports.map((im) => [...name(im.module), ...name(im.field), 0x00, ...uleb(typeIndex(im.params, im.results))]);
    const funcTypes = this.funcs.map((f) => typeIndex(f.fn.paramTypes, f.fn.resultTypes));
    const memoryImport = [...name("env"), ...name("mem"), 0x02, 0x00, 1];
    const exported = this.funcs.map((f, k) => ({ ...f, index: this.imports.length + k })).filter((f) => f.exported);
    return new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      ...section(1, [...uleb(types.length), ...types.flat()]),
      ...section(2, [...uleb(importEntries.length + 1), ...importEntries.flat(), ...memoryImport]),
      ...section(3, [...uleb(funcTypes.length), ...funcTypes.flatMap((t) => uleb(t))]),
      ...section(7, [...uleb(exported.length), ...exported.flatMap((f) => [...name(f.name), 0x00, ...uleb(f.index)])]),
      ...section(10, [...uleb(this.funcs.length), ...this.funcs.flatMap((f) => f.fn.encode())]),
    ]);
  }
}
