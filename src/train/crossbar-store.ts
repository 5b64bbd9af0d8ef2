// The crossbar weight store: each weight a differential conductance pair G⁺ − G⁻ on a Crossbar.
//
// Layout: weight layer l (nIn × nOut) is cut into blocks of at most `rows` inputs × `cols`/2 outputs;
// blocks are shelf-packed on the array. In a block, input i drives row r0 + i and output k owns the
// adjacent columns c0 + 2k (G⁺) and c0 + 2k + 1 (G⁻), so W = (G⁺ − G⁻)/gUnit with
// gUnit = (median device range)/weightRange.
// Relaxation: forward = rows driven at ρ·readVolts, W = (I⁺ − I⁻)/(readVolts·gUnit) per output;
// transposed = the pair's columns driven at ±ρ·readVolts, W·ρ = I_row/(readVolts·gUnit).
// The input layer's products are one mvm per block per batch (its drive is constant over a phase).
// Update: ΔW → signed pulse counts n = q(ΔW/w_pulse) (q = round or stochastic rounding, |n| ≤
// maxPulsesPerUpdate) with w_pulse each device's calibrated SET step; n > 0 SETs G⁺, n < 0 SETs G⁻
// (potentiation only: both devices use the same, calibrated, pulse response). One row-parallel request
// (V/2 half-select) per array row carries the row's counts. A pair whose device passes refreshThreshold of
// its range is refreshed: both RESET to the floor, the difference re-written on one side.
// Characterisation (ledger "characterise", overhead): ground the lines, RESET every used device to its floor (bursts of
// strong pulses until reads stop moving), read the floor, calibrate the SET step with a burst of update
// pulses, SET a sample of 256 cells to the ceiling to measure the range, RESET again; then write the initial
// weights ("initialise", overhead). Refresh during training is learning ("refresh").
// Unless the config fixes the pulse width, a device that holds fewer than TARGET_LEVELS steps at the default
// width (√(min·max) of its limits) gets shorter update pulses, down to its minimum width, and its step is
// measured again: coarse steps left EqProp at chance (the firmware's reference device: 22 levels at 447 µs,
// chance on toy:2d; 44 levels at 20 µs, 1.0).
// Every backend call is recorded in the ledger under its activity; energy is only what the backend returned.
// Biases are kept digitally by the session.
import type { Crossbar, DeviceIdentity, DeviceState, HalfSelectScheme, LinePulse, Measured, Pulse } from "../hal/crossbar.js";
import type { Activity, EnergyLedger } from "../energy/ledger.js";
import type { Rng, RngState } from "../random/rng.js";
import type { CrossbarSettings } from "./config.js";
import { pulsesFor, type UpdateRule } from "./update-protocol.js";
import { accumulateUpdate, decodeFloat64, encodeFloat64, type Phase, type StoreCheckpoint, type UpdateReport, type WeightStore } from "./store.js";

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

/** A rectangle of one weight layer placed on the array. */
export interface Block {
  layer: number;
  inStart: number;
  inCount: number;
  outStart: number;
  outCount: number;
  /** First array row and column of the block. */
  row: number;
  col: number;
}

/** The network does not fit on the device; says the sizes. */
export class PlacementError extends Error {
  /** A user's choice of device and network, like other refused input (CLI exit code 2). */
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "PlacementError";
  }
}

