// Pooled result arrays behave like fresh ones: zeroed, disjoint, the requested length.
import { describe, expect, it } from "vitest";
import { newFloat64Array } from "../../src/hal/float64-slab.js";

describe("newFloat64Array", () => {
  it("gives zeroed arrays that share no element, across slab boundaries and for long arrays", () => {
    const arrays: Float64Array[] = [];
    for (const length of [0, 1, 7, 64, 256, 1024, 1025, 5000, 64, 3]) {
      for (let r = 0; r < 40; r++) {
        const a = newFloat64Array(length);
        expect(a.length).toBe(length);
        expect(a.every((v) => v === 0)).toBe(true);
        a.fill(arrays.length + 1);
        arrays.push(a);
      }
    }
    arrays.forEach((a, k) => expect(a.every((v) => v === k + 1)).toBe(true));
  });
});
