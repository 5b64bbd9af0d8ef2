// The slice of the WebAssembly JS API the kernels use (tsconfig's lib has no DOM/WebAssembly typings).
// Node ≥ 20 runs wasm, and its SIMD, natively.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** A compiled module (WebAssembly.Module): compile once, instantiate as often as needed. */
export type WasmModule = object;

/** An exported global (WebAssembly.Global). */
export interface WasmGlobal {
  readonly value: number;
}

declare const WebAssembly: {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
};

/** `bytes` rounded up to a multiple of 16: where each array of a kernel's memory starts (v128 loads align to it). */
export function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** A fresh wasm memory of at least `bytes` bytes (it never grows, so views on it stay valid). */
export function newWasmMemory(bytes: number): WasmMemory {
  return new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
}

export function compileBinary(bytes: Uint8Array): WasmModule {
  return new WebAssembly.Module(bytes);
}

export function instantiate(module: WasmModule, imports: Record<string, Record<string, unknown>>): Record<string, unknown> {
  return new WebAssembly.Instance(module, imports).exports;
}
