// Ordinary least squares with an intercept, and the partial R² of one block of predictors given another.

export interface OlsFit {
  /** Intercept first, then one coefficient per predictor column, in order. */
  coefficients: number[];
  /** Residual sum of squares. */
  sse: number;
  /** Total sum of squares about the mean of y. */
  sst: number;
  r2: number;
  n: number;
  /** Parameters fitted, intercept included. */
  p: number;
}

/** Fits y = b0 + Σ b_k·x_k by least squares. `columns[k][i]` is predictor k at observation i. */
export function ols(y: readonly number[], columns: readonly (readonly number[])[]): OlsFit {
  const n = y.length;
  const p = columns.length + 1;
  for (const [k, c] of columns.entries()) {
    if (c.length !== n) throw new Error(`ols: predictor ${k} has ${c.length} values, y has ${n}`);
  }
  if (n < p) throw new Error(`ols: ${n} observations cannot fit ${p} parameters`);
  // Centre every column so the normal equations stay well conditioned; the intercept follows from the means.
  const yMean = mean(y);
  const means = columns.map(mean);
  const xc = columns.map((c, k) => c.map((v) => v - means[k]!));
  const yc = y.map((v) => v - yMean);
  const q = columns.length;
  const xtx: number[][] = Array.from({ length: q }, () => new Array<number>(q).fill(0));
  const xty = new Array<number>(q).fill(0);
  for (let a = 0; a < q; a++) {
    for (let b = a; b < q; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += xc[a]![i]! * xc[b]![i]!;
      xtx[a]![b] = s;
      xtx[b]![a] = s;
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += xc[a]![i]! * yc[i]!;
    xty[a] = s;
  }
  const slopes = q === 0 ? [] : solveSymmetric(xtx, xty);
  const intercept = yMean - slopes.reduce((s, b, k) => s + b * means[k]!, 0);
  let sse = 0;
  let sst = 0;
  for (let i = 0; i < n; i++) {
    let fit = 0;
    for (let k = 0; k < q; k++) fit += slopes[k]! * xc[k]![i]!;
    sse += (yc[i]! - fit) ** 2;
    sst += yc[i]! ** 2;
  }
  return { coefficients: [intercept, ...slopes], sse, sst, r2: sst > 0 ? 1 - sse / sst : 0, n, p };
}

export interface PartialR2 {
  /** Share of the variance left by the `given` block that the `tested` block explains: (SSE_reduced − SSE_full)/SSE_reduced. */
  partialR2: number;
  /** F statistic of the nested comparison and its degrees of freedom. */
  f: number;
  df1: number;
  df2: number;
}

/**
 * Partial R² of `tested` predictors after `given` predictors (nested OLS: y ~ given vs y ~ given + tested).
 * Returns null when the full model cannot be fitted (too few observations or collinear columns).
 */
export function partialR2(y: readonly number[], tested: readonly (readonly number[])[], given: readonly (readonly number[])[]): PartialR2 | null {
  let reduced: OlsFit;
  let full: OlsFit;
  try {
    reduced = ols(y, given);
    full = ols(y, [...given, ...tested]);
  } catch {
    return null;
  }
  const df1 = tested.length;
  const df2 = full.n - full.p;
  if (df2 <= 0) return null;
  const gain = Math.max(0, reduced.sse - full.sse);
  const partial = reduced.sse > 0 ? gain / reduced.sse : 0;
  const f = full.sse > 0 ? gain / df1 / (full.sse / df2) : Number.POSITIVE_INFINITY;
  return { partialR2: partial, f, df1, df2 };
}

/**
 * Variance inflation factor of `target` against `others`: 1/(1 − R²) of target regressed on them. 1 when there
 * are none; Infinity when they reproduce it exactly (the effect of target cannot be told from theirs).
 */
export function varianceInflationFactor(target: readonly number[], others: readonly (readonly number[])[]): number {
  if (others.length === 0) return 1;
  let r2: number;
  try {
    r2 = ols(target, others).r2;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
  return r2 >= 1 - 1e-12 ? Number.POSITIVE_INFINITY : 1 / (1 - r2);
}

export function mean(a: readonly number[]): number {
  let s = 0;
  for (const v of a) s += v;
  return a.length ? s / a.length : Number.NaN;
}

/** Solves A·x = b for symmetric positive (semi)definite A by Gaussian elimination with partial pivoting. */
function solveSymmetric(aIn: number[][], bIn: number[]): number[] {
  const n = bIn.length;
  const a = aIn.map((r) => r.slice());
  const b = bIn.slice();
  const scale = Math.max(...a.map((r, i) => Math.abs(r[i]!)), 0);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r]![col]!) > Math.abs(a[piv]![col]!)) piv = r;
    // A pivot this small relative to the diagonal means two predictors are (nearly) the same column.
    if (!(Math.abs(a[piv]![col]!) > 1e-10 * scale)) throw new Error("ols: predictors are collinear");
    [a[col], a[piv]] = [a[piv]!, a[col]!];
    [b[col], b[piv]] = [b[piv]!, b[col]!];
    for (let r = col + 1; r < n; r++) {
      const f = a[r]![col]! / a[col]![col]!;
      for (let c = col; c < n; c++) a[r]![c]! -= f * a[col]![c]!;
      b[r]! -= f * b[col]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let c = r + 1; c < n; c++) s -= a[r]![c]! * x[c]!;
    x[r] = s / a[r]![r]!;
  }
  return x;
}