/** Shelf-packs every layer's blocks onto a rows × cols array (pairs take two columns). */
export function placeBlocks(sizes: readonly number[], rows: number, cols: number): Block[] {
  const maxOut = Math.floor(cols / 2);
  if (maxOut < 1) throw new PlacementError(`a ${rows}×${cols} array has no room for a conductance pair (two columns)`);
  const pieces: Omit<Block, "row" | "col">[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l]!, nOut = sizes[l + 1]!;
    for (let i0 = 0; i0 < nIn; i0 += rows) {
      for (let o0 = 0; o0 < nOut; o0 += maxOut) pieces.push({ layer: l, inStart: i0, inCount: Math.min(rows, nIn - i0), outStart: o0, outCount: Math.min(maxOut, nOut - o0) });
    }
  }
  const blocks: Block[] = [];
  let shelfRow = 0;
  let shelfHeight = 0;
  let x = 0;
  for (const p of pieces) {
    const w = 2 * p.outCount;
    if (x + w > cols) {
      shelfRow += shelfHeight;
      shelfHeight = 0;
      x = 0;
    }
    if (shelfRow + p.inCount > rows) {
      const cells = pieces.reduce((s, q) => s + q.inCount * 2 * q.outCount, 0);
      throw new PlacementError(
        `network ${sizes.join("-")} does not fit on a ${rows}×${cols} crossbar: its weights need ${cells} cells as conductance pairs ` +
          `(layer blocks ${pieces.map((q) => `${q.inCount}×${2 * q.outCount}`).join(", ")}); use a larger device (sim:PRESET?rows=&cols=) or a smaller network`,
      );
    }
    blocks.push({ ...p, row: shelfRow, col: x });
    x += w;
    shelfHeight = Math.max(shelfHeight, p.inCount);
  }
  return blocks;
}

interface Calibration {
  /** Per array cell (row-major): floor conductance after a full RESET, ceiling after a full SET, mean SET step. */
  gLow: Float64Array;
  gHigh: Float64Array;
  step: Float64Array;
  /** Siemens per weight unit. */
  gUnit: number;
  /** Pulses per hard-RESET burst and bursts that brought every device to its floor. */
  resetBursts: number;
  /** Read-noise standard deviation (siemens), from two reads of the floor. */
  readSigma: number;
}

const HARD_BURST = 16;
const MAX_BURSTS = 40;
const CALIBRATION_PULSES = 20;
/** Fewest distinguishable levels per device the default pulse width is shortened to reach. */
const TARGET_LEVELS = 64;
/** Cells driven to the ceiling to measure the conductance range. */
const RANGE_SAMPLE = 256;
/** Smallest common mode (fraction of the range, on the lower device) that makes a refresh worthwhile. */
const MIN_COMMON_MODE = 0.05;

export class CrossbarStore implements WeightStore {
  readonly kind = "crossbar" as const;
  readonly sizes: readonly number[];
  readonly blocks: Block[];
  private readonly device: Crossbar;
  private readonly id: DeviceIdentity;
  private readonly ledger: EnergyLedger;
  private readonly rng: Rng;
  private readonly settings: CrossbarSettings;
  private readonly rows: number;
  private readonly cols: number;
  private readonly readVolts: number;
  private readonly setVolts: number;
  private readonly resetVolts: number;
  /** Update-pulse width: the config's, or chosen at calibration (see TARGET_LEVELS). */
  private widthSeconds: number;
  private readonly hardWidthSeconds: number;
  private readonly scheme: HalfSelectScheme | null;
  private cal!: Calibration;
  /** Best estimate of every cell's conductance: the last read plus the expected effect of pulses since. */
  private shadow!: Float64Array;
  /** Cells that do not switch (stuck): their pairs are frozen at W ≈ 0. */
  private dead!: Uint8Array;
  /** 1 for the G⁺ cell of a pair. */
  private isPlus!: Uint8Array;
  private readonly dW: Float64Array[];
  /** threshold protocol: updates summed on the host and not yet written, per layer (weight units). */
  private readonly pending: Float64Array[];
  private readonly touched: Uint8Array[];
  private readonly scratch: Float64Array;
  /** Cells used by the layout (for initialisation and refresh reads). */
  private readonly usedRows: number;

