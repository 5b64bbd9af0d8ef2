// Deming (errors-in-variables) regression: a straight line when both x and y carry measurement error.

export interface DemingFit {
  slope: number;
  intercept: number;
  /** δ = Var(error in y) / Var(error in x), the ratio the fit assumed. */
  errorVarianceRatio: number;
}

/**
 * Fits y = intercept + slope·x minimising the δ-weighted orthogonal distances (Deming 1943).
 * δ = Var(ε_y)/Var(ε_x): δ → ∞ is OLS of y on x, δ = 1 is orthogonal regression, δ → 0 is OLS of x on y.
 */
export function demingFit(x: readonly number[], y: readonly number[], errorVarianceRatio = 1): DemingFit {
  const n = x.length;
  if (y.length !== n) throw new Error(`deming: x has ${n} values, y has ${y.length}`);
  if (n < 2) throw new Error(`deming: need at least 2 points, got ${n}`);
  if (!(errorVarianceRatio > 0) || !Number.isFinite(errorVarianceRatio)) throw new Error(`deming: errorVarianceRatio must be a positive finite number, got ${errorVarianceRatio}`);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  const d = errorVarianceRatio;
  let slope: number;
  if (sxy === 0) {
    // No covariance: the line is flat or vertical, whichever direction holds more of the (weighted) spread.
    slope = syy > d * sxx ? Number.POSITIVE_INFINITY : 0;
  } else {
    const u = syy - d * sxx;
    slope = (u + Math.sqrt(u * u + 4 * d * sxy * sxy)) / (2 * sxy);
  }
  return { slope, intercept: my - slope * mx, errorVarianceRatio: d };
}
