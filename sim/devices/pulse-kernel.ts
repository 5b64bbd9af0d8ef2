// The one-pulse-per-cell update (the hot path of parallel updates and half-select disturb) in WebAssembly,
// pulse-kernel.wat, for every step law, with the write-noise deviates drawn inside its loop from the same
// stream: the same bits as PulsedModel.pulse's general JS loop. A JS loop spent about 4 ns of its 15 ns per
// pulse filling a deviate buffer and most of the rest on bounds checks.
//
// A population's device properties and conductances live in one wasm memory (the arena below), so the
// kernel reads them in place; the caller's cell list is copied in a chunk at a time.
import type { Rng } from "../../src/random/rng.js";
import { writeZigguratTables, zigguratLayout, ZIGGURAT_BYTES } from "../../src/random/ziggurat.js";
import { instantiate, newWasmMemory, type WasmGlobal, type WasmMemory } from "../../src/wasm/runtime.js";
import { watModule } from "../../src/wasm/wat.js";

const WAT = "sim/devices/pulse-kernel.wat";
/** The arena's header, as pulse-kernel.wat lays it out: ziggurat tables and generator state, tally, cells. */
const ZIG = zigguratLayout(0);
/** The running tally: Σ conductance (f64) then compliance trips (i32). */
const TALLY = Math.ceil(ZIGGURAT_BYTES / 8) * 8;
/** The cell-index chunk copied in per kernel call. */
const CELLS = 4096;
const CHUNK_CELLS = 8192;
/** Where the per-device arrays start. */
export const ARENA_HEADER_BYTES = CELLS + CHUNK_CELLS * 4;

const LAYOUT: Record<string, number> = {
  layoutZigguratK: ZIG.k, layoutZigguratW: ZIG.w, layoutZigguratF: ZIG.f, layoutState: ZIG.state, layoutTally: TALLY, layoutCells: CELLS,
};

/** Step laws the kernel computes: constant (Ideal, LinearStep), soft bounds, exponential (ExpStep). */
export type KernelLaw = "constant" | "softBounds" | "expStep";
/** pulse-kernel.wat's $law for each: the module is assembled once per law, $law a constant in it. */
const LAW_CODE: Record<KernelLaw, number> = { constant: 0, softBounds: 1, expStep: 2 };

type PulseExport = (gP: number, loP: number, hiP: number, stepP: number, stateP: number, pulsesP: number, n: number, scale: number, up: number, gC: number, noise: number, wears: number, endurance: number, gammaUp: number, gammaDown: number) => void;

/** The exp and log the JS loop calls (V8 calls its own ieee754 routines for these imports: the same bits). */
const MATH_IMPORTS = { math: { exp: Math.exp, log: Math.log } };

let layoutChecked = false;

/** Throws when pulse-kernel.wat's memory layout is not the one this file writes and reads. */
function checkLayout(exports: Record<string, unknown>): void {
  for (const [name, offset] of Object.entries(LAYOUT)) {
    const value = (exports[name] as WasmGlobal | undefined)?.value;
    if (value !== offset) throw new Error(`${WAT}: ${name} is ${value}, pulse-kernel.ts expects ${offset}`);
  }
  layoutChecked = true;
}

/** The arrays a kernel updates, all views on its memory. */
export interface ArenaArrays {
  g: Float64Array;
  gMin: Float64Array;
  gMax: Float64Array;
  stepUp: Float64Array;
  stepDown: Float64Array;
  pulses: Float64Array;
  state: Uint8Array;
}

/** A wasm memory holding a population's arrays and conductances, with the pulse kernel bound to it. */
export class PulseKernel {
  readonly arrays: ArenaArrays;
  private readonly memory: WasmMemory;
  private readonly words: Int32Array;
  private readonly tallySum: Float64Array;
  private readonly tallyTrips: Int32Array;
  private readonly cells: Int32Array;
  /** The kernel for each law, instantiated on this memory when first used. */
  private readonly kernels: Partial<Record<KernelLaw, PulseExport>> = {};

  constructor(readonly size: number) {
    const f64Bytes = size * 8;
    this.memory = newWasmMemory(ARENA_HEADER_BYTES + 6 * f64Bytes + size);
    const buf = this.memory.buffer;
    const f64At = (k: number) => new Float64Array(buf, ARENA_HEADER_BYTES + k * f64Bytes, size);
    this.arrays = { g: f64At(0), gMin: f64At(1), gMax: f64At(2), stepUp: f64At(3), stepDown: f64At(4), pulses: f64At(5), state: new Uint8Array(buf, ARENA_HEADER_BYTES + 6 * f64Bytes, size) };
    writeZigguratTables(buf, ZIG);
    this.words = new Int32Array(buf, ZIG.state, 4);
    this.tallySum = new Float64Array(buf, TALLY, 1);
    this.tallyTrips = new Int32Array(buf, TALLY + 8, 1);
    this.cells = new Int32Array(buf, CELLS, CHUNK_CELLS);
  }

  private kernel(law: KernelLaw): PulseExport {
    let run = this.kernels[law];
    if (!run) {
      const ex = instantiate(watModule(WAT, { law: LAW_CODE[law] }), { env: { mem: this.memory }, ...MATH_IMPORTS });
      if (!layoutChecked) checkLayout(ex);
      run = this.kernels[law] = ex.pulse as PulseExport;
    }
    return run;
  }

  /** True when `g` is this arena's conductance array (the kernel updates only its own). */
  owns(g: Float64Array): boolean {
    return g === this.arrays.g;
  }

  /**
   * One pulse of polarity `sign` and rate `rate` to each cell in cells[from..to): the same update, tally and
   * deviates as PulsedModel.pulse with count 1 and rate > 0; returns the raw Σ conductance and the trips.
   * Returns null, changing nothing, when the generator holds a cached deviate from an old saved state (the
   * JS loop handles that).
   * Cell indices must be in [0, size): the caller has checked them against the array.
   */
  pulse(law: KernelLaw, cells: Int32Array, from: number, to: number, sign: number, rate: number, gCompliance: number, noise: number, rng: Rng, endurance: number, gammaUp = 0, gammaDown = 0): { conductanceSum: number; trips: number } | null {
    if (!rng.exportWords(this.words, 0)) return null;
    const a = this.arrays;
    const up = sign > 0;
    const steps = up ? a.stepUp : a.stepDown;
    const run = this.kernel(law);
    this.tallySum[0] = 0;
    this.tallyTrips[0] = 0;
    const wears = endurance !== Infinity ? 1 : 0;
    for (let k0 = from; k0 < to; k0 += CHUNK_CELLS) {
      const k1 = Math.min(to, k0 + CHUNK_CELLS);
      this.cells.set(cells.subarray(k0, k1));
      run(a.g.byteOffset, a.gMin.byteOffset, a.gMax.byteOffset, steps.byteOffset, a.state.byteOffset, a.pulses.byteOffset, k1 - k0, rate * sign, up ? 1 : 0, gCompliance, noise, wears, endurance, gammaUp, gammaDown);
    }
    rng.importWords(this.words, 0);
    return { conductanceSum: this.tallySum[0]!, trips: this.tallyTrips[0]! };
  }
}
