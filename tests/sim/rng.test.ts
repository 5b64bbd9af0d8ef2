// The seeded generator's normal deviates (ziggurat): the right distribution, one stream whichever call draws it.
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/random/rng.js";
import { NormalFiller } from "../../src/random/normal-fill.js";

describe("Rng.normal (ziggurat)", () => {
  it("has mean 0, variance 1, kurtosis 3 and the normal tail probabilities", () => {
    const r = new Rng(42);
    const n = 400_000;
    let s1 = 0, s2 = 0, s4 = 0, beyond1 = 0, beyond2 = 0, beyond3 = 0;
    for (let k = 0; k < n; k++) {
      const x = r.normal();
      s1 += x; s2 += x * x; s4 += x ** 4;
      const a = Math.abs(x);
      if (a > 1) beyond1++;
      if (a > 2) beyond2++;
      if (a > 3) beyond3++;
    }
    expect(Math.abs(s1 / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(s4 / n - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
    // P(|Z| > 1, 2, 3) = 0.3173, 0.04550, 0.002700; 5 binomial standard errors.
    for (const [count, p] of [[beyond1, 0.317311], [beyond2, 0.0455003], [beyond3, 0.0026998]] as const) {
      expect(Math.abs(count / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    }
  });

  it("fillNormal draws exactly what repeated normal() would, and state save/restore replays it", () => {
    const a = new Rng("x"), b = new Rng("x");
    const batch = b.fillNormal(new Float64Array(10_000));
    for (let k = 0; k < batch.length; k++) expect(a.normal()).toBe(batch[k]);
    expect(a.nextUint32()).toBe(b.nextUint32());
    const saved = a.getState();
    const first = [a.normal(), a.uniform(), a.nextUint32()];
    a.setState(saved);
    expect([a.normal(), a.uniform(), a.nextUint32()]).toEqual(first);
  });

  it("the wasm NormalFiller draws fillNormal's deviates over 4,000,000 draws (~120,000 wedge tests and base-strip tails)", () => {
    const js = new Rng(11), wasm = new Rng(11);
    const filler = new NormalFiller(4096);
    const expected = new Float64Array(4096);
    for (let round = 0; round < 1000; round++) {
      js.fillNormal(expected, 0, 4000);
      const got = filler.fill(wasm, 4000);
      for (let k = 0; k < 4000; k++) if (!Object.is(got[k], expected[k])) expect.fail(`round ${round}, deviate ${k}: ${got[k]} against ${expected[k]}`);
    }
    expect(wasm.getState()).toEqual(js.getState());
  });

  it("the wasm NormalFiller draws exactly what fillNormal would, tails included, and leaves the same state", () => {
    const js = new Rng(7), wasm = new Rng(7);
    const filler = new NormalFiller(256);
    const expected = new Float64Array(256);
    let tails = 0;
    for (let round = 0; round < 400; round++) {
      const n = 1 + (round * 37) % 256; // odd and even lengths, up to the capacity
      js.fillNormal(expected, 0, n);
      const got = filler.fill(wasm, n);
      for (let k = 0; k < n; k++) {
        if (!Object.is(got[k], expected[k])) expect.fail(`round ${round}, deviate ${k}: ${got[k]} against ${expected[k]}`);
        if (Math.abs(expected[k]!) > 3.442619855899) tails++; // beyond R: the base strip's tail, drawn in $tail
      }
      expect(wasm.nextUint32()).toBe(js.nextUint32());
    }
    expect(tails).toBeGreaterThan(0);
    // A state saved with a cached deviate (before the ziggurat) gives that deviate first, as fillNormal does.
    const old = { s: js.getState().s, spare: 0.25 };
    js.setState(old);
    wasm.setState(old);
    expect(Array.from(filler.fill(wasm, 5).subarray(0, 5))).toEqual(Array.from(js.fillNormal(new Float64Array(5))));
    expect(wasm.getState()).toEqual(js.getState());
    expect(() => filler.fill(wasm, 257)).toThrow("NormalFiller: 257 deviates asked of a buffer of 256");
  });
});
