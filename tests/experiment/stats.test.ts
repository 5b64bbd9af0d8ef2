import { describe, expect, it } from "vitest";
import { demingFit } from "../../src/experiment/deming.js";
import { ols, partialR2, varianceInflationFactor } from "../../src/experiment/ols.js";
import { clusterBootstrap } from "../../src/experiment/bootstrap.js";
import { Rng } from "../../src/random/rng.js";

describe("Deming regression", () => {
  it("recovers an exact line whatever the error-variance ratio", () => {
    const x = [1, 2, 3, 4, 5];
    const y = x.map((v) => 3 + 2 * v);
    for (const d of [0.01, 1, 100]) {
      const f = demingFit(x, y, d);
      expect(f.slope).toBeCloseTo(2, 12);
      expect(f.intercept).toBeCloseTo(3, 12);
    }
  });

  it("with δ = 1 gives the orthogonal (major-axis) slope; large δ tends to OLS of y on x, small δ to OLS of x on y", () => {
    // Points (0,0), (1,0), (0,1), (1,1)+(2,2): sxx = syy, sxy > 0 → orthogonal slope exactly 1.
    const x = [0, 1, 0, 1, 2];
    const y = [0, 0, 1, 1, 2];
    expect(demingFit(x, y, 1).slope).toBeCloseTo(1, 12);
    const x2 = [0, 1, 2, 3, 4];
    const y2 = [0, 2, 1, 4, 3];
    const olsYonX = ols(y2, [x2]).coefficients[1]!;
    const olsXonY = 1 / ols(x2, [y2]).coefficients[1]!;
    expect(demingFit(x2, y2, 1e9).slope).toBeCloseTo(olsYonX, 6);
    expect(demingFit(x2, y2, 1e-9).slope).toBeCloseTo(olsXonY, 6);
  });

  it("is unbiased under noise in x where OLS is attenuated", () => {
    const rng = new Rng(5);
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const t = 3 * rng.normal();
      x.push(t + rng.normal());
      y.push(2 * t + 2 * rng.normal()); // Var(ε_y)/Var(ε_x) = 4
    }
    expect(demingFit(x, y, 4).slope).toBeCloseTo(2, 1);
    expect(ols(y, [x]).coefficients[1]!).toBeLessThan(1.9); // attenuated by 9/10
  });

  it("matches scipy.odr (orthogonal distance regression with σ_x = 1, σ_y = 2) on a fixed data set", () => {
    // Reference: scipy 1.17 odr.ODR(RealData(x, y, sx=1, sy=2), linear).run().beta = [0.30132264, 2.06426601].
    const x = [0.5, 1.1, 2.3, 2.9, 4.2, 5.1, 6.3, 7.0];
    const y = [1.9, 2.2, 5.1, 5.8, 9.7, 10.1, 13.4, 14.9];
    const f = demingFit(x, y, 4);
    expect(f.slope).toBeCloseTo(2.06426601, 6);
    expect(f.intercept).toBeCloseTo(0.30132264, 5);
  });

  it("refuses mismatched or too short input with a clear error", () => {
    expect(() => demingFit([1, 2], [1], 1)).toThrow(/x has 2 values, y has 1/);
    expect(() => demingFit([1], [1], 1)).toThrow(/at least 2 points/);
    expect(() => demingFit([1, 2], [1, 2], 0)).toThrow(/errorVarianceRatio/);
  });
});

describe("OLS and partial R²", () => {
  it("fits a known plane exactly", () => {
    const a = [1, 2, 3, 4, 5, 6];
    const b = [2, 1, 4, 3, 6, 5];
    const y = a.map((v, i) => 1 + 2 * v - 3 * b[i]!);
    const f = ols(y, [a, b]);
    expect(f.coefficients[0]).toBeCloseTo(1, 10);
    expect(f.coefficients[1]).toBeCloseTo(2, 10);
    expect(f.coefficients[2]).toBeCloseTo(-3, 10);
    expect(f.r2).toBeCloseTo(1, 12);
  });

  it("partial R² of a predictor y does not depend on is ≈ 0, of the one it does depend on ≈ 1", () => {
    const rng = new Rng(9);
    const a: number[] = [];
    const b: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 500; i++) {
      const u = rng.normal();
      a.push(u);
      b.push(u + rng.normal()); // correlated with a, but y does not depend on it
      y.push(2 * u + 0.01 * rng.normal());
    }
    expect(partialR2(y, [b], [a])!.partialR2).toBeLessThan(0.02);
    expect(partialR2(y, [a], [b])!.partialR2).toBeGreaterThan(0.99);
  });

  it("VIF of a predictor against others: 1/(1 − R²) — 25/9 at correlation 0.8, 1 alone, ∞ when reproduced exactly", () => {
    // t and o: centred (−1.5, −0.5, 0.5, 1.5) and (−1.5, 0.5, −0.5, 1.5): Σt·o = 4, Σt² = Σo² = 5, r = 0.8.
    const t = [1, 2, 3, 4];
    const o = [1, 3, 2, 4];
    expect(varianceInflationFactor(t, [o])).toBeCloseTo(25 / 9, 12);
    expect(varianceInflationFactor(t, [])).toBe(1);
    expect(varianceInflationFactor(t, [t.map((v) => 3 * v - 1)])).toBe(Number.POSITIVE_INFINITY);
    // Two others that together reproduce t up to one residual: R² from the exact fit of the plane.
    const a = [1, 0, 0, 1, 1];
    const b = [0, 1, 0, 1, 2];
    const y = [1, 1, 0, 2, 4]; // = a + b except the last (3 → 4)
    const r2 = ols(y, [a, b]).r2;
    expect(varianceInflationFactor(y, [a, b])).toBeCloseTo(1 / (1 - r2), 12);
    expect(r2).toBeGreaterThan(0.8);
  });

  it("returns null for collinear predictors", () => {
    const a = [1, 2, 3, 4];
    expect(partialR2([1, 3, 2, 4], [a.map((v) => 2 * v)], [a])).toBeNull();
  });
});

describe("cluster bootstrap", () => {
  it("is reproducible from its seed and resamples whole clusters", () => {
    // Two clusters of identical values: every resample's mean is one of 0, 0.5 or 1.
    const items = [...Array(5).fill(0), ...Array(5).fill(1)].map((v, i) => ({ v, c: v === 0 ? "a" : "b", i }));
    const stat = (s: readonly { v: number }[]) => s.reduce((t, o) => t + o.v, 0) / s.length;
    const r1 = clusterBootstrap(items, (o) => o.c, stat, { resamples: 300, seed: 11 });
    const r2 = clusterBootstrap([...items].reverse(), (o) => o.c, stat, { resamples: 300, seed: 11 });
    expect(r1).toEqual(r2);
    expect(r1.estimate).toBe(0.5);
    expect(r1.lower).toBe(0);
    expect(r1.upper).toBe(1);
  });
});