  private constructor(o: CrossbarStoreOptions, id: DeviceIdentity) {
    this.device = o.crossbar;
    this.id = id;
    this.sizes = [...o.sizes];
    this.ledger = o.ledger;
    this.rng = o.rng;
    this.settings = o.settings;
    this.rows = id.rows;
    this.cols = id.cols;
    this.blocks = placeBlocks(this.sizes, id.rows, id.cols);
    this.usedRows = Math.max(...this.blocks.map((b) => b.row + b.inCount));
    const L = id.limits;
    const s = o.settings;
    this.readVolts = s.readVolts ?? L.maxReadVolts;
    this.setVolts = s.setVolts ?? 0.75 * L.maxProgramVoltsPositive;
    this.resetVolts = s.resetVolts ?? L.maxProgramVoltsNegative;
    this.widthSeconds = s.pulseWidthSeconds ?? Math.min(L.maxPulseWidthSeconds, Math.max(L.minPulseWidthSeconds, Math.sqrt(L.minPulseWidthSeconds * L.maxPulseWidthSeconds)));
    this.hardWidthSeconds = L.maxPulseWidthSeconds;
    for (const [name, v, max] of [["readVolts", this.readVolts, L.maxReadVolts], ["setVolts", this.setVolts, L.maxProgramVoltsPositive], ["resetVolts", this.resetVolts, L.maxProgramVoltsNegative]] as const) {
      if (v > max) throw new Error(`crossbar.${name} = ${v} V exceeds the device limit ${max} V`);
    }
    this.scheme = id.capabilities.parallelPulse ? (id.capabilities.halfSelectSchemes.includes("V/2") ? "V/2" : id.capabilities.halfSelectSchemes[0] ?? null) : null;
    this.dW = this.sizes.slice(1).map((n, l) => new Float64Array(this.sizes[l]! * n));
    this.pending = this.sizes.slice(1).map((n, l) => new Float64Array(this.sizes[l]! * n));
    this.touched = this.sizes.slice(0, -1).map((n) => new Uint8Array(n));
    this.scratch = new Float64Array(Math.max(...this.sizes));
  }

  /** Opens the store on a device: places the network, initialises and calibrates the array, writes the initial weights. */
  static async create(o: CrossbarStoreOptions): Promise<CrossbarStore> {
    const id = await o.crossbar.identify();
    if (!id.capabilities.mvmForward || !id.capabilities.mvmTransposed) {
      throw new Error(`${id.model}: EqProp on the crossbar needs forward and transposed matrix-vector products`);
    }
    const store = new CrossbarStore(o, id);
    if (o.checkpoint) {
      // A resume characterises nothing again: the checkpoint's calibration holds, and pulses cost wear.
      store.prepareArrays();
      await store.restore(o.checkpoint);
      return store;
    }
    await store.calibrate();
    const init = o.initialWeights ?? store.sizes.slice(0, -1).map((nIn, l) => {
      const nOut = store.sizes[l + 1]!;
      const scale = Math.sqrt(6 / (nIn + nOut));
      return Float64Array.from({ length: nIn * nOut }, () => (2 * o.rng.uniform() - 1) * scale);
    });
    await store.writeWeights(init, "initialise");
    return store;
  }

  // ---- products ------------------------------------------------------------------------------

  async forward(l: number, input: Float64Array, batch: number, out: Float64Array, phase: Phase): Promise<void> {
    const nIn = this.sizes[l]!, nOut = this.sizes[l + 1]!;
    out.fill(0, 0, batch * nOut);
    const scale = 1 / (this.readVolts * this.cal.gUnit);
    for (const b of this.blocks) {
      if (b.layer !== l) continue;
      const volts = new Float64Array(batch * this.rows);
      for (let k = 0; k < batch; k++) {
        for (let i = 0; i < b.inCount; i++) volts[k * this.rows + b.row + i] = clip01(input[k * nIn + b.inStart + i]!) * this.readVolts;
      }
      const m = this.record(phase === "free" ? "freeRead" : "nudgedRead", await this.device.mvm({ direction: "forward", volts, vectors: batch }));
      const I = m.value;
      for (let k = 0; k < batch; k++) {
        const base = k * this.cols + b.col;
        for (let j = 0; j < b.outCount; j++) out[k * nOut + b.outStart + j]! += (I[base + 2 * j]! - I[base + 2 * j + 1]!) * scale;
      }
    }
  }

