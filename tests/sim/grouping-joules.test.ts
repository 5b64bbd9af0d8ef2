// A product call's joules and seconds do not depend on how its vectors were grouped into calls: the serial driver
// sends one call's vectors as 5+5 lines on a clean link and 2+2+2+2+2 on a noisy one and adds the lines' answers,
// and the joules must be exactly the clean run's (energy-grid.ts). Bit for bit, not to 12 digits.
import { describe, expect, it } from "vitest";
import type { EnergyBreakdown, Measured, MvmRequest } from "../../src/hal/crossbar.js";
import { SimulatedCrossbar, type SimulatedCrossbarOptions } from "../../sim/crossbar/simulated-crossbar.js";
import { PRESETS } from "../../sim/devices/presets.js";
import { Rng } from "../../src/random/rng.js";

const VECTORS = 10;

/** The preset's array, 24×16 so that the two directions differ, with its noise, converters and costs. */
function options(preset: string, over: Partial<SimulatedCrossbarOptions> = {}): SimulatedCrossbarOptions {
  const p = PRESETS[preset]!;
  return { rows: 24, cols: 16, seed: 11, device: p.device, peripherals: p.peripherals, array: p.array, ...over };
}

/** VECTORS input vectors within the read limit, some lines undriven (as a training's blocks leave them). */
function inputs(nIn: number, maxVolts: number): Float64Array {
  const rng = new Rng("grouping");
  return Float64Array.from({ length: VECTORS * nIn }, (_, i) => (i % 7 === 3 ? 0 : (2 * rng.uniform() - 1) * maxVolts));
}

/** The same vectors as calls of `sizes` vectors, their answers added in order as the serial driver adds its lines'. */
async function grouped(xb: SimulatedCrossbar, direction: MvmRequest["direction"], volts: Float64Array, sizes: number[]): Promise<Measured<Float64Array>> {
  const nIn = volts.length / VECTORS;
  const energy: EnergyBreakdown = { cell: 0, halfSelected: 0, peripheral: 0 };
  const value: number[] = [];
  let durationSeconds = 0, first = 0;
  for (const k of sizes) {
    const m = await xb.mvm({ direction, volts: volts.slice(first * nIn, (first + k) * nIn), vectors: k });
    energy.cell += m.energy.cell;
    energy.halfSelected += m.energy.halfSelected;
    energy.peripheral += m.energy.peripheral;
    durationSeconds += m.durationSeconds;
    value.push(...m.value);
    first += k;
  }
  return { value: Float64Array.from(value), energy, durationSeconds };
}

const cases: Array<[string, SimulatedCrossbarOptions]> = [
  ["reram (1T1R, ideal wires: the wasm readout)", options("reram")],
  ["neurosim (passive)", options("neurosim")],
  ["taox", options("taox")],
  ["reram with resistive lines (the line solver)", options("reram", { array: { ...PRESETS.reram!.array, irDrop: true, lineResistanceOhmsPerCell: 2.5 } })],
];

describe.each(cases)("one product call of %s", (_, opts) => {
  for (const direction of ["forward", "transposed"] as const) {
    it(`${direction}: 10 vectors in one call, as 5+5 and as 2+2+2+2+2, answer the same parts and seconds bit for bit`, async () => {
      const probe = new SimulatedCrossbar(opts);
      const volts = inputs(direction === "forward" ? probe.rows : probe.cols, probe.peripherals.readVolts);
      const whole = await new SimulatedCrossbar(opts).mvm({ direction, volts, vectors: VECTORS });
      for (const sizes of [[5, 5], [2, 2, 2, 2, 2]]) {
        const xb = new SimulatedCrossbar(opts);
        const parts = await grouped(xb, direction, volts, sizes);
        expect(parts.value).toEqual(whole.value); // the same draws in the same order: the same products
        expect(parts.energy.cell, `cell, ${sizes.join("+")}`).toBe(whole.energy.cell);
        expect(parts.energy.halfSelected).toBe(whole.energy.halfSelected);
        expect(parts.energy.peripheral, `peripheral, ${sizes.join("+")}`).toBe(whole.energy.peripheral);
        expect(parts.durationSeconds, `seconds, ${sizes.join("+")}`).toBe(whole.durationSeconds);
        expect(xb.elapsedSeconds).toBe(whole.durationSeconds);
      }
      expect(whole.energy.cell).toBeGreaterThan(0);
      expect(whole.energy.peripheral).toBeGreaterThan(0);
    });
  }
});
