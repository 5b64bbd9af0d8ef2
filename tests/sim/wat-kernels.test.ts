// The kernels' text is assembled as written: every .wat file assembles (SIMD and all), once per process,
// a law bound to a constant reaches every use, and a broken kernel fails naming its file and line.
import { describe, expect, it } from "vitest";
import { assembleWat, bindGlobals, expandIncludes, watModule } from "../../src/wasm/wat.js";

const PULSE = "sim/devices/pulse-kernel.wat";
const PRODUCTS = "sim/crossbar/mvm-kernels.wat";

describe("WAT kernels", () => {
  it("assemble, each once per process and set of constants", () => {
    const products = watModule(PRODUCTS);
    expect(watModule(PRODUCTS)).toBe(products);
    const laws = [0, 1, 2].map((law) => watModule(PULSE, { law }));
    expect(new Set(laws).size).toBe(3);
    expect(watModule(PULSE, { law: 1 })).toBe(laws[1]);
  });

  it("bind a global to a constant in its declaration and at every use", () => {
    const text = "(module (global $law i32 (i32.const 0)) (func (result i32) (i32.add (global.get $law) (global.get $law))))";
    const bound = bindGlobals("t.wat", text, { law: 2 });
    expect(bound).toBe("(module (global $law i32 (i32.const 2)) (func (result i32) (i32.add (i32.const 2) (i32.const 2))))");
    expect(assembleWat("t.wat", bound).length).toBeGreaterThan(8);
    expect(() => bindGlobals("t.wat", text, { rate: 1 })).toThrow("t.wat: no immutable i32 global $rate to bind");
  });

  it("take in an included file's text in place of its include line, one level deep", () => {
    const files: Record<string, string> = { "a.wat": "  (func $one (result i32) (i32.const 1))", "nested.wat": ";; include a.wat" };
    const read = (path: string) => files[path]!;
    const text = expandIncludes("m.wat", "(module\n  ;; include a.wat\n  (func (export \"two\") (result i32) (i32.add (call $one) (call $one))))", read);
    expect(text).toBe("(module\n  (func $one (result i32) (i32.const 1))\n  (func (export \"two\") (result i32) (i32.add (call $one) (call $one))))");
    expect(assembleWat("m.wat", text).length).toBeGreaterThan(8);
    expect(() => expandIncludes("m.wat", ";; include nested.wat", read)).toThrow("nested.wat: included by m.wat, and includes another file (one level only)");
  });

  it("report a broken kernel by file, line and column", () => {
    expect(() => assembleWat("broken.wat", "(module\n  (func (result i32)\n    (i32.add (i32.const 1))))")).toThrow(/broken\.wat:3:6: error: type mismatch in i32\.add/);
    expect(() => assembleWat("typo.wat", "(module\n  (func (result i32) (i32.cnst 1)))")).toThrow(/typo\.wat:2:23: error: unexpected token "i32\.cnst"/);
  });
});