  async transposed(l: number, input: Float64Array, batch: number, out: Float64Array, phase: Phase): Promise<void> {
    const nIn = this.sizes[l]!, nOut = this.sizes[l + 1]!;
    out.fill(0, 0, batch * nIn);
    const scale = 1 / (this.readVolts * this.cal.gUnit);
    for (const b of this.blocks) {
      if (b.layer !== l) continue;
      const volts = new Float64Array(batch * this.cols);
      for (let k = 0; k < batch; k++) {
        for (let j = 0; j < b.outCount; j++) {
          const v = clip01(input[k * nOut + b.outStart + j]!) * this.readVolts;
          volts[k * this.cols + b.col + 2 * j] = v;
          volts[k * this.cols + b.col + 2 * j + 1] = -v;
        }
      }
      const m = this.record(phase === "free" ? "freeRead" : "nudgedRead", await this.device.mvm({ direction: "transposed", volts, vectors: batch }));
      const I = m.value;
      for (let k = 0; k < batch; k++) {
        for (let i = 0; i < b.inCount; i++) out[k * nIn + b.inStart + i]! += I[k * this.rows + b.row + i]! * scale;
      }
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
    const { gUnit } = this.cal;
    const rule: UpdateRule = { noiseFloorWeight: (2 * this.cal.readSigma) / gUnit, maxPulses: this.settings.maxPulsesPerUpdate, roundToNearest: this.settings.quantization === "round" };
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
          if (this.dead[cell] || this.dead[d > 0 ? cell + 1 : cell - 1]) continue;
          const stepW = this.cal.step[cell]! / gUnit;
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
    const pulses = await this.applyCounts(counts, "program");
    if (this.settings.writeVerify) await this.verify(counts);
    await this.refreshSaturated();
    return { pathL1: path, pulses };
  }

  /** Sends SET pulses with the given per-cell counts (one row-parallel request per row); updates the shadow. */
  private async applyCounts(counts: Int32Array, activity: Activity): Promise<number> {
    const pulses = this.countPulses(counts, this.setVolts, this.widthSeconds);
    if (pulses.length === 0) return 0;
    const maxCount = this.id.limits.maxPulseCount;
    for (let cell = 0; cell < counts.length; cell++) {
      const n = counts[cell]!;
      if (n > 0) this.shadow[cell] = Math.min(this.cal.gHigh[cell]!, this.shadow[cell]! + Math.min(n, maxCount) * this.cal.step[cell]!);
    }
    const m = this.record(activity, await this.device.program(pulses));
    return m.value.pulsesApplied;
  }

  /** The pulses that give each cell its count (clamped to maxPulseCount), one row-parallel request per row. */
  private countPulses(counts: Int32Array, volts: number, width: number): Pulse[] {
    const pulses: Pulse[] = [];
    const maxCount = this.id.limits.maxPulseCount;
    for (let r = 0; r < this.rows; r++) {
      const selected: number[] = [];
      const cs: number[] = [];
      for (let c = 0; c < this.cols; c++) {
        const n = counts[r * this.cols + c]!;
        if (n > 0) {
          selected.push(c);
          cs.push(Math.min(n, maxCount));
        }
      }
      if (selected.length > 0) pulses.push(...this.linePulses(r, selected, cs, volts, width));
    }
    return pulses;
  }

  private linePulses(row: number, selected: number[], counts: number[], volts: number, width: number): Pulse[] {
    if (this.scheme !== null) {
      const p: LinePulse = { kind: "row", line: row, selected, counts, volts, widthSeconds: width, scheme: this.scheme };
      return [p];
    }
    return selected.map((col, k) => ({ kind: "cell" as const, row, col, volts, widthSeconds: width, count: counts[k]! }));
  }

  /** Write-verify: read back, and correct each pulsed pair once towards its intended difference. */
  private async verify(counts: Int32Array): Promise<void> {
    const intended = this.shadow.slice();
    const read = this.record("verifyRead", await this.device.readArray(this.readVolts)).value;
    const fix = new Int32Array(this.rows * this.cols);
    for (let cell = 0; cell < counts.length; cell++) {
      if (counts[cell] === 0) continue;
      const err = intended[cell]! - read[cell]!; // > 0: fell short
      const n = Math.round(Math.abs(err) / this.cal.step[cell]!);
      if (n === 0) continue;
      // Short: more SET on the same cell; overshoot: SET its partner (pairs start on even block columns).
      const partner = this.partnerOf(cell);
      fix[err > 0 ? cell : partner] = Math.min(n, this.settings.maxPulsesPerUpdate);
    }
    for (let i = 0; i < read.length; i++) this.shadow[i] = read[i]!;
    await this.applyCounts(fix, "program");
  }

  /** Refreshes pairs whose shadow passed refreshThreshold of the range: read, RESET both, rewrite the difference. */
  private async refreshSaturated(): Promise<void> {
    const thr = this.settings.refreshThreshold;
    const { gLow, gHigh } = this.cal;
    const candidates: number[] = [];
    this.forEachPair((plus) => {
      if (this.dead[plus] || this.dead[plus + 1]) return;
      const xp = (this.shadow[plus]! - gLow[plus]!) / (gHigh[plus]! - gLow[plus]!);
      const xm = (this.shadow[plus + 1]! - gLow[plus + 1]!) / (gHigh[plus + 1]! - gLow[plus + 1]!);
      // Only a pair with common mode to remove is worth refreshing: one side at the ceiling and the
      // other at the floor is a weight at its limit, and rewriting it would change nothing.
      if ((xp > thr || xm > thr) && Math.min(xp, xm) > MIN_COMMON_MODE) candidates.push(plus);
    });
    if (candidates.length === 0) return;
    const read = this.record("refresh", await this.device.readArray(this.readVolts)).value;
    for (let i = 0; i < read.length; i++) this.shadow[i] = read[i]!;
    const targets = new Map<number, number>();
    for (const plus of candidates) targets.set(plus, (read[plus]! - gLow[plus]!) - (read[plus + 1]! - gLow[plus + 1]!));
    await this.rewritePairs(targets, "refresh");
  }

  /** RESETs the given pairs to their floors and SETs one side to the target difference (siemens above the floors). */
  private async rewritePairs(targets: Map<number, number>, activity: Activity): Promise<void> {
    const cells = new Int32Array(this.rows * this.cols);
    for (const plus of targets.keys()) {
      cells[plus] = 1;
      cells[plus + 1] = 1;
    }
    await this.hardPulse(cells, -this.resetVolts, this.cal.resetBursts * HARD_BURST, activity);
    const counts = new Int32Array(this.rows * this.cols);
    for (const [plus, diff] of targets) {
      this.shadow[plus] = this.cal.gLow[plus]!;
      this.shadow[plus + 1] = this.cal.gLow[plus + 1]!;
      const cell = diff >= 0 ? plus : plus + 1;
      counts[cell] = Math.round(Math.abs(diff) / this.cal.step[cell]!);
    }
    await this.applyCounts(counts, activity);
  }

  // ---- initialisation and calibration ----------------------------------------------------------

  /** The per-cell arrays for the placement; returns the used cells (both devices of every pair). */
  private prepareArrays(): Int32Array {
    const n = this.rows * this.cols;
    this.shadow = new Float64Array(n);
    this.dead = new Uint8Array(n);
    this.isPlus = new Uint8Array(n);
    const used = new Int32Array(n);
    this.forEachPair((plus) => {
      this.isPlus[plus] = 1;
      used[plus] = 1;
      used[plus + 1] = 1;
    });
    return used;
  }

  private async calibrate(): Promise<void> {
    const n = this.rows * this.cols;
    const used = this.prepareArrays();
    this.record("characterise", await this.device.reset());
    // RESET to the floor: bursts of strong pulses until a read no longer moves.
    const floorRead = async () => this.record("characterise", await this.device.readArray(this.readVolts)).value;
    let prev = await floorRead();
    let bursts = 0;
    let range = 0;
    for (let i = 0; i < n; i++) range = Math.max(range, prev[i]!);
    for (; bursts < MAX_BURSTS; bursts++) {
      await this.hardPulse(used, -this.resetVolts, HARD_BURST, "characterise");
      const now = await floorRead();
      let moved = 0;
      for (let i = 0; i < n; i++) if (used[i] && prev[i]! - now[i]! > 0.005 * range) moved++;
      prev = now;
      if (moved === 0) break;
    }
    const resetBursts = Math.max(1, bursts + 1);
    const gLow = Float64Array.from(prev);
    const second = await floorRead();
    let sq = 0;
    let cnt = 0;
    for (let i = 0; i < n; i++) {
      if (!used[i]) continue;
      const d = second[i]! - gLow[i]!;
      sq += d * d;
      cnt++;
      gLow[i] = (gLow[i]! + second[i]!) / 2;
    }
    const readSigma = Math.sqrt(sq / Math.max(1, cnt) / 2);
    // The SET step with the update pulse, then the ceiling.
    const calib = new Int32Array(n);
    for (let i = 0; i < n; i++) if (used[i]) calib[i] = CALIBRATION_PULSES;
    const measureSteps = async () => {
      await this.hardPulseCounts(calib, this.setVolts, this.widthSeconds, "characterise");
      const after = await floorRead();
      return { after, step: Float64Array.from({ length: n }, (_, i) => (used[i] ? (after[i]! - gLow[i]!) / CALIBRATION_PULSES : 0)) };
    };
    const first = await measureSteps();
    let step = first.step;
    // The ceiling, on a sample of cells only: driving every device to its top is the most expensive
    // pulse train there is (high conductance), and the range is a property of the population.
    const sample = new Int32Array(n);
    const usedCells: number[] = [];
    for (let i = 0; i < n; i++) if (used[i]) usedCells.push(i);
    const stride = Math.max(1, Math.floor(usedCells.length / RANGE_SAMPLE));
    for (let k = 0; k < usedCells.length; k += stride) sample[usedCells[k]!] = 1;
    let top = first.after;
    for (let k = 0; k < MAX_BURSTS; k++) {
      await this.hardPulse(sample, this.id.limits.maxProgramVoltsPositive, HARD_BURST, "characterise");
      const now = await floorRead();
      let moved = 0;
      for (let i = 0; i < n; i++) if (sample[i] && now[i]! - top[i]! > 0.005 * range) moved++;
      top = now;
      if (moved === 0) break;
    }
    const ranges: number[] = [];
    for (let i = 0; i < n; i++) if (sample[i]) ranges.push(top[i]! - gLow[i]!);
    const medRange = median(ranges);
    const usedSteps = () => usedCells.map((i) => step[i]!);
    let medStep = median(usedSteps());
    const minWidth = this.id.limits.minPulseWidthSeconds;
    for (let tries = 0; this.settings.pulseWidthSeconds === null && tries < 3; tries++) {
      const levels = medRange / Math.max(medStep, 2 * readSigma);
      if (!(levels < TARGET_LEVELS) || !(medStep > 0) || this.widthSeconds <= minWidth) break;
      // Steps shrink about in proportion to the width well below saturation: aim at TARGET_LEVELS.
      this.widthSeconds = Math.max(minWidth, (this.widthSeconds * levels) / TARGET_LEVELS);
      await this.hardPulse(used, -this.resetVolts, resetBursts * HARD_BURST, "characterise");
      step = (await measureSteps()).step;
      medStep = median(usedSteps());
    }
    const medLow = median(usedCells.map((i) => gLow[i]!));
    const gHigh = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (!used[i]) continue;
      gHigh[i] = sample[i] ? top[i]! : gLow[i]! + medRange;
      // Devices that did not switch are stuck (at the top when their floor is high): freeze their pairs.
      if (gLow[i]! > medLow + 0.5 * medRange || (sample[i] && top[i]! - gLow[i]! < 0.2 * medRange) || !(step[i]! > 0.05 * medStep)) {
        this.dead[i] = 1;
        if (gLow[i]! > medLow + 0.5 * medRange) gHigh[i] = gLow[i]!;
      }
      if (!(step[i]! > 0)) step[i] = medStep;
    }
    if (!(medRange > 0) || !(medStep > 0)) throw new Error(`${this.id.model}: calibration found no switching (range ${medRange} S, step ${medStep} S per pulse at ${this.setVolts} V, ${this.widthSeconds} s)`);
    this.cal = { gLow, gHigh, step, gUnit: medRange / this.settings.weightRange, resetBursts, readSigma };
    await this.hardPulse(used, -this.resetVolts, resetBursts * HARD_BURST, "characterise");
    for (let i = 0; i < n; i++) this.shadow[i] = gLow[i]!;
  }

