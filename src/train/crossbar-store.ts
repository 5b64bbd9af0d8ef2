// The crossbar weight store: each weight a differential conductance pair G⁺ − G⁻ on a Crossbar.
//
// Layout (placement.ts): weight layer l is cut into blocks shelf-packed on the array; output k of a block owns
// the adjacent columns G⁺, G⁻, so W = (G⁺ − G⁻)/gUnit with gUnit = (median device range)/weightRange.
// Relaxation: forward = rows driven at ρ·readVolts, W = (I⁺ − I⁻)/(readVolts·gUnit) per output;
// transposed = the pair's columns driven at ±ρ·readVolts, W·ρ = I_row/(readVolts·gUnit).
// The input layer's products are one mvm per block per batch (its drive is constant over a phase).
// Update: ΔW → signed pulse counts n = q(ΔW/w_pulse) (update-protocol.ts, |n| ≤ maxPulsesPerUpdate) with
// w_pulse each device's calibrated SET step; n > 0 SETs G⁺, n < 0 SETs G⁻ (conductance-array.ts), then
// write-verify when configured and the refresh of saturated pairs (pair-writes.ts).
// Opening the store characterises the array (characterisation.ts, overhead) and writes the initial weights
// ("initialise", overhead); a resume takes both from the checkpoint instead (on hardware re-programming only the
// devices that differ from it, reprogram-drifted.ts).
// Biases are kept digitally by the session.
import type { Crossbar, DeviceIdentity, DeviceState } from "../hal/crossbar.js";
import type { EnergyLedger } from "../energy/ledger.js";
import type { Rng, RngState } from "../random/rng.js";
import type { CrossbarSettings } from "./config.js";
import { characterise } from "./characterisation.js";
import { ConductanceArray, median } from "./conductance-array.js";
import { refreshSaturated, verifyWrites, writeWeights } from "./pair-writes.js";
import { forEachPair, pairWeights, placeBlocks, type Block } from "./placement.js";
import { pulsesFor, type UpdateRule } from "./update-protocol.js";
import { nothingCompared, reprogramDrifted, type RestoreReport } from "./reprogram-drifted.js";
import { accumulateUpdate, decodeFloat64, encodeFloat64, PHASE_ACTIVITY, type Phase, type StoreCheckpoint, type UpdateReport, type WeightStore } from "./store.js";

// The placement's names stay importable from here, where callers found them first.
export { PlacementError, placeBlocks, type Block } from "./placement.js";

export interface CrossbarStoreOptions {
  crossbar: Crossbar;
  sizes: readonly number[];
  settings: CrossbarSettings;
  ledger: EnergyLedger;
  rng: Rng;
  /** Initial weights per layer (nIn × nOut); default Glorot-uniform from rng. */
  initialWeights?: Float64Array[];
  /** Resume: take calibration, weights and (when the checkpoint has it) the device state from here instead. */
  checkpoint?: StoreCheckpoint;
}

export class CrossbarStore implements WeightStore {
  readonly kind = "crossbar" as const;
  readonly sizes: readonly number[];
  readonly blocks: Block[];
  private readonly array: ConductanceArray;
  private readonly id: DeviceIdentity;
  private readonly rng: Rng;
  private readonly settings: CrossbarSettings;
  private readonly rows: number;
  private readonly cols: number;
  private readonly dW: Float64Array[];
  /** threshold protocol: updates summed on the host and not yet written, per layer (weight units). */
  private readonly pending: Float64Array[];
  private readonly touched: Uint8Array[];
  private readonly scratch: Float64Array;
  /** Product inputs and outputs by block, batch and direction, kept: a fresh Float64Array per product cost ~3.6 µs (Node 20). */
  private readonly productArrays = new Map<string, ProductBuffers>();
  /** How a resume put the checkpoint back on the device; null when the store was not opened on a checkpoint. */
  restored: RestoreReport | null = null;

