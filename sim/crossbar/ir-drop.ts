// Line resistance (IR drop): the node voltages of the whole array, solved from Kirchhoff's current law.
//
// Layout: every row is driven (or sensed) at its column-0 end, every column at its last-row end; each line is a
// chain of segments of resistance r, one per cell pitch, and cell (i, j) joins row node U[i][j] to column node
// D[i][j] through G[i][j]. With the row ends at voltages a_i and the column ends at b_j the nodal equations are
//   row node:    (g + g·[j<C−1] + G)·U − g·U[j−1 or a_i] − g·U[j+1] − G·D = 0
//   column node: (g·[i>0] + g + G)·D − g·D[i−1] − g·D[i+1 or b_j] − G·U = 0,   g = 1/r,
// a symmetric positive-definite system (a grounded resistor network) of 2·R·C unknowns, solved by conjugate
// gradients preconditioned with the exact solve of each line on its own (tridiagonal, Thomas algorithm): the
// stiff 1/r coupling along a line is inverted exactly and only the weak G coupling is iterated.
// Forward products drive the rows (a = inputs) and sense the columns at virtual ground (b = 0): the output of
// column j is g·D[R−1][j]. Transposed products drive the columns and sense the rows: the output of row i is g·U[i][0].

export interface LineSolution {
  /** Sensed currents, amperes (columns for forward, rows for transposed). */
  outputs: Float64Array;
  /** Σ G·(U − D)² over every cell, watts. */
  cellWatts: number;
  /** Σ g·ΔV² over every wire segment, watts. */
  wireWatts: number;
  /** Power the drivers delivered, Σ a·I over the driven ends, watts (= cellWatts + wireWatts). */
  sourceWatts: number;
  iterations: number;
}

export class LineResistanceSolver {
  private readonly n: number;
  private readonly x: Float64Array;
  private readonly res: Float64Array;
  private readonly z: Float64Array;
  private readonly p: Float64Array;
  private readonly ap: Float64Array;
  private readonly rhs: Float64Array;
  private readonly diag: Float64Array;
  /** Thomas factors of each line's tridiagonal block: c′ and 1/m. */
  private readonly cPrime: Float64Array;
  private readonly invPivot: Float64Array;
  private readonly gSeg: number;

  constructor(readonly rows: number, readonly cols: number, ohmsPerSegment: number, readonly relativeTolerance = 1e-10) {
    this.n = rows * cols;
    const len = 2 * this.n;
    [this.x, this.res, this.z, this.p, this.ap, this.rhs, this.diag, this.cPrime, this.invPivot] = Array.from({ length: 9 }, () => new Float64Array(len));
    this.gSeg = 1 / ohmsPerSegment;
  }

  /**
   * Solves the array with conductances g (row-major, siemens) for one input vector and returns the sensed
   * currents and the powers. `forward`: inputs drive the rows; otherwise the columns.
   */
  solve(g: ArrayLike<number>, inputs: ArrayLike<number>, forward: boolean): LineSolution {
    const { rows: R, cols: C, n } = this;
    const gs = this.gSeg;
    this.factor(g);
    const { x, rhs } = this;
    rhs.fill(0);
    // Start from the ideal-wire solution: driven lines at their input, sensed lines at 0.
    for (let i = 0; i < R; i++) {
      for (let j = 0; j < C; j++) {
        const k = i * C + j;
        x[k] = forward ? inputs[i]! : 0;
        x[n + k] = forward ? 0 : inputs[j]!;
      }
    }
    if (forward) for (let i = 0; i < R; i++) rhs[i * C] = gs * inputs[i]!;
    else for (let j = 0; j < C; j++) rhs[n + (R - 1) * C + j] = gs * inputs[j]!;
    const iterations = this.pcg(g);
    const outputs = new Float64Array(forward ? C : R);
    if (forward) for (let j = 0; j < C; j++) outputs[j] = gs * x[n + (R - 1) * C + j]!;
    else for (let i = 0; i < R; i++) outputs[i] = gs * x[i * C]!;
    let cellWatts = 0, wireWatts = 0, sourceWatts = 0;
    for (let i = 0; i < R; i++) {
      const a = forward ? inputs[i]! : 0;
      const end = a - x[i * C]!;
      wireWatts += gs * end * end;
      sourceWatts += a * gs * end;
      for (let j = 0; j < C; j++) {
        const k = i * C + j;
        const v = x[k]! - x[n + k]!;
        cellWatts += g[k]! * v * v;
        if (j + 1 < C) {
          const d = x[k]! - x[k + 1]!;
          wireWatts += gs * d * d;
        }
        const below = i + 1 < R ? x[n + k + C]! : forward ? 0 : inputs[j]!;
        const dc = x[n + k]! - below;
        wireWatts += gs * dc * dc;
        if (i + 1 === R && !forward) sourceWatts += inputs[j]! * gs * (inputs[j]! - x[n + k]!);
      }
    }
    return { outputs, cellWatts, wireWatts, sourceWatts, iterations };
  }