  /**
   * Writes weights: each pair RESET to its floors, then SET steps on one side so that G⁺ − G⁻ = W·gUnit
   * (the floors' own difference included). A pair with a stuck device gets its partner driven to the
   * same bound (W ≈ 0) and is left alone afterwards.
   */
  private async writeWeights(weights: Float64Array[], activity: Activity): Promise<void> {
    const targets = new Map<number, number>();
    const raise = new Int32Array(this.rows * this.cols);
    const mid = (c: number) => (this.cal.gLow[c]! + this.cal.gHigh[c]!) / 2;
    for (const b of this.blocks) {
      const nOut = this.sizes[b.layer + 1]!;
      const w = weights[b.layer]!;
      for (let i = 0; i < b.inCount; i++) {
        for (let j = 0; j < b.outCount; j++) {
          const plus = (b.row + i) * this.cols + b.col + 2 * j;
          if (this.dead[plus] || this.dead[plus + 1]) {
            const stuck = this.dead[plus] ? plus : plus + 1;
            if (this.cal.gLow[stuck]! > mid(this.partnerOf(stuck))) raise[this.partnerOf(stuck)] = 1;
            continue;
          }
          const floors = this.cal.gLow[plus]! - this.cal.gLow[plus + 1]!;
          targets.set(plus, w[(b.inStart + i) * nOut + b.outStart + j]! * this.cal.gUnit - floors);
        }
      }
    }
    await this.rewritePairs(targets, activity);
    if (raise.some((v) => v > 0)) {
      await this.hardPulse(raise, this.id.limits.maxProgramVoltsPositive, this.cal.resetBursts * HARD_BURST, activity);
      for (let i = 0; i < raise.length; i++) if (raise[i]) this.shadow[i] = this.cal.gHigh[i]!;
    }
  }