  private constructor(o: CrossbarStoreOptions, id: DeviceIdentity) {
    this.id = id;
    this.sizes = [...o.sizes];
    this.rng = o.rng;
    this.settings = o.settings;
    this.rows = id.rows;
    this.cols = id.cols;
    this.blocks = placeBlocks(this.sizes, id.rows, id.cols);
    this.array = new ConductanceArray(o.crossbar, id, o.ledger, o.settings);
    this.dW = this.sizes.slice(1).map((n, l) => new Float64Array(this.sizes[l]! * n));
    this.pending = this.sizes.slice(1).map((n, l) => new Float64Array(this.sizes[l]! * n));
    this.touched = this.sizes.slice(0, -1).map((n) => new Uint8Array(n));
    this.scratch = new Float64Array(Math.max(...this.sizes));
  }

  /** Opens the store on a device: places the network, characterises the array, writes the initial weights. */
  static async create(o: CrossbarStoreOptions): Promise<CrossbarStore> {
    const id = await o.crossbar.identify();
    if (!id.capabilities.mvmForward || !id.capabilities.mvmTransposed) {
      throw new Error(`${id.model}: EqProp on the crossbar needs forward and transposed matrix-vector products`);
    }
    const store = new CrossbarStore(o, id);
    const used = store.markPairs();
    if (o.checkpoint) {
      // A resume characterises nothing again: the checkpoint's calibration holds, and pulses cost wear.
      await store.restore(o.checkpoint);
      return store;
    }
    await characterise(store.array, used, store.settings);
    const init = o.initialWeights ?? store.sizes.slice(0, -1).map((nIn, l) => {
      const nOut = store.sizes[l + 1]!;
      const scale = Math.sqrt(6 / (nIn + nOut));
      return Float64Array.from({ length: nIn * nOut }, () => (2 * o.rng.uniform() - 1) * scale);
    });
    await writeWeights(store.array, store.blocks, store.sizes, init, "initialise");
    return store;
  }

  /** The devices of weight pairs whose devices both switch (1), the ones a resume compares with its checkpoint. */
  private pairDevices(): Uint8Array {
    const { dead } = this.array;
    const devices = new Uint8Array(this.array.cells);
    forEachPair(this.blocks, this.cols, (plus) => {
      if (dead[plus] || dead[plus + 1]) return;
      devices[plus] = 1;
      devices[plus + 1] = 1;
    });
    return devices;
  }

  /** Marks every pair's G⁺ cell on the array; returns the used cells (both devices of every pair). */
  private markPairs(): Int32Array {
    const used = new Int32Array(this.array.cells);
    forEachPair(this.blocks, this.cols, (plus) => {
      this.array.isPlus[plus] = 1;
      used[plus] = 1;
      used[plus + 1] = 1;
    });
    return used;
  }

  // ---- products ------------------------------------------------------------------------------

  async forward(l: number, input: Float64Array, batch: number, out: Float64Array, phase: Phase): Promise<void> {
    const nIn = this.sizes[l]!, nOut = this.sizes[l + 1]!;
    const { readVolts } = this.array;
    out.fill(0, 0, batch * nOut);
    const scale = 1 / (readVolts * this.array.cal.gUnit);
    for (const b of this.blocks) {
      if (b.layer !== l) continue;
      const { volts, currents } = this.productBuffers(b, batch, "forward");
      packRows(volts, input, batch, this.rows, b.row, nIn, b.inStart, b.inCount, readVolts);
      const m = this.array.record(PHASE_ACTIVITY[phase], await this.array.device.mvm({ direction: "forward", volts, vectors: batch, out: currents }));
      unpackPairs(out, m.value, batch, this.cols, b.col, nOut, b.outStart, b.outCount, scale);
    }
  }

  /**
   * The volts and currents of a product on block b, kept: the volts are zero outside the block's lines (each block
   * writes only its own), the backend is done with a request once its answer is awaited, and the currents are
   * read out before the next product on the block.
   */
  private productBuffers(b: { row: number; col: number }, batch: number, direction: "forward" | "transposed"): ProductBuffers {
    const key = `${direction} ${b.row} ${b.col} ${batch}`;
    let buffers = this.productArrays.get(key);
    if (!buffers) {
      const [nIn, nOut] = direction === "forward" ? [this.rows, this.cols] : [this.cols, this.rows];
      buffers = { volts: new Float64Array(batch * nIn), currents: new Float64Array(batch * nOut) };
      this.productArrays.set(key, buffers);
    }
    return buffers;
  }

