// Matrix-vector products over a Float32 read-out mirror of the conductances (Ohm's law + Kirchhoff).
// The mirror is kept in sync on every conductance change; products accumulate in double precision.

/** Owns the float32 mirror of G (row-major rows × cols) and computes both products on it. */
export class MvmEngine {
  /** The read-out mirror of the conductances, siemens, row-major. */
  readonly g32: Float32Array;
  /** Input staging buffer (length max(rows, cols)). */
  readonly input: Float32Array;
  /** Output buffer (length max(rows, cols)), amperes. */
  readonly output: Float64Array;

  constructor(readonly rows: number, readonly cols: number) {
    this.g32 = new Float32Array(rows * cols);
    this.input = new Float32Array(Math.max(rows, cols));
    this.output = new Float64Array(Math.max(rows, cols));
  }

  /** output[0..cols) = Gᵀ·input[0..rows): each row adds its voltage times its conductances (row-wise axpy). */
  forward(): void {
    const { rows, cols, g32, input, output } = this;
    output.fill(0, 0, cols);
    for (let i = 0; i < rows; i++) {
      const v = input[i]!;
      if (v === 0) continue;
      const base = i * cols;
      for (let j = 0; j < cols; j++) output[j] = output[j]! + v * g32[base + j]!;
    }
  }

  /** output[0..rows) = G·input[0..cols): one dot product per row. */
  transposed(): void {
    const { rows, cols, g32, input, output } = this;
    for (let i = 0; i < rows; i++) {
      const base = i * cols;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      let j = 0;
      for (; j + 3 < cols; j += 4) {
        a0 += g32[base + j]! * input[j]!;
        a1 += g32[base + j + 1]! * input[j + 1]!;
        a2 += g32[base + j + 2]! * input[j + 2]!;
        a3 += g32[base + j + 3]! * input[j + 3]!;
      }
      for (; j < cols; j++) a0 += g32[base + j]! * input[j]!;
      output[i] = a0 + a1 + a2 + a3;
    }
  }
}
