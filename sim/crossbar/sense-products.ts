// Products as the array senses them, for a whole request: the batch readout in wasm for ideal wires, and the
// same steps in JS around the line solver when the wires are resistive (array.irDrop). Both give, per vector,
// DAC-rounded inputs, the product, noise of variance (σ_read²·Σv²/n_in)·ΣG² + σ_TIA² + 4·k_B·T·Δf·ΣG per
// sensed line, and the ADC's code, in the same order of operations: a seed's products do not depend on the path.
import type { MvmRequest } from "../../src/hal/crossbar.js";
import { newFloat64Array } from "../../src/hal/float64-slab.js";
import { voltsRefused } from "../../src/hal/limits.js";
import type { NormalFiller } from "../../src/random/normal-fill.js";
import type { Rng } from "../../src/random/rng.js";
import type { LineResistanceSolver } from "./ir-drop.js";
import { onGrid } from "./energy-grid.js";
import type { MvmEngine, ReadoutSettings } from "./mvm-engine.js";

export interface SensedProducts {
  /** Sensed currents, amperes, vectors × output length. */
  currents: Float64Array;
  /** Σ over vectors of the cells' energy, joules. */
  cellJoules: number;
  /** Σ over vectors of the wires' energy, joules (0 for ideal wires). */
  wireJoules: number;
  /** Σ over vectors and inputs of v², V². */
  sumV2: number;
  /** The call's cell and peripheral parts: Σ over vectors of each vector's part on its grid (energy-grid.ts), joules. */
  cellOnGrid: number;
  peripheralOnGrid: number;
}

/** The noise deviates of one product: nOut standard normal draws from the read stream. */
export interface ReadNoiseSource {
  filler: NormalFiller;
  rng: Rng;
}

const totals = new Float64Array(4);

function checkVolts(volts: Float64Array, max: number): void {
  for (let i = 0, n = volts.length; i < n; i++) {
    const v = volts[i]!;
    if (!(v <= max && v >= -max)) throw voltsRefused(i, v, max);
  }
}

/** Senses every vector of `request` through the engine's batch readout (ideal wires). */
export function senseBatches(engine: MvmEngine, request: MvmRequest, s: ReadoutSettings, noise: ReadNoiseSource): SensedProducts {
  const forward = request.direction === "forward";
  const vectors = request.vectors ?? 1;
  const nIn = forward ? engine.rows : engine.cols;
  const nOut = forward ? engine.cols : engine.rows;
  const currents = request.out ?? newFloat64Array(vectors * nOut);
  totals[0] = totals[1] = totals[2] = totals[3] = 0;
  // The volts are checked whole before anything is drawn: in the staging copy when one batch holds them all.
  const oneBatch = vectors <= engine.batchVectors;
  if (!oneBatch) checkVolts(request.volts, s.maxReadVolts);
  for (let k0 = 0; k0 < vectors; k0 += engine.batchVectors) {
    const m = Math.min(engine.batchVectors, vectors - k0);
    // Views (subarray) cost ~0.1 µs each, a fifth of a 64-line product's JS: the whole arrays when they fit.
    engine.volts.set(m === vectors ? request.volts : request.volts.subarray(k0 * nIn, (k0 + m) * nIn));
    if (oneBatch) {
      const bad = engine.firstOutside(m * nIn, s.maxReadVolts);
      if (bad >= 0) throw voltsRefused(bad, request.volts[bad], s.maxReadVolts);
    }
    // The deviates of m products in one fill: the same draws, in the same order, as one fill per product.
    if (s.noisy) engine.deviates.set(noise.filler.fillExactly(noise.rng, m * nOut));
    engine.readout(forward, m, s, totals);
    currents.set(engine.currentsOf(m * nOut), k0 * nOut);
  }
  return { currents, cellJoules: totals[0]!, wireJoules: 0, sumV2: totals[1]!, cellOnGrid: totals[2]!, peripheralOnGrid: totals[3]! };
}

/** Senses every vector of `request` with the node voltages of the resistive lines solved (array.irDrop). */
export function senseThroughLines(
  engine: MvmEngine, lines: LineResistanceSolver, g: Float64Array, outSum: Float64Array, outSumSq: Float64Array,
  request: MvmRequest, s: ReadoutSettings, noise: ReadNoiseSource,
): SensedProducts {
  const forward = request.direction === "forward";
  const vectors = request.vectors ?? 1;
  const nIn = forward ? engine.rows : engine.cols;
  const nOut = forward ? engine.cols : engine.rows;
  checkVolts(request.volts, s.maxReadVolts);
  const currents = request.out ?? newFloat64Array(vectors * nOut);
  const input = engine.input;
  let cellJoules = 0, wireJoules = 0, sumV2All = 0, cellOnGrid = 0, peripheralOnGrid = 0;
  const grid = s.grid;
  for (let k = 0; k < vectors; k++) {
    const off = k * nIn;
    let sumV2 = 0;
    for (let i = 0; i < nIn; i++) {
      let v = request.volts[off + i]!;
      if (s.dacStep > 0) v = Math.round(v / s.dacStep) * s.dacStep; // division, not ×1/step: the serial twin quantizes with this exact expression
      input[i] = v;
      sumV2 += v * v;
    }
    for (let i = nIn; i < engine.stride; i++) input[i] = 0;
    sumV2All += sumV2;
    const solved = lines.solve(g, input, forward);
    const cell = solved.cellWatts * s.seconds, wire = solved.wireWatts * s.seconds;
    cellJoules += cell;
    wireJoules += wire;
    cellOnGrid += onGrid(cell, grid.cellQuantum);
    peripheralOnGrid += onGrid(grid.peripheralFixedJoules + grid.lineChargingJoulesPerV2 * sumV2 + wire, grid.peripheralQuantum);
    const rn2 = (s.readNoise * s.readNoise * sumV2) / nIn;
    const z = s.noisy ? noise.filler.fill(noise.rng, nOut) : null;
    const o = k * nOut;
    for (let j = 0; j < nOut; j++) {
      // Through the float32 output, as the ideal-wire kernels' currents are.
      let current = Math.fround(solved.outputs[j]!);
      if (z) current += Math.sqrt(rn2 * outSumSq[j]! + s.tia2 + s.thermal * outSum[j]!) * z[j]!;
      if (s.adcStep > 0) {
        let code = Math.floor(current / s.adcStep + 0.5);
        if (code > s.adcMaxCode) code = s.adcMaxCode;
        else if (code < s.adcMinCode) code = s.adcMinCode;
        current = code * s.adcStep;
      }
      currents[o + j] = current;
    }
  }
  return { currents, cellJoules, wireJoules, sumV2: sumV2All, cellOnGrid, peripheralOnGrid };
}