  async transposed(l: number, input: Float64Array, batch: number, out: Float64Array, phase: Phase): Promise<void> {
    const nIn = this.sizes[l]!, nOut = this.sizes[l + 1]!;
    const { readVolts } = this.array;
    out.fill(0, 0, batch * nIn);
    const scale = 1 / (readVolts * this.array.cal.gUnit);
    for (const b of this.blocks) {
      if (b.layer !== l) continue;
      const { volts, currents } = this.productBuffers(b, batch, "transposed");
      packPairs(volts, input, batch, this.cols, b.col, nOut, b.outStart, b.outCount, readVolts);
      const m = this.array.record(PHASE_ACTIVITY[phase], await this.array.device.mvm({ direction: "transposed", volts, vectors: batch, out: currents }));
      unpackRows(out, m.value, batch, this.rows, b.row, nIn, b.inStart, b.inCount, scale);
    }
  }

  // ---- update --------------------------------------------------------------------------------

  async update(l: number, prePlus: Float64Array, postPlus: Float64Array, preMinus: Float64Array, postMinus: Float64Array, batch: number, coef: number): Promise<UpdateReport> {
    const nIn = this.sizes[l]!, nOut = this.sizes[l + 1]!;
    const dW = this.dW[l]!;
    const touched = this.touched[l]!;
    accumulateUpdate(dW, nIn, nOut, prePlus, postPlus, preMinus, postMinus, batch, coef, touched, this.scratch);
    const protocol = this.settings.update;
    const pending = this.pending[l]!;
    const { cal, dead } = this.array;
    const { gUnit } = cal;
    const rule: UpdateRule = { noiseFloorWeight: (2 * cal.readSigma) / gUnit, maxPulses: this.settings.maxPulsesPerUpdate, roundToNearest: this.settings.quantization === "round" };
    const counts = new Int32Array(this.rows * this.cols);
    let path = 0;
    for (const b of this.blocks) {
      if (b.layer !== l) continue;
      for (let i = 0; i < b.inCount; i++) {
        const wi = b.inStart + i;
        if (touched[wi] === 0) continue;
        const rowBase = (b.row + i) * this.cols + b.col;
        for (let j = 0; j < b.outCount; j++) {
          const widx = wi * nOut + b.outStart + j;
          const d = protocol === "threshold" ? pending[widx]! + dW[widx]! : dW[widx]!;
          if (d === 0) continue;
          const cell = d > 0 ? rowBase + 2 * j : rowBase + 2 * j + 1;
          if (dead[cell] || dead[d > 0 ? cell + 1 : cell - 1]) continue;
          const stepW = cal.step[cell]! / gUnit;
          const { pulses: n, appliedWeight } = pulsesFor(protocol, d, stepW, rule, this.rng);
          if (protocol === "threshold") pending[widx] = d - appliedWeight;
          if (n === 0) continue;
          counts[cell] = n;
          path += n * stepW;
        }
      }
    }
    for (let i = 0; i < nIn; i++) {
      if (touched[i] === 0) continue;
      touched[i] = 0;
      dW.fill(0, i * nOut, (i + 1) * nOut);
    }
    const pulses = await this.array.applyCounts(counts, "program");
    if (this.settings.writeVerify) await verifyWrites(this.array, counts, this.settings.maxPulsesPerUpdate);
    await refreshSaturated(this.array, this.blocks, this.settings.refreshThreshold);
    return { pathL1: path, pulses };
  }

  // ---- inspection and checkpoints --------------------------------------------------------------

  /** The weights as the device holds them: one readArray (a verify read), (G⁺ − G⁻)/gUnit. */
  async weights(l: number): Promise<Float64Array> {
    const read = await this.array.read("verifyRead");
    return pairWeights(this.blocks, this.sizes, this.cols, l, read, this.array.cal.gUnit);
  }

