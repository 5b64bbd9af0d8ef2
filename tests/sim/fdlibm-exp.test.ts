// exp in WebAssembly (src/random/fdlibm-exp.wat) gives Math.exp's bits: the ziggurat's tail and the exponential
// pulse law compute it in wasm instead of calling out, and the simulator's draws and laws must not change. Checked
// bit for bit (Object.is: −0 and NaN too) on the arguments those kernels pass and across the whole double range.
import { describe, expect, it } from "vitest";
import { assembleWat, expandIncludes } from "../../src/wasm/wat.js";
import { compileBinary, instantiate } from "../../src/wasm/runtime.js";
import { readFileSync } from "node:fs";
import { Rng } from "../../src/random/rng.js";

const text = expandIncludes(
  "exp-test.wat",
  `(module
  (import "math" "exp" (func $mathExp (param f64) (result f64)))
  ;; include src/random/fdlibm-exp.wat
  (func (export "exp") (param f64) (result f64) (call $exp (local.get 0))))`,
  (path) => readFileSync(path, "utf8"),
);
const calls = { n: 0 };
const wasmExp = instantiate(compileBinary(assembleWat("exp-test.wat", text)), {
  math: { exp: (x: number) => (calls.n++, Math.exp(x)) },
}).exp as (x: number) => number;

function firstDifference(xs: Iterable<number>): number | null {
  for (const x of xs) if (!Object.is(wasmExp(x), Math.exp(x))) return x;
  return null;
}

describe("fdlibm exp in wasm", () => {
  it("equals Math.exp on the ziggurat's wedge arguments −x²/2, |x| ≤ 3.4426 (2,000,000 draws)", () => {
    const rng = new Rng("exp-wedge");
    const xs = function* () {
      for (let i = 0; i < 2_000_000; i++) {
        const x = 3.442619855899 * rng.uniform();
        yield -0.5 * x * x;
      }
    };
    expect(firstDifference(xs())).toBeNull();
  });

  it("equals Math.exp across the double range, at every branch edge, and leaves only |x| ≥ 700 to Math.exp", () => {
    const rng = new Rng("exp-range");
    const xs: number[] = [];
    for (let i = 0; i < 500_000; i++) xs.push((rng.uniform() * 2 - 1) * 760);
    for (let i = 0; i < 500_000; i++) xs.push((rng.uniform() * 2 - 1) * Math.pow(2, -40 + 45 * rng.uniform()));
    const ln2 = Math.LN2;
    for (const edge of [0.5 * ln2, 1.5 * ln2, Math.pow(2, -28), 700, 709.782712893384, 745.1332191019412, 1, 0.5, 2]) {
      for (const sign of [1, -1]) {
        let x = sign * edge;
        for (let k = 0; k < 40; k++) {
          xs.push(x);
          x = nextAfter(x, 0);
        }
        x = sign * edge;
        for (let k = 0; k < 40; k++) {
          xs.push(x);
          x = nextAfter(x, sign * Infinity);
        }
      }
    }
    xs.push(0, -0, Number.MIN_VALUE, -Number.MIN_VALUE, NaN, Infinity, -Infinity, 1e-310, -1e-310);
    calls.n = 0;
    expect(firstDifference(xs)).toBeNull();
    const outside = xs.filter((x) => !(Math.abs(x) < 700)).length;
    expect(calls.n).toBe(outside);
  });
});

/** The double next to x towards `to`. */
function nextAfter(x: number, to: number): number {
  if (Number.isNaN(x) || x === to) return x;
  if (x === 0) return to > 0 ? Number.MIN_VALUE : -Number.MIN_VALUE;
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  const bits = b.getBigUint64(0);
  b.setBigUint64(0, (x < to) === (x > 0) ? bits + 1n : bits - 1n);
  return b.getFloat64(0);
}
