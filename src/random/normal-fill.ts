// Standard normal deviates drawn by normal-kernel.wat from an Rng's own stream: the numbers Rng.fillNormal
// gives, in the same order, from the same state, which it advances the same way. The crossbar's product read
// noise draws one deviate per sensed line per product, a quarter of a 64×64 product's time in JS.
import { align16, instantiate, newWasmMemory } from "../wasm/runtime.js";
import { watModule } from "../wasm/wat.js";
import type { Rng } from "./rng.js";
import { writeZigguratTables, zigguratLayout, ZIGGURAT_BYTES } from "./ziggurat.js";

const LAYOUT = zigguratLayout(0);
const DEVIATES = align16(ZIGGURAT_BYTES);

/** The exp and log Rng's tail calls (V8 calls its own ieee754 routines for these imports: the same bits). */
const MATH_IMPORTS = { math: { exp: Math.exp, log: Math.log } };

/** Fills up to `capacity` deviates at a time into its own buffer. */
export class NormalFiller {
  /** The deviates of the last fill (its first n entries). */
  readonly deviates: Float64Array;
  private readonly words: Int32Array;
  private lastView: Float64Array = new Float64Array(0);
  private readonly fillKernel: (out: number, n: number) => void;

  constructor(readonly capacity: number) {
    const memory = newWasmMemory(DEVIATES + capacity * 8);
    writeZigguratTables(memory.buffer, LAYOUT);
    this.words = new Int32Array(memory.buffer, LAYOUT.state, 4);
    this.deviates = new Float64Array(memory.buffer, DEVIATES, capacity);
    const exports = instantiate(watModule("src/random/normal-kernel.wat"), { env: { mem: memory }, ...MATH_IMPORTS });
    this.fillKernel = exports.fillNormal as (out: number, n: number) => void;
  }

  /** deviates[0..n) = the next n of rng.normal(), the generator advanced past them. */
  fill(rng: Rng, n: number): Float64Array {
    if (!(n <= this.capacity)) throw new RangeError(`NormalFiller: ${n} deviates asked of a buffer of ${this.capacity}`);
    // A deviate cached by a state saved before the ziggurat goes first, as Rng.fillNormal gives it.
    if (!rng.exportWords(this.words, 0)) return rng.fillNormal(this.deviates, 0, n);
    this.fillKernel(DEVIATES, n);
    rng.importWords(this.words, 0);
    return this.deviates;
  }

  /** fill(rng, n), answered as a view of exactly n deviates (kept for the last n asked: a view costs ~0.1 µs). */
  fillExactly(rng: Rng, n: number): Float64Array {
    const all = this.fill(rng, n);
    if (all.length === n) return all;
    if (this.lastView.length !== n || this.lastView.buffer !== all.buffer) this.lastView = all.subarray(0, n);
    return this.lastView;
  }
}
