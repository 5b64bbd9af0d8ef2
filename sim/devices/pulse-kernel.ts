// The one-pulse-per-cell update (the hot path of parallel updates and half-select disturb) in WebAssembly,
// for every step law, with the write-noise deviates drawn inside the loop from the same stream. It computes
// what PulsedModel.pulse's general JS loop computes, expression for expression in the same order, so the same
// bits (the exponential law and the ziggurat's tail call the imported Math.exp and Math.log). A JS loop spent
// about 4 ns of its 15 ns per pulse filling a deviate buffer and most of the rest on bounds checks.
//
// A population's device properties and conductances live in one wasm memory (the arena below), so the
// kernel reads them in place; the caller's cell list is copied in a chunk at a time.
import type { Rng } from "../../src/random/rng.js";
import {
  emitLoadState, emitNormal, emitStoreState, defineZigguratTail, importMath, MATH_IMPORTS, NORMAL_LOCALS,
  writeZigguratTables, zigguratLayout, ZIGGURAT_BYTES,
} from "../../src/random/ziggurat.js";
import { compileModule, FunctionBuilder, instantiate, ModuleBuilder, newWasmMemory, OP, type WasmMemory } from "../../src/wasm/assembler.js";

const ZIG = zigguratLayout(0);
/** The running tally: Σ conductance (f64) then compliance trips (i32). */
const TALLY = Math.ceil(ZIGGURAT_BYTES / 8) * 8;
/** The cell-index chunk copied in per kernel call. */
const CELLS = 4096;
const CHUNK_CELLS = 8192;
/** Where the per-device arrays start. */
export const ARENA_HEADER_BYTES = CELLS + CHUNK_CELLS * 4;

/** Step laws the kernel computes: constant (Ideal, LinearStep), soft bounds, exponential (ExpStep). */
export type KernelLaw = "constant" | "softBounds" | "expStep";

function pulseFunction(law: KernelLaw, exp: number): FunctionBuilder {
  const fn = new FunctionBuilder([
    ["gP", "i32"], ["loP", "i32"], ["hiP", "i32"], ["stepP", "i32"], ["stateP", "i32"], ["pulsesP", "i32"], ["n", "i32"],
    ["scale", "f64"], ["up", "i32"], ["gC", "f64"], ["noise", "f64"], ["wears", "i32"], ["endurance", "f64"],
    ["gammaUp", "f64"], ["gammaDown", "f64"],
  ]);
  fn.locals("i32", "k", "i", "at", "trips", "noisy", ...NORMAL_LOCALS);
  fn.locals("f64", "sum", "z", "gi", "lo", "hi", "step", "f", "g1", "count", "x");
  const loadF64 = (base: string) => fn.get(base, "at").op(OP.i32Add).mem(OP.f64Load);
  fn.i32(0).mem(OP.f64Load, TALLY).set("sum");
  fn.i32(0).mem(OP.i32Load, TALLY + 8).set("trips");
  fn.get("noise").f64(0).op(OP.f64Gt).set("noisy");
  emitLoadState(fn, ZIG);
  fn.block(() => fn.loop(() => {
    fn.get("k", "n").op(OP.i32GeS).brIf(1);
    fn.get("noisy").if(() => emitNormal(fn, ZIG, TAIL_INDEX, "z"));
    fn.get("k").i32(2).op(OP.i32Shl).mem(OP.i32Load, CELLS).tee("i").i32(3).op(OP.i32Shl).set("at");
    loadF64("gP").set("gi");
    fn.block(() => {
      fn.get("stateP", "i").op(OP.i32Add).mem(OP.i32Load8U).if(() => {
        // Stuck or worn out: conducts, does not switch, wears no further.
        fn.get("gi", "gC").op(OP.f64Ge).if(
          () => fn.addTo("trips", 1),
          () => fn.get("sum", "gi", "gi").op(OP.f64Add, OP.f64Add).set("sum"),
        );
        fn.br(1);
      });
      fn.get("gi", "gC").op(OP.f64Ge).if(
        () => fn.addTo("trips", 1), // cut as it starts
        () => {
          loadF64("loP").set("lo");
          loadF64("hiP").set("hi");
          loadF64("stepP").get("scale").op(OP.f64Mul).set("step");
          if (law === "softBounds") {
            fn.get("up").if(
              () => fn.get("hi", "gi").op(OP.f64Sub).get("hi", "lo").op(OP.f64Sub, OP.f64Div).set("f"),
              () => fn.get("gi", "lo").op(OP.f64Sub).get("hi", "lo").op(OP.f64Sub, OP.f64Div).set("f"),
            );
            fn.get("step", "f").op(OP.f64Mul).set("step"); // step·f, as the JS loop groups it
          } else if (law === "expStep") {
            // x = (g − lo)/(hi − lo); f = exp(−γ↑·x) up, exp(−γ↓·(1 − x)) down (Math.exp imported: the same bits).
            fn.get("gi", "lo").op(OP.f64Sub).get("hi", "lo").op(OP.f64Sub, OP.f64Div).set("x");
            fn.get("up").if(
              () => fn.get("gammaUp").op(OP.f64Neg).get("x").op(OP.f64Mul).call(exp).set("f"),
              () => fn.get("gammaDown").op(OP.f64Neg).f64(1).get("x").op(OP.f64Sub, OP.f64Mul).call(exp).set("f"),
            );
            fn.get("step", "f").op(OP.f64Mul).set("step");
          }
          fn.get("noisy").ifF64(
            () => fn.get("gi", "step").f64(1).get("noise", "z").op(OP.f64Mul, OP.f64Add, OP.f64Mul, OP.f64Add),
            () => fn.get("gi", "step").op(OP.f64Add),
          );
          fn.set("g1");
          fn.get("g1", "hi").op(OP.f64Gt).if(
            () => fn.get("hi").set("g1"),
            () => fn.get("g1", "lo").op(OP.f64Lt).if(() => fn.get("lo").set("g1")),
          );
          fn.get("g1", "gC").op(OP.f64Gt).if(
            () => {
              // Compliance: the pulse stops when V·G reaches the compliance current, a fraction into it.
              fn.addTo("trips", 1);
              fn.get("sum", "gC", "gi").op(OP.f64Sub).get("g1", "gi").op(OP.f64Sub, OP.f64Div);
              fn.get("gi", "gC").op(OP.f64Add, OP.f64Mul, OP.f64Add).set("sum");
              fn.get("gC").set("g1");
            },
            () => fn.get("sum", "gi", "g1").op(OP.f64Add, OP.f64Add).set("sum"),
          );
          fn.get("gP", "at").op(OP.i32Add).get("g1").mem(OP.f64Store);
        },
      );
      fn.get("wears").if(() => {
        fn.get("pulsesP", "at").op(OP.i32Add);
        loadF64("pulsesP").f64(1).op(OP.f64Add).tee("count");
        fn.mem(OP.f64Store);
        fn.get("count", "endurance").op(OP.f64Ge).if(() => fn.get("stateP", "i").op(OP.i32Add).i32(3).mem(OP.i32Store8)); // WORN_OUT
      });
    });
    fn.addTo("k", 1);
    fn.br(0);
  }));
  emitStoreState(fn, ZIG);
  fn.i32(0).get("sum").mem(OP.f64Store, TALLY);
  fn.i32(0).get("trips").mem(OP.i32Store, TALLY + 8);
  return fn;
}