  /** Diagonal of the system and the Thomas factors of every row block (U) and column block (D). */
  private factor(g: ArrayLike<number>): void {
    const { rows: R, cols: C, n, diag } = this;
    const gs = this.gSeg;
    for (let i = 0; i < R; i++) {
      for (let j = 0; j < C; j++) {
        const k = i * C + j;
        diag[k] = gs + (j + 1 < C ? gs : 0) + g[k]!;
        diag[n + k] = (i > 0 ? gs : 0) + gs + g[k]!;
      }
    }
    // Row blocks: contiguous along j. Sub- and super-diagonals are −g.
    for (let i = 0; i < R; i++) this.factorLine(i * C, 1, C);
    for (let j = 0; j < C; j++) this.factorLine(n + j, C, R);
  }

  private factorLine(start: number, stride: number, len: number): void {
    const { diag, cPrime, invPivot } = this;
    const off = -this.gSeg;
    let prevC = 0;
    for (let t = 0, k = start; t < len; t++, k += stride) {
      const m = diag[k]! - (t > 0 ? off * prevC : 0);
      invPivot[k] = 1 / m;
      prevC = t + 1 < len ? off / m : 0;
      cPrime[k] = prevC;
    }
  }

  /** z = M⁻¹·r, M the block diagonal of the lines. */
  private precondition(): void {
    const { rows: R, cols: C, n } = this;
    for (let i = 0; i < R; i++) this.solveLine(i * C, 1, C);
    for (let j = 0; j < C; j++) this.solveLine(n + j, C, R);
  }

  private solveLine(start: number, stride: number, len: number): void {
    const { res, z, cPrime, invPivot } = this;
    const off = -this.gSeg;
    let prev = 0;
    for (let t = 0, k = start; t < len; t++, k += stride) {
      prev = (res[k]! - (t > 0 ? off * prev : 0)) * invPivot[k]!;
      z[k] = prev;
    }
    let next = 0;
    for (let t = len - 1, k = start + (len - 1) * stride; t >= 0; t--, k -= stride) {
      next = z[k]! - (t + 1 < len ? cPrime[k]! * next : 0);
      z[k] = next;
    }
  }

  /** out = A·v. */
  private apply(g: ArrayLike<number>, v: Float64Array, out: Float64Array): void {
    const { rows: R, cols: C, n, diag } = this;
    const gs = this.gSeg;
    for (let i = 0; i < R; i++) {
      for (let j = 0; j < C; j++) {
        const k = i * C + j;
        const gk = g[k]!;
        let u = diag[k]! * v[k]! - gk * v[n + k]!;
        if (j > 0) u -= gs * v[k - 1]!;
        if (j + 1 < C) u -= gs * v[k + 1]!;
        out[k] = u;
        let d = diag[n + k]! * v[n + k]! - gk * v[k]!;
        if (i > 0) d -= gs * v[n + k - C]!;
        if (i + 1 < R) d -= gs * v[n + k + C]!;
        out[n + k] = d;
      }
    }
  }

  /** Preconditioned conjugate gradients from the current x; returns the iterations taken. */
  private pcg(g: ArrayLike<number>): number {
    const { x, res, z, p, ap, rhs } = this;
    const len = x.length;
    this.apply(g, x, ap);
    let bNorm = 0, r0 = 0;
    for (let k = 0; k < len; k++) {
      res[k] = rhs[k]! - ap[k]!;
      bNorm += rhs[k]! * rhs[k]!;
      r0 += res[k]! * res[k]!;
    }
    // From the ideal-wire start the residual is the cells' currents: reduce it by the tolerance, down to what the
    // rounding of the 1/r terms allows (about 1e-15 of the driven ends' currents).
    const tol2 = this.relativeTolerance * this.relativeTolerance * r0 + 1e-30 * bNorm;
    this.precondition();
    let rz = 0;
    for (let k = 0; k < len; k++) {
      p[k] = z[k]!;
      rz += res[k]! * z[k]!;
    }
    const maxIterations = 20 * Math.ceil(Math.sqrt(len)) + 100;
    for (let it = 0; it < maxIterations; it++) {
      let rr = 0;
      for (let k = 0; k < len; k++) rr += res[k]! * res[k]!;
      if (rr <= tol2) return it;
      this.apply(g, p, ap);
      let pap = 0;
      for (let k = 0; k < len; k++) pap += p[k]! * ap[k]!;
      const alpha = rz / pap;
      for (let k = 0; k < len; k++) {
        x[k] += alpha * p[k]!;
        res[k] -= alpha * ap[k]!;
      }
      this.precondition();
      let rzNext = 0;
      for (let k = 0; k < len; k++) rzNext += res[k]! * z[k]!;
      const beta = rzNext / rz;
      rz = rzNext;
      for (let k = 0; k < len; k++) p[k] = z[k]! + beta * p[k]!;
    }
    throw new Error(`line-resistance solver: no convergence in ${maxIterations} iterations (${this.rows}×${this.cols})`);
  }
}
