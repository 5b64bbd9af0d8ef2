// Programming pulses on the simulated array: one row- or column-parallel pulse at a time, with half-select
// and disturb. A cell pulse is a row pulse with one selected column.
//
// - While a pulse of width w is on, a switching device's G ramps linearly from its value before to its value
//   after (constant switching rate), so its energy is ∫V·I dt = V²·w·(G_before + G_after)/2. Compliance cuts
//   the pulse where V·G reaches the compliance current.
// - Half-select: row-parallel V/2 drives the line at V, the selected crossing lines at 0 and every other
//   line at V/2 (half-selected cells see V/2, the rest 0); V/3 drives the others at V/3 (unselected rows)
//   and 2V/3 (unselected columns), so half-selected cells see V/3 and all other cells −V/3. Every
//   non-selected cell conducts V_cell²·G·w (halfSelected energy) and switches only if V_cell is above its
//   threshold (disturb). A non-selected cell's current follows its access device (access-device.ts): with
//   K = I(V)/I(V/2) its power is the Ohmic V_cell²·G times |V_cell/V|^(log2 K − 1). On a 1T1R array only the
//   selected cells conduct and nothing else is disturbed.
// - Lines: every line driven to a voltage u costs C_line·u² per round (line-drive.ts); 1T1R word lines likewise.
// - Peripherals: one DAC conversion per line (rows + cols) per pulse round; a round lasts w + pulseGapSeconds.
import type { LinePulse, ProgramReport } from "../../src/hal/crossbar.js";
import type { Rng } from "../../src/random/rng.js";
import { newTally, type DeviceModel, type PulseTally } from "../devices/models.js";
import { switchingRate, type DeviceParams } from "../devices/params.js";
import type { DevicePopulation } from "../devices/population.js";
import type { ConductanceSums } from "./line-sums.js";
import type { PeripheralParams } from "./peripherals.js";
import type { ArrayParams } from "./array-params.js";
import { unselectedIsolated, unselectedPowerRatio } from "./access-device.js";
import type { EnergyParts } from "./energy-parts.js";
import { pulseDriveJoules } from "./line-drive.js";

export class LinePulsePhysics {
  private cellsScratch: Int32Array;
  private oldScratch: Float64Array;

  private get device(): Readonly<DeviceParams> {
    return this.deviceOf();
  }

  constructor(
    private readonly sums: ConductanceSums,
    /** The array's device parameters as they are now (read at every pulse, never copied). */
    private readonly deviceOf: () => Readonly<DeviceParams>,
    private readonly model: DeviceModel,
    private readonly population: DevicePopulation,
    private readonly peripherals: Readonly<PeripheralParams>,
    private readonly array: Readonly<ArrayParams>,
    /** The write-noise stream (shared with the array's saved state). */
    private readonly writeRng: Rng,
  ) {
    this.cellsScratch = new Int32Array(Math.max(sums.rows, sums.cols));
    this.oldScratch = new Float64Array(Math.max(sums.rows, sums.cols));
  }