/** Function indices: math imports 0–1, then next (2), tail (3), then the pulse loops. */
const TAIL_INDEX = 3;

function moduleBytes(): Uint8Array {
  const mb = new ModuleBuilder();
  const math = importMath(mb);
  const tail = defineZigguratTail(mb, ZIG, math);
  if (tail !== TAIL_INDEX) throw new Error(`pulse kernel: tail is function ${tail}, expected ${TAIL_INDEX}`);
  mb.define("pulseConstant", pulseFunction("constant", math.exp));
  mb.define("pulseSoftBounds", pulseFunction("softBounds", math.exp));
  mb.define("pulseExpStep", pulseFunction("expStep", math.exp));
  return mb.bytes();
}

type PulseExport = (gP: number, loP: number, hiP: number, stepP: number, stateP: number, pulsesP: number, n: number, scale: number, up: number, gC: number, noise: number, wears: number, endurance: number, gammaUp: number, gammaDown: number) => void;

let compiled: object | null = null;

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
  private readonly fns: Record<KernelLaw, PulseExport>;

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
    compiled ??= compileModule(moduleBytes());
    const ex = instantiate(compiled, { env: { mem: this.memory }, ...MATH_IMPORTS });
    this.fns = { constant: ex.pulseConstant as PulseExport, softBounds: ex.pulseSoftBounds as PulseExport, expStep: ex.pulseExpStep as PulseExport };
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
    const fn = this.fns[law];
    this.tallySum[0] = 0;
    this.tallyTrips[0] = 0;
    const wears = endurance !== Infinity ? 1 : 0;
    for (let k0 = from; k0 < to; k0 += CHUNK_CELLS) {
      const k1 = Math.min(to, k0 + CHUNK_CELLS);
      this.cells.set(cells.subarray(k0, k1));
      fn(a.g.byteOffset, a.gMin.byteOffset, a.gMax.byteOffset, steps.byteOffset, a.state.byteOffset, a.pulses.byteOffset, k1 - k0, rate * sign, up ? 1 : 0, gCompliance, noise, wears, endurance, gammaUp, gammaDown);
    }
    rng.importWords(this.words, 0);
    return { conductanceSum: this.tallySum[0]!, trips: this.tallyTrips[0]! };
  }
}
