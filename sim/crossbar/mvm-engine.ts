// Matrix-vector products (Ohm's law + Kirchhoff) over a Float32 read-out mirror of the conductances,
// kept in sync on every conductance change and laid out in wasm memory for the f32x4 SIMD kernels
// of mvm-kernels.wat; mvm-readout.wat senses whole batches of them (DAC, noise, ADC) in one call.
import { align16, instantiate, newWasmMemory } from "../../src/wasm/runtime.js";
import { watModule } from "../../src/wasm/wat.js";
import type { ProductGrid } from "./energy-grid.js";

/** mvm-kernels.wat's exports: pointers are byte offsets into its memory. */
interface ProductKernels {
  forward(g: number, x: number, y: number, rows: number, stride: number): void;
  transposed(g: number, x: number, y: number, rows: number, stride: number): void;
}

type Readout = (
  isForward: number, vectors: number, nIn: number, nOut: number, g: number, x: number, y: number, rows: number, stride: number,
  volts: number, inSum: number, outSum: number, outSumSq: number, z: number, out: number, acc: number,
  dacStep: number, seconds: number, noisy: number, readNoise: number, tia2: number, thermal: number,
  adcStep: number, adcMaxCode: number, adcMinCode: number,
  cellQuantum: number, peripheralFixed: number, peripheralPerV2: number, peripheralQuantum: number,
) => void;

/** Bytes of batch buffers (volts, deviates, currents) the engine keeps: a call with more vectors goes in chunks. */
const BATCH_BYTES = 1 << 21;
const MAX_BATCH_VECTORS = 1024;

/** How one batch is sensed: converters and noise, as SimulatedCrossbar.mvm sets them per call. */
export interface ReadoutSettings {
  /** DAC input step, volts; 0 for an ideal DAC. */
  dacStep: number;
  /** Settling time of one product, seconds (the cells' energy is power × this). */
  seconds: number;
  noisy: boolean;
  /** Relative read noise of a cell's current. */
  readNoise: number;
  /** Amplifier noise variance, A². */
  tia2: number;
  /** Johnson–Nyquist variance per siemens of a sensed line, A²/S. */
  thermal: number;
  /** ADC step, amperes; 0 for an ideal ADC. */
  adcStep: number;
  adcMaxCode: number;
  adcMinCode: number;
  /** The device's read limit, volts: a request's volts beyond ±this are refused before anything is sensed. */
  maxReadVolts: number;
  /** Where each vector's parts and seconds are rounded, so that a call's sums do not depend on its grouping. */
  grid: ProductGrid;
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
  /** The line sums of G and G² (ConductanceSums keeps them here, where the readout reads them). */
  readonly rowSum: Float64Array;
  readonly colSum: Float64Array;
  readonly rowSumSq: Float64Array;
  readonly colSumSq: Float64Array;
  /** Vectors one readout call takes. */
  readonly batchVectors: number;
  /** Batch staging: volts in, deviates, sensed currents out (batchVectors × the longer line). */
  readonly volts: Float64Array;
  readonly deviates: Float64Array;
  readonly currents: Float64Array;
  private lastCurrents: Float64Array = new Float64Array(0);
  private readonly acc: Float64Array;
  private readonly kernels: ProductKernels;
  private readonly readoutKernel: Readout;
  private readonly firstOutsideKernel: (at: number, n: number, max: number) => number;
  private readonly ptr: Record<"g" | "x" | "y" | "rowSum" | "colSum" | "rowSumSq" | "colSumSq" | "volts" | "z" | "out" | "acc", number>;