  private async hardPulse(cells: Int32Array, volts: number, count: number, activity: Activity): Promise<void> {
    const counts = new Int32Array(cells.length);
    for (let i = 0; i < cells.length; i++) if (cells[i]) counts[i] = count;
    await this.hardPulseCounts(counts, volts, this.hardWidthSeconds, activity);
  }

  private async hardPulseCounts(counts: Int32Array, volts: number, width: number, activity: Activity): Promise<void> {
    const pulses = this.countPulses(counts, volts, width);
    if (pulses.length > 0) this.record(activity, await this.device.program(pulses));
  }


  /** The other device of a cell's pair. */
  private partnerOf(cell: number): number {
    return this.isPlus[cell] ? cell + 1 : cell - 1;
  }

  private forEachPair(fn: (plusCell: number, block: Block, i: number, j: number) => void): void {
    for (const b of this.blocks) {
      for (let i = 0; i < b.inCount; i++) {
        for (let j = 0; j < b.outCount; j++) fn((b.row + i) * this.cols + b.col + 2 * j, b, i, j);
      }
    }
  }

  /** The intended conductances of every used device (G⁺ then G⁻ of each pair), siemens. */
  private usedConductances(): number[] {
    const out: number[] = [];
    this.forEachPair((plus) => out.push(this.shadow[plus]!, this.shadow[plus + 1]!));
    return out;
  }