  /** Weights from the shadow conductances (no device call): (G⁺ − G⁻)/gUnit as the products see them. */
  shadowWeights(l: number): Float64Array {
    return pairWeights(this.blocks, this.sizes, this.cols, l, this.array.shadow, this.array.cal.gUnit);
  }

  weightCount(): number {
    let s = 0;
    for (let l = 0; l + 1 < this.sizes.length; l++) s += this.sizes[l]! * this.sizes[l + 1]!;
    return s;
  }

  /** Two devices per weight. */
  deviceCount(): number {
    return 2 * this.weightCount();
  }

  /**
   * Levels one device holds distinguishably: 1 + range / max(SET step, 2·read-noise σ), from the
   * calibration (median range and step, σ from two reads of the floor).
   */
  levelsPerDevice(): number | null {
    const { cal } = this.array;
    const ranges: number[] = [];
    const steps: number[] = [];
    forEachPair(this.blocks, this.cols, (plus) => {
      for (const c of [plus, plus + 1]) {
        ranges.push(cal.gHigh[c]! - cal.gLow[c]!);
        steps.push(cal.step[c]!);
      }
    });
    const resolution = Math.max(median(steps), 2 * cal.readSigma);
    return 1 + Math.floor(median(ranges) / resolution);
  }

  /**
   * Calibration, the intended conductances (shadow) and the stochastic-rounding RNG state; the simulator's whole
   * state, or from a device that cannot save it, a reading of the array (when a run may resume from here): the
   * shadow is a model's estimate (devices near saturation sit steps below it), a resume needs what was there.
   */
  async checkpoint(resumable = true): Promise<StoreCheckpoint> {
    const { cal, dead, shadow, device } = this.array;
    // Conductances as siemens in plain numbers, for readers of the checkpoint (the report's histogram).
    const conductancesSiemens: number[] = [];
    forEachPair(this.blocks, this.cols, (plus) => conductancesSiemens.push(shadow[plus]!, shadow[plus + 1]!));
    return {
      kind: "crossbar",
      sizes: [...this.sizes],
      device: { model: this.id.model, serial: this.id.serial, rows: this.rows, cols: this.cols },
      gLow: encodeFloat64(cal.gLow),
      gHigh: encodeFloat64(cal.gHigh),
      step: encodeFloat64(cal.step),
      gUnit: cal.gUnit,
      resetBursts: cal.resetBursts,
      readSigma: cal.readSigma,
      widthSeconds: this.array.widthSeconds,
      dead: Array.from(dead.keys()).filter((i) => dead[i]),
      weights: this.sizes.slice(0, -1).map((_, l) => encodeFloat64(this.shadowWeights(l))),
      shadow: encodeFloat64(shadow),
      pending: this.pending.map(encodeFloat64),
      conductancesSiemens,
      rng: this.rng.getState(),
      // A simulated device dies with the process: its whole state comes along, so a resume continues on it.
      deviceState: device.saveState ? await device.saveState() : null,
      // Overhead (characterise), not learning: it makes the run resumable, it teaches the network nothing.
      reading: !device.saveState && resumable ? encodeFloat64(await this.array.read("characterise")) : null,
    };
  }

