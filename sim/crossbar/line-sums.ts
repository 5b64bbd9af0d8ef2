// The simulated array's true conductances with running per-line sums of G and G²: what energies and product
// noise need without touching every cell. Every change also goes to the float32 read-out mirror the
// product engine computes on.
import type { MvmEngine } from "./mvm-engine.js";

/** Recompute the running line sums from scratch after this many incremental updates (bounds float drift). */
const RESUM_AFTER_CHANGES = 1 << 22;

export class ConductanceSums {
  readonly rowSum: Float64Array;
  readonly colSum: Float64Array;
  readonly rowSumSq: Float64Array;
  readonly colSumSq: Float64Array;
  /** Σ G over the whole array. */
  totalG = 0;
  changesSinceResum = 0;

  constructor(
    readonly rows: number,
    readonly cols: number,
    /** True conductances, siemens, row-major (the device population's own memory). */
    readonly g: Float64Array,
    private readonly engine: MvmEngine,
  ) {
    // In the engine's memory, where its batch readout reads them.
    this.rowSum = engine.rowSum;
    this.colSum = engine.colSum;
    this.rowSumSq = engine.rowSumSq;
    this.colSumSq = engine.colSumSq;
    this.resum();
  }

  /** After cells[0..m) changed from old[0..m): moves the sums and the mirror by the differences. */
  syncChanged(cells: Int32Array, old: Float64Array, m: number): void {
    const cols = this.cols, stride = this.engine.stride;
    const g = this.g, g32 = this.engine.g32;
    for (let k = 0; k < m; k++) {
      const i = cells[k]!;
      const g1 = g[i]!, g0 = old[k]!;
      if (g1 === g0) continue;
      const r = (i / cols) | 0, c = i - r * cols;
      g32[r * stride + c] = g1;
      const d = g1 - g0, d2 = g1 * g1 - g0 * g0;
      this.rowSum[r] += d;
      this.colSum[c] += d;
      this.rowSumSq[r] += d2;
      this.colSumSq[c] += d2;
      this.totalG += d;
    }
    this.changesSinceResum += m;
    if (this.changesSinceResum > RESUM_AFTER_CHANGES) this.resum();
  }

  /** Recomputes the line sums and rewrites the float32 mirror from the true conductances. */
  resum(): void {
    const { rows, cols, g } = this;
    const { g32, stride } = this.engine;
    this.rowSum.fill(0);
    this.colSum.fill(0);
    this.rowSumSq.fill(0);
    this.colSumSq.fill(0);
    let total = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = g[r * cols + c]!;
        g32[r * stride + c] = v;
        this.rowSum[r] += v;
        this.colSum[c] += v;
        this.rowSumSq[r] += v * v;
        this.colSumSq[c] += v * v;
        total += v;
      }
    }
    this.totalG = total;
    this.changesSinceResum = 0;
  }

  /** Rewrites the mirror from the true conductances, leaving the sums as they are (a restored state brings its own). */
  mirror(): void {
    const { g32, stride } = this.engine;
    for (let r = 0; r < this.rows; r++) for (let c = 0; c < this.cols; c++) g32[r * stride + c] = this.g[r * this.cols + c]!;
  }
}