  private record<T>(activity: Activity, m: Measured<T>): Measured<T> {
    return this.ledger.record(activity, m);
  }

  // ---- inspection and checkpoints --------------------------------------------------------------

  /** The weights as the device holds them: one readArray (a verify read), (G⁺ − G⁻)/gUnit. */
  async weights(l: number): Promise<Float64Array> {
    const read = this.record("verifyRead", await this.device.readArray(this.readVolts)).value;
    const nIn = this.sizes[l]!, nOut = this.sizes[l + 1]!;
    const w = new Float64Array(nIn * nOut);
    for (const b of this.blocks) {
      if (b.layer !== l) continue;
      for (let i = 0; i < b.inCount; i++) {
        for (let j = 0; j < b.outCount; j++) {
          const plus = (b.row + i) * this.cols + b.col + 2 * j;
          w[(b.inStart + i) * nOut + b.outStart + j] = (read[plus]! - read[plus + 1]!) / this.cal.gUnit;
        }
      }
    }
    return w;
  }

  /** Weights from the shadow conductances (no device call): (G⁺ − G⁻)/gUnit as the products see them. */
  shadowWeights(l: number): Float64Array {
    const nIn = this.sizes[l]!, nOut = this.sizes[l + 1]!;
    const w = new Float64Array(nIn * nOut);
    for (const b of this.blocks) {
      if (b.layer !== l) continue;
      for (let i = 0; i < b.inCount; i++) {
        for (let j = 0; j < b.outCount; j++) {
          const plus = (b.row + i) * this.cols + b.col + 2 * j;
          w[(b.inStart + i) * nOut + b.outStart + j] = (this.shadow[plus]! - this.shadow[plus + 1]!) / this.cal.gUnit;
        }
      }
    }
    return w;
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
    const ranges: number[] = [];
    const steps: number[] = [];
    this.forEachPair((plus) => {
      for (const c of [plus, plus + 1]) {
        ranges.push(this.cal.gHigh[c]! - this.cal.gLow[c]!);
        steps.push(this.cal.step[c]!);
      }
    });
    const resolution = Math.max(median(steps), 2 * this.cal.readSigma);
    return 1 + Math.floor(median(ranges) / resolution);
  }

