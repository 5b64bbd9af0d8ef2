// Matrix-vector products (Ohm's law + Kirchhoff) over a Float32 read-out mirror of the conductances,
// kept in sync on every conductance change and laid out in wasm memory for the f32x4 SIMD kernels
// of mvm-kernels.wat.
import { align16, instantiate, newWasmMemory } from "../../src/wasm/runtime.js";
import { watModule } from "../../src/wasm/wat.js";


/** mvm-kernels.wat's exports: pointers are byte offsets into its memory. */
interface ProductKernels {
  forward(g: number, x: number, y: number, rows: number, stride: number): void;
  transposed(g: number, x: number, y: number, rows: number, stride: number): void;
}

/** Owns the float32 mirror of G (rows × stride, padding columns zero) and computes both products on it. */
export class MvmEngine {
  /** Row stride of the mirror in floats: cols rounded up to a multiple of 4. */
  readonly stride: number;
  /** The read-out mirror of the conductances, siemens: G[r][c] at g32[r·stride + c]. */
  readonly g32: Float32Array;
  /** Input staging (length max(rows, stride)); entries past the input length must stay zero. */
  readonly input: Float32Array;
  /** Output of the last product, amperes (length max(rows, stride)). */
  readonly output: Float32Array;
  private readonly kernels: ProductKernels;
  private readonly gPtr: number;
  private readonly xPtr: number;
  private readonly yPtr: number;

  constructor(readonly rows: number, readonly cols: number) {
    this.stride = Math.ceil(cols / 4) * 4;
    const vecLen = Math.max(rows, this.stride);
    this.gPtr = 0;
    this.xPtr = align16(rows * this.stride * 4);
    this.yPtr = this.xPtr + align16(vecLen * 4);
    const bytes = this.yPtr + align16(vecLen * 4);
    const memory = newWasmMemory(bytes);
    this.kernels = instantiate(watModule("sim/crossbar/mvm-kernels.wat"), { env: { mem: memory } }) as unknown as ProductKernels;
    this.g32 = new Float32Array(memory.buffer, this.gPtr, rows * this.stride);
    this.input = new Float32Array(memory.buffer, this.xPtr, vecLen);
    this.output = new Float32Array(memory.buffer, this.yPtr, vecLen);
  }

  /** output[0..cols) = Gᵀ·input[0..rows) (forward: row voltages → column currents). */
  forward(): void {
    this.kernels.forward(this.gPtr, this.xPtr, this.yPtr, this.rows, this.stride);
  }

  /** output[0..rows) = G·input[0..cols) (transposed: column voltages → row currents). */
  transposed(): void {
    this.kernels.transposed(this.gPtr, this.xPtr, this.yPtr, this.rows, this.stride);
  }
}