  constructor(readonly rows: number, readonly cols: number) {
    this.stride = Math.ceil(cols / 4) * 4;
    const vecLen = Math.max(rows, this.stride);
    const line = Math.max(rows, cols);
    this.batchVectors = Math.max(1, Math.min(MAX_BATCH_VECTORS, Math.floor(BATCH_BYTES / (24 * line))));
    const sizes = {
      g: rows * this.stride * 4, x: vecLen * 4, y: vecLen * 4,
      rowSum: rows * 8, colSum: cols * 8, rowSumSq: rows * 8, colSumSq: cols * 8,
      volts: this.batchVectors * line * 8, z: this.batchVectors * line * 8, out: this.batchVectors * line * 8, acc: 32,
    };
    let at = 0;
    const ptr = {} as Record<keyof typeof sizes, number>;
    for (const [k, bytes] of Object.entries(sizes) as [keyof typeof sizes, number][]) {
      ptr[k] = at;
      at += align16(bytes);
    }
    this.ptr = ptr;
    const memory = newWasmMemory(at);
    const kernels = instantiate(watModule("sim/crossbar/mvm-kernels.wat"), { env: { mem: memory } });
    this.kernels = kernels as unknown as ProductKernels;
    const readout = instantiate(watModule("sim/crossbar/mvm-readout.wat"), { env: { mem: memory }, kernels });
    this.readoutKernel = readout.readout as Readout;
    this.firstOutsideKernel = readout.firstOutside as (at: number, n: number, max: number) => number;
    const f64 = (p: number, n: number) => new Float64Array(memory.buffer, p, n);
    this.g32 = new Float32Array(memory.buffer, ptr.g, rows * this.stride);
    this.input = new Float32Array(memory.buffer, ptr.x, vecLen);
    this.output = new Float32Array(memory.buffer, ptr.y, vecLen);
    this.rowSum = f64(ptr.rowSum, rows);
    this.colSum = f64(ptr.colSum, cols);
    this.rowSumSq = f64(ptr.rowSumSq, rows);
    this.colSumSq = f64(ptr.colSumSq, cols);
    this.volts = f64(ptr.volts, this.batchVectors * line);
    this.deviates = f64(ptr.z, this.batchVectors * line);
    this.currents = f64(ptr.out, this.batchVectors * line);
    this.acc = f64(ptr.acc, 4);
  }

  /** output[0..cols) = Gᵀ·input[0..rows) (forward: row voltages → column currents). */
  forward(): void {
    this.kernels.forward(this.ptr.g, this.ptr.x, this.ptr.y, this.rows, this.stride);
  }

  /** output[0..rows) = G·input[0..cols) (transposed: column voltages → row currents). */
  transposed(): void {
    this.kernels.transposed(this.ptr.g, this.ptr.x, this.ptr.y, this.rows, this.stride);
  }

  /** currents[0..n), as a view kept for the last n asked (a product's length rarely changes). */
  currentsOf(n: number): Float64Array {
    if (this.lastCurrents.length !== n) this.lastCurrents = this.currents.subarray(0, n);
    return this.lastCurrents;
  }

  /** The index of the first of volts[0..n) outside ±maxVolts (or NaN), else −1. */
  firstOutside(n: number, maxVolts: number): number {
    return this.firstOutsideKernel(this.ptr.volts, n, maxVolts);
  }

  /**
   * Senses `vectors` ≤ batchVectors products of volts[0..vectors·nIn) into currents[0..vectors·nOut), with
   * deviates[0..vectors·nOut) as the noise draws; adds to `totals` [cellJoules, sumV2, cellJoules on the grid,
   * peripheral joules on the grid] their sums over the vectors (the grid's: of each vector's rounded part).
   */
  readout(forward: boolean, vectors: number, s: ReadoutSettings, totals: Float64Array): void {
    const p = this.ptr;
    const nIn = forward ? this.rows : this.cols;
    const nOut = forward ? this.cols : this.rows;
    const acc = this.acc, grid = s.grid;
    acc[0] = totals[0]!;
    acc[1] = totals[1]!;
    acc[2] = totals[2]!;
    acc[3] = totals[3]!;
    this.readoutKernel(
      forward ? 1 : 0, vectors, nIn, nOut, p.g, p.x, p.y, this.rows, this.stride,
      p.volts, forward ? p.rowSum : p.colSum, forward ? p.colSum : p.rowSum, forward ? p.colSumSq : p.rowSumSq, p.z, p.out, p.acc,
      s.dacStep, s.seconds, s.noisy ? 1 : 0, s.readNoise, s.tia2, s.thermal, s.adcStep, s.adcMaxCode, s.adcMinCode,
      grid.cellQuantum, grid.peripheralFixedJoules, grid.lineChargingJoulesPerV2, grid.peripheralQuantum,
    );
    totals[0] = acc[0]!;
    totals[1] = acc[1]!;
    totals[2] = acc[2]!;
    totals[3] = acc[3]!;
  }
}