  /** Calibration, the intended conductances (shadow) and the stochastic-rounding RNG state. */
  async checkpoint(): Promise<StoreCheckpoint> {
    return {
      kind: "crossbar",
      sizes: [...this.sizes],
      device: { model: this.id.model, serial: this.id.serial, rows: this.rows, cols: this.cols },
      gLow: encodeFloat64(this.cal.gLow),
      gHigh: encodeFloat64(this.cal.gHigh),
      step: encodeFloat64(this.cal.step),
      gUnit: this.cal.gUnit,
      resetBursts: this.cal.resetBursts,
      readSigma: this.cal.readSigma,
      widthSeconds: this.widthSeconds,
      dead: Array.from(this.dead.keys()).filter((i) => this.dead[i]),
      weights: this.sizes.slice(0, -1).map((_, l) => encodeFloat64(this.shadowWeights(l))),
      shadow: encodeFloat64(this.shadow),
      pending: this.pending.map(encodeFloat64),
      // Conductances as siemens in plain numbers, for readers of the checkpoint (the report's histogram).
      conductancesSiemens: this.usedConductances(),
      rng: this.rng.getState(),
      // A simulated device dies with the process: its whole state comes along, so a resume continues on it.
      deviceState: this.device.saveState ? await this.device.saveState() : null,
    };
  }

  /**
   * Takes the checkpoint's calibration. A simulated device gets its saved state back (no pulse, no energy);
   * a real one keeps its state physically but not as the checkpoint left it (the run went on after it), so
   * the checkpoint's weights are written again ("initialise").
   */
  async restore(cp: StoreCheckpoint): Promise<void> {
    if (cp.kind !== "crossbar") throw new Error(`checkpoint is for a ${cp.kind} store, not crossbar`);
    const sizes = cp.sizes as number[];
    if (sizes.join("-") !== this.sizes.join("-")) throw new Error(`checkpoint network ${sizes.join("-")} is not ${this.sizes.join("-")}`);
    const n = this.rows * this.cols;
    this.cal = {
      gLow: decodeFloat64(cp.gLow as string, n, "gLow"),
      gHigh: decodeFloat64(cp.gHigh as string, n, "gHigh"),
      step: decodeFloat64(cp.step as string, n, "step"),
      gUnit: cp.gUnit as number,
      resetBursts: cp.resetBursts as number,
      readSigma: cp.readSigma as number,
    };
    // The width the checkpoint's steps were measured at (older checkpoints: the one chosen now).
    if (typeof cp.widthSeconds === "number") this.widthSeconds = cp.widthSeconds;
    this.dead.fill(0);
    for (const i of cp.dead as number[]) this.dead[i] = 1;
    // The threshold protocol's unwritten updates are part of the model (older checkpoints: none).
    (cp.pending as string[] | undefined)?.forEach((p, l) => this.pending[l]!.set(decodeFloat64(p, this.pending[l]!.length, `pending[${l}]`)));
    const state = cp.deviceState as DeviceState | null | undefined;
    if (state && this.device.loadState && typeof cp.shadow === "string") {
      await this.device.loadState(state);
      this.shadow.set(decodeFloat64(cp.shadow, n, "shadow"));
    } else {
      const weights = (cp.weights as string[]).map((s, l) => decodeFloat64(s, this.sizes[l]! * this.sizes[l + 1]!, `weights[${l}]`));
      await this.writeWeights(weights, "initialise");
    }
    this.rng.setState(cp.rng as RngState);
  }
}

function clip01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

function median(a: number[]): number {
  if (a.length === 0) return 0;
  const s = [...a].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)]!;
}