  /**
   * Takes the checkpoint's calibration. A simulated device gets its saved state back (no pulse, no energy);
   * a real one keeps its state physically but not as the checkpoint left it (the run went on after it): the
   * array is read, compared with the checkpoint's reading, and only the devices that differ are re-programmed
   * (reprogram-drifted.ts, "initialise"), never a RESET of the array. How it went is `restored`.
   */
  async restore(cp: StoreCheckpoint): Promise<void> {
    if (cp.kind !== "crossbar") throw new Error(`checkpoint is for a ${cp.kind} store, not crossbar`);
    const sizes = cp.sizes as number[];
    if (sizes.join("-") !== this.sizes.join("-")) throw new Error(`checkpoint network ${sizes.join("-")} is not ${this.sizes.join("-")}`);
    const n = this.rows * this.cols;
    const array = this.array;
    array.cal = {
      gLow: decodeFloat64(cp.gLow as string, n, "gLow"),
      gHigh: decodeFloat64(cp.gHigh as string, n, "gHigh"),
      step: decodeFloat64(cp.step as string, n, "step"),
      gUnit: cp.gUnit as number,
      resetBursts: cp.resetBursts as number,
      readSigma: cp.readSigma as number,
    };
    // The width the checkpoint's steps were measured at (older checkpoints: the one chosen now).
    if (typeof cp.widthSeconds === "number") array.widthSeconds = cp.widthSeconds;
    array.dead.fill(0);
    for (const i of cp.dead as number[]) array.dead[i] = 1;
    // The threshold protocol's unwritten updates are part of the model (older checkpoints: none).
    (cp.pending as string[] | undefined)?.forEach((p, l) => this.pending[l]!.set(decodeFloat64(p, this.pending[l]!.length, `pending[${l}]`)));
    const state = cp.deviceState as DeviceState | null | undefined;
    if (state && array.device.loadState && typeof cp.shadow === "string") {
      await array.device.loadState(state);
      array.shadow.set(decodeFloat64(cp.shadow, n, "shadow"));
      this.restored = nothingCompared("device-state");
    } else if (typeof cp.reading === "string" && typeof cp.shadow === "string") {
      this.restored = await reprogramDrifted(array, this.pairDevices(), decodeFloat64(cp.reading, n, "reading"));
      array.shadow.set(decodeFloat64(cp.shadow, n, "shadow"));
    } else {
      // Nothing read at the checkpoint (the last epoch's, or an older one): its weights written again, pairs RESET first.
      this.restored = nothingCompared("rewrite");
      const weights = (cp.weights as string[]).map((s, l) => decodeFloat64(s, this.sizes[l]! * this.sizes[l + 1]!, `weights[${l}]`));
      await writeWeights(array, this.blocks, this.sizes, weights, "initialise");
    }
    this.rng.setState(cp.rng as RngState);
  }
}

function clip01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

interface ProductBuffers {
  volts: Float64Array;
  currents: Float64Array;
}

// The products' packing loops are plain functions of numbers: V8 optimizes them apart from the async callers
// (inlined in forward/transposed they were ~4 µs of every 10-vector product of the default run).

/** Block rows [row, row + count) of each vector's volts = clip(input) · readVolts. */
function packRows(volts: Float64Array, input: Float64Array, batch: number, rows: number, row: number, nIn: number, inStart: number, count: number, readVolts: number): void {
  for (let k = 0; k < batch; k++) {
    const to = k * rows + row, from = k * nIn + inStart;
    for (let i = 0; i < count; i++) volts[to + i] = clip01(input[from + i]!) * readVolts;
  }
}

/** Each pair's columns (col + 2j, col + 2j + 1) of each vector's volts = ±clip(input) · readVolts. */
function packPairs(volts: Float64Array, input: Float64Array, batch: number, cols: number, col: number, nOut: number, outStart: number, count: number, readVolts: number): void {
  for (let k = 0; k < batch; k++) {
    const to = k * cols + col, from = k * nOut + outStart;
    for (let j = 0; j < count; j++) {
      const v = clip01(input[from + j]!) * readVolts;
      volts[to + 2 * j] = v;
      volts[to + 2 * j + 1] = -v;
    }
  }
}

/** out += (I⁺ − I⁻) · scale for each pair of columns of each vector. */
function unpackPairs(out: Float64Array, I: Float64Array, batch: number, cols: number, col: number, nOut: number, outStart: number, count: number, scale: number): void {
  for (let k = 0; k < batch; k++) {
    const base = k * cols + col, to = k * nOut + outStart;
    for (let j = 0; j < count; j++) out[to + j]! += (I[base + 2 * j]! - I[base + 2 * j + 1]!) * scale;
  }
}

/** out += I · scale for the block's rows of each vector. */
function unpackRows(out: Float64Array, I: Float64Array, batch: number, rows: number, row: number, nIn: number, inStart: number, count: number, scale: number): void {
  for (let k = 0; k < batch; k++) {
    const from = k * rows + row, to = k * nIn + inStart;
    for (let i = 0; i < count; i++) out[to + i]! += I[from + i]! * scale;
  }
}
