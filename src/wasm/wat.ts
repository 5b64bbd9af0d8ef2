// Kernels are kept as WebAssembly text (.wat files beside the TypeScript that drives them) and assembled
// here with wabt, WABT's own parser built to wasm, when first asked for: once per file (and constants) per
// process. A line `;; include PATH` takes in the text of another .wat (functions shared by kernels: wasm
// modules cannot share functions without linking them at run time). tsc copies no .wat into dist/, so a kernel is named by its path from the package root (the folder
// holding package.json above this module), which is the same from src/ and from dist/src/.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import loadWabt from "wabt";
import { compileBinary, type WasmModule } from "./runtime.js";

// wabt's loader is asynchronous; the kernels' users construct synchronously, so it is awaited once here.
const wabt = await loadWabt();

/** The post-MVP feature the kernels use (Node 20 has it). */
const FEATURES = { simd: true };

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("wasm kernels: no package.json above src/wasm");
    dir = up;
  }
  return dir;
}

/** WAT text to wasm bytes; a syntax or validation error names the file and line. */
export function assembleWat(fileName: string, text: string): Uint8Array {
  const parsed = wabt.parseWat(fileName, text, FEATURES);
  try {
    parsed.resolveNames();
    parsed.validate();
    return parsed.toBinary({ write_debug_names: true }).buffer;
  } finally {
    parsed.destroy();
  }
}

/**
 * Binds i32 globals of the text to constants: `(global $name i32 (i32.const …))` takes the value and each
 * `(global.get $name)` becomes `(i32.const value)`. V8 folds constants but not immutable globals, so a
 * kernel that branches on a global inside its loop is assembled once per value this way.
 */
export function bindGlobals(fileName: string, text: string, constants: Record<string, number>): string {
  for (const [name, value] of Object.entries(constants)) {
    const declaration = new RegExp(`\\(global \\$${name} i32 \\(i32\\.const -?\\d+\\)\\)`);
    if (!declaration.test(text)) throw new Error(`${fileName}: no immutable i32 global $${name} to bind`);
    text = text.replace(declaration, `(global $${name} i32 (i32.const ${value | 0}))`).replaceAll(`(global.get $${name})`, `(i32.const ${value | 0})`);
  }
  return text;
}

const INCLUDE = /^[ \t]*;; include (\S+)[ \t]*$/m;

/** The text with each `;; include PATH` line replaced by the text of PATH (from the package root), once, not nested. */
export function expandIncludes(fileName: string, text: string, read: (pathFromRoot: string) => string): string {
  for (let m = INCLUDE.exec(text); m; m = INCLUDE.exec(text)) {
    const included = read(m[1]!);
    if (INCLUDE.test(included)) throw new Error(`${m[1]}: included by ${fileName}, and includes another file (one level only)`);
    text = text.slice(0, m.index) + included + text.slice(m.index + m[0].length);
  }
  return text;
}

const compiled = new Map<string, WasmModule>();

/**
 * The compiled module of the kernel at `pathFromRoot` (e.g. "sim/devices/pulse-kernel.wat"), with the
 * globals named in `constants` bound to those values (see bindGlobals).
 */
export function watModule(pathFromRoot: string, constants: Record<string, number> = {}): WasmModule {
  const key = `${pathFromRoot} ${JSON.stringify(constants)}`;
  let module = compiled.get(key);
  if (!module) {
    const read = (path: string) => readFileSync(join(packageRoot(), path), "utf8");
    const text = expandIncludes(pathFromRoot, read(pathFromRoot), read);
    module = compileBinary(assembleWat(pathFromRoot, bindGlobals(pathFromRoot, text, constants)));
    compiled.set(key, module);
  }
  return module;
}
