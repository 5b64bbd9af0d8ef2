// The wasm pulse kernel against the general JS loop: same conductances, wear, tally and random stream,
// bit for bit, for every law it computes, with stuck devices, wear-out, compliance and chunked cell lists.
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/random/rng.js";
import { createDeviceModel, newTally, type PulseTally } from "../../sim/devices/models.js";
import { drawPopulation, initialConductances, type DevicePopulation } from "../../sim/devices/population.js";
import { PRESETS } from "../../sim/devices/presets.js";
import type { DeviceParams } from "../../sim/devices/params.js";

const base: DeviceParams = {
  ...PRESETS.reram!.device,
  gMinSiemens: 1e-6,
  gMaxSiemens: 1e-4,
  stepSiemens: 2e-6,
  stepSpreadD2d: 0.2,
  writeNoiseC2c: 0.3, // large, so a wrong deviate shows in the conductances
};

interface Twin {
  pop: DevicePopulation;
  g: Float64Array;
  write: Rng;
  tally: PulseTally;
}

/** Two identical populations: one pulsed through the kernel (its own conductances), one through the JS loop (a copy). */
function twins(device: DeviceParams, size: number): [Twin, Twin] {
  const make = (kernel: boolean): Twin => {
    const rng = new Rng(42);
    const pop = drawPopulation(device, size, rng.fork("devices"));
    const g = initialConductances(device, pop, rng.fork("initial"));
    return { pop, g: kernel ? g : g.slice(), write: rng.fork("write"), tally: newTally() };
  };
  return [make(true), make(false)];
}

function expectSame(a: Twin, b: Twin): void {
  expect(a.pop.kernel.owns(a.g)).toBe(true);
  expect(b.pop.kernel.owns(b.g)).toBe(false);
  expect(Array.from(a.g)).toEqual(Array.from(b.g));
  expect(Array.from(a.pop.state)).toEqual(Array.from(b.pop.state));
  expect(Array.from(a.pop.pulses)).toEqual(Array.from(b.pop.pulses));
  expect(a.tally).toEqual(b.tally);
  expect(a.write.nextUint32()).toBe(b.write.nextUint32());
}

describe("wasm pulse kernel", () => {
  const cases: Array<[string, Partial<DeviceParams>]> = [
    ["soft bounds", { model: "softBounds" }],
    ["linear step", { model: "linearStep" }],
    ["ideal (no write noise)", { model: "ideal" }],
    ["soft bounds with stuck devices and wear-out", { model: "softBounds", stuckAtMinProbability: 0.05, stuckAtMaxProbability: 0.05, endurancePulses: 7, boundsSpreadD2d: 0.1 }],
    ["linear step with wear-out and unlimited endurance mixed in", { model: "linearStep", stuckAtMaxProbability: 0.1, endurancePulses: 5 }],
    ["soft bounds, unlimited endurance", { model: "softBounds", endurancePulses: Infinity }],
    ["exponential step (the reram preset's law)", { model: "expStep", gammaUp: 3, gammaDown: 2 }],
    ["exponential step with stuck devices and wear-out", { model: "expStep", gammaUp: 1.5, gammaDown: 4, stuckAtMinProbability: 0.05, endurancePulses: 6 }],
  ];
  for (const [name, over] of cases) {
    it(`${name}: the same bits as the general JS loop`, () => {
      const device = { ...base, ...over };
      const [a, b] = twins(device, 3000);
      const model = createDeviceModel(device);
      const pick = new Rng(7);
      for (let round = 0; round < 30; round++) {
        // Up to 20,000 cells (more than one 8,192-cell chunk), repeats allowed, compliance every third round.
        const n = 1 + pick.int(20000);
        const cells = Int32Array.from({ length: n }, () => pick.int(3000));
        const sign = pick.uniform() < 0.5 ? 1 : -1;
        const rate = 0.1 + 3 * pick.uniform();
        const gCompliance = round % 3 === 0 ? 5e-5 : Infinity;
        const from = pick.int(Math.min(n, 10));
        model.pulse(a.g, a.pop, cells, from, n, 1, sign, rate, gCompliance, a.write, a.tally);
        model.pulse(b.g, b.pop, cells, from, n, 1, sign, rate, gCompliance, b.write, b.tally);
      }
      expect(a.tally.trips).toBeGreaterThan(0);
      expectSame(a, b);
    });
  }

  it("a generator holding a cached deviate from an old saved state goes through the JS loop, same result", () => {
    const device = { ...base, model: "softBounds" as const };
    const [a, b] = twins(device, 500);
    const state = a.write.getState();
    a.write.setState({ ...state, spare: 0.25 });
    b.write.setState({ ...state, spare: 0.25 });
    const model = createDeviceModel(device);
    const cells = Int32Array.from({ length: 500 }, (_, i) => i);
    model.pulse(a.g, a.pop, cells, 0, 500, 1, 1, 1, Infinity, a.write, a.tally);
    model.pulse(b.g, b.pop, cells, 0, 500, 1, 1, 1, Infinity, b.write, b.tally);
    expectSame(a, b);
  });

  it("moves conductances: a soft-bounds up pulse raises every free device toward its bound", () => {
    const device = { ...base, model: "softBounds" as const, writeNoiseC2c: 0 };
    const [a] = twins(device, 200);
    const before = a.g.slice();
    const cells = Int32Array.from({ length: 200 }, (_, i) => i);
    createDeviceModel(device).pulse(a.g, a.pop, cells, 0, 200, 1, 1, 1, Infinity, a.write, a.tally);
    for (let i = 0; i < 200; i++) {
      const lo = a.pop.gMin[i]!, hi = a.pop.gMax[i]!, g = before[i]!;
      expect(a.g[i]).toBe(Math.min(hi, g + a.pop.stepUp[i]! * ((hi - g) / (hi - lo))));
    }
  });
});
