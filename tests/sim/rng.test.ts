// The seeded generator's normal deviates (ziggurat): the right distribution, one stream whichever call draws it.
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/random/rng.js";

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
});