  /** Applies one row- or column-parallel pulse, adding its energy and counts. Returns its duration. */
  apply(p: LinePulse, energy: EnergyParts, report: ProgramReport): number {
    const rowKind = p.kind === "row";
    const { rows, cols } = this.sums;
    const lineSums = rowKind ? this.sums.rowSum : this.sums.colSum;
    const crossSums = rowKind ? this.sums.colSum : this.sums.rowSum;
    const cellOf = rowKind ? (x: number) => p.line * cols + x : (x: number) => x * cols + p.line;
    const V = p.volts;
    const w = p.widthSeconds;
    const sign = V >= 0 ? 1 : -1;
    const third = p.scheme === "V/3";
    const isolated = unselectedIsolated(this.array);
    const vHalf = isolated ? 0 : third ? V / 3 : V / 2;
    const vOther = isolated ? 0 : third ? -V / 3 : 0;
    const rate = switchingRate(this.device, V, w);
    const rateHalf = vHalf === 0 ? 0 : switchingRate(this.device, vHalf, w);
    const rateOther = vOther === 0 ? 0 : switchingRate(this.device, vOther, w);
    const halfRatio = unselectedPowerRatio(this.array, vHalf, V);
    const otherRatio = unselectedPowerRatio(this.array, vOther, V);
    const gComp = (v: number) => (v === 0 ? Infinity : this.device.complianceAmperes / Math.abs(v));
    // Rounds: in round k the selected lines are those with counts[j] > k; group rounds with the same selection.
    const order = p.selected.map((_, j) => j).sort((a, b) => p.counts[a]! - p.counts[b]!);
    let done = 0;
    let rounds = 0;
    const maxCount = p.counts.reduce((m, c) => Math.max(m, c), 0);
    let first = 0;
    let lineJoules = 0;
    let gateJoules = 0;
    while (done < maxCount) {
      while (first < order.length && p.counts[order[first]!]! <= done) first++;
      const next = p.counts[order[first]!]!;
      const span = next - done;
      const m = order.length - first;
      const cells = this.cellsScratch;
      for (let k = 0; k < m; k++) cells[k] = cellOf(p.selected[order[first + k]!]!);
      // Half-selected conductance sums (unchanged by the selected cells' own switching).
      let sumOnLine = lineSums[p.line]!;
      let sumOnCross = 0;
      for (let k = 0; k < m; k++) {
        const gi = this.sums.g[cells[k]!]!;
        sumOnLine -= gi;
        sumOnCross += crossSums[p.selected[order[first + k]!]!]! - gi;
      }
      const sumOther = this.sums.totalG - lineSums[p.line]! - sumOnCross;
      const disturb = rateHalf > 0 || rateOther > 0;
      const steps = disturb ? span : 1;
      const countPerStep = disturb ? 1 : span;
      for (let s = 0; s < steps; s++) {
        const tally = newTally();
        this.pulseCells(cells, m, countPerStep, sign, rate, gComp(V), tally);
        if (sign > 0) energy.cellSet += V * V * w * tally.conductanceSum;
        else energy.cellReset += V * V * w * tally.conductanceSum;
        report.pulsesApplied += tally.applied;
        report.complianceTrips += tally.trips;
        if (disturb) {
          energy.halfSelected += this.disturb(p, cells, m, [vHalf, rateHalf, halfRatio], [vOther, rateOther, otherRatio], w, gComp);
        } else if (!isolated) {
          energy.halfSelected += countPerStep * w * (halfRatio * vHalf * vHalf * (sumOnLine + sumOnCross) + otherRatio * vOther * vOther * sumOther);
        }
      }
      const drive = pulseDriveJoules(this.array, rowKind, rows, cols, m, V, p.scheme);
      lineJoules += span * drive.lines;
      gateJoules += span * drive.gates;
      rounds += span;
      done = next;
    }
    energy.dac += rounds * (rows + cols) * this.peripherals.dacJoulesPerConversion;
    energy.lineCharging += lineJoules;
    energy.gateLines += gateJoules;
    return rounds * (w + this.peripherals.pulseGapSeconds);
  }

  /** Pulses the cells in cells[0..m) and keeps the mirror and line sums in step. */
  private pulseCells(cells: Int32Array, m: number, count: number, sign: number, rate: number, gCompliance: number, tally: PulseTally): void {
    if (m === 0) return;
    const old = this.oldScratch.length >= m ? this.oldScratch : (this.oldScratch = new Float64Array(m));
    const g = this.sums.g;
    for (let k = 0; k < m; k++) old[k] = g[cells[k]!]!;
    this.model.pulse(g, this.population, cells, 0, m, count, sign, rate, gCompliance, this.writeRng, tally);
    this.sums.syncChanged(cells, old, m);
  }

  /**
   * One round of half-select disturb on every non-selected cell above threshold; returns their energy.
   * `half` and `other` are [cell volts, switching rate, power relative to Ohmic] for the two groups of cells.
   */
  private disturb(p: LinePulse, cells: Int32Array, m: number, half3: Bias, other3: Bias, w: number, gComp: (v: number) => number): number {
    const { rows, cols, g } = this.sums;
    const selectedCells = new Set<number>();
    for (let k = 0; k < m; k++) selectedCells.add(cells[k]!);
    const rowKind = p.kind === "row";
    const selectedCross = new Set<number>();
    for (let k = 0; k < m; k++) {
      const i = cells[k]!;
      selectedCross.add(rowKind ? i % cols : (i / cols) | 0);
    }
    const half: number[] = [];
    const other: number[] = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c;
        if (selectedCells.has(i)) continue;
        const onLine = rowKind ? r === p.line : c === p.line;
        const onCross = selectedCross.has(rowKind ? c : r);
        (onLine || onCross ? half : other).push(i);
      }
    }
    let joules = 0;
    for (const [list, [v, rate, ratio]] of [[half, half3], [other, other3]] as const) {
      if (list.length === 0 || v === 0) continue;
      const idx = Int32Array.from(list);
      const old = new Float64Array(idx.length);
      for (let k = 0; k < idx.length; k++) old[k] = g[idx[k]!]!;
      const tally = newTally();
      this.model.pulse(g, this.population, idx, 0, idx.length, 1, v >= 0 ? 1 : -1, rate, gComp(v), this.writeRng, tally);
      this.sums.syncChanged(idx, old, idx.length);
      joules += ratio * v * v * w * tally.conductanceSum;
    }
    return joules;
  }
}

/** A group of non-selected cells during a pulse: [cell volts, switching rate, power relative to Ohmic]. */
type Bias = readonly [number, number, number];
