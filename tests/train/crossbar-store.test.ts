// The crossbar store on the simulated array: products equal x·W on an ideal device, every ledger entry
// is the sum of what the backend returned, doubling the reported programming energy doubles exactly that
// component, a network too large is refused with its sizes, and a tiny net learns toy:2d on the device.
import { describe, expect, it } from "vitest";
import type { Crossbar, EnergyBreakdown, Measured, MvmRequest, Pulse } from "../../src/hal/crossbar.js";
import { totalJoules } from "../../src/hal/crossbar.js";
import { openCrossbar } from "../../src/backends/open.js";
import { EnergyLedger } from "../../src/energy/ledger.js";
import { Rng } from "../../src/random/rng.js";
import { parseTrainConfig } from "../../src/train/config.js";
import { CrossbarStore, PlacementError, placeBlocks } from "../../src/train/crossbar-store.js";
import { TrainingSession } from "../../src/train/session.js";

/** A real backend, wrapped: sums the joules each method returned, optionally scaling what program() reports. */
class Tally implements Crossbar {
  joules = { mvm: 0, program: 0, readArray: 0, readCell: 0, reset: 0 };
  constructor(private readonly inner: Crossbar, private readonly programScale = 1) {}
  private add<T>(k: keyof Tally["joules"], m: Measured<T>): Measured<T> {
    this.joules[k] += totalJoules(m.energy);
    return m;
  }
  identify() { return this.inner.identify(); }
  async readCell(r: number, c: number, v?: number) { return this.add("readCell", await this.inner.readCell(r, c, v)); }
  async readArray(v?: number) { return this.add("readArray", await this.inner.readArray(v)); }
  async mvm(q: MvmRequest) { return this.add("mvm", await this.inner.mvm(q)); }
  async program(p: Pulse[]) {
    const m = await this.inner.program(p);
    const s = this.programScale;
    const energy: EnergyBreakdown = { cell: m.energy.cell * s, halfSelected: m.energy.halfSelected * s, peripheral: m.energy.peripheral * s };
    return this.add("program", { ...m, energy });
  }
  async reset() { return this.add("reset", await this.inner.reset()); }
  isSafe() { return this.inner.isSafe(); }
  close() { return this.inner.close(); }
}

const toyConfig = (over: Record<string, unknown> = {}) =>
  parseTrainConfig({ dataset: "toy:2d", samples: 100, testSamples: 50, classes: 2, layers: [3], learningRates: [0.4, 0.2], batchSize: 10, T1: 10, T2: 3, weights: "crossbar", ...over }, "test");

describe("crossbar weight store", () => {
  it("places blocks, tiles a layer larger than the array, and refuses a network that does not fit", () => {
    const blocks = placeBlocks([6, 3, 2], 4, 16);
    // 6 inputs on 4 rows: two row tiles of layer 0; layer 1 beside them.
    expect(blocks.filter((b) => b.layer === 0).map((b) => b.inCount)).toEqual([4, 2]);
    expect(() => placeBlocks([196, 100, 10], 64, 64)).toThrow(PlacementError);
    expect(() => placeBlocks([196, 100, 10], 64, 64)).toThrow(/network 196-100-10 does not fit on a 64×64 crossbar/);
  });

  it("forward and transposed products equal x·W and y·Wᵀ on an ideal device", async () => {
    const xb = await openCrossbar("sim:ideal?rows=8&cols=16&seed=2");
    const W0 = Float64Array.from([0.3, -0.2, 0.1, 0.05, 0.4, -0.35]); // 2 × 3
    const W1 = Float64Array.from([0.2, -0.1, -0.3, 0.25, 0.15, 0.05]); // 3 × 2
    const store = await CrossbarStore.create({ crossbar: xb, sizes: [2, 3, 2], settings: toyConfig().crossbar, ledger: new EnergyLedger(), rng: new Rng(1), initialWeights: [W0, W1] });
    const held = store.shadowWeights(0);
    const read = await store.weights(0);
    // Written to within one programming step (1/99 of the range), and read back as written.
    held.forEach((w, i) => expect(Math.abs(w - W0[i]!)).toBeLessThan(0.011));
    read.forEach((w, i) => expect(w).toBeCloseTo(held[i]!, 5));
    const x = Float64Array.from([0.5, 1, 0.25, 0]);
    const out = new Float64Array(6);
    await store.forward(0, x, 2, out, "free");
    for (let b = 0; b < 2; b++) for (let j = 0; j < 3; j++) expect(out[b * 3 + j]).toBeCloseTo(x[b * 2]! * held[j]! + x[b * 2 + 1]! * held[3 + j]!, 5);
    const W1held = store.shadowWeights(1);
    const y = Float64Array.from([1, 0.5]);
    const back = new Float64Array(3);
    await store.transposed(1, y, 1, back, "nudged");
    for (let i = 0; i < 3; i++) expect(back[i]).toBeCloseTo(W1held[i * 2]! + 0.5 * W1held[i * 2 + 1]!, 5);
    expect(store.deviceCount()).toBe(24);
    await xb.close();
  });

  it("every ledger entry is the sum of what the backend returned, by activity", async () => {
    const xb = new Tally(await openCrossbar("sim:reram?rows=8&cols=16&seed=3"));
    const ledger = new EnergyLedger();
    const config = toyConfig({ crossbar: { writeVerify: true } });
    const session = await TrainingSession.create({ config, crossbar: xb, ledger, rng: new Rng(4) });
    // Characterisation and the initial weights are all overhead.
    const init = { ...xb.joules };
    const initTotal = Object.values(init).reduce((s, v) => s + v, 0);
    expect(initTotal).toBeGreaterThan(0);
    expect(ledger.overheadJoules()).toBeCloseTo(initTotal, 18);
    expect(ledger.learningJoules()).toBe(0);
    const r = await session.runEpoch();
    expect(r.pulses).toBeGreaterThan(0);
    const reads = ledger.activityJoules("freeRead") + ledger.activityJoules("nudgedRead");
    expect(ledger.activityJoules("freeRead")).toBeGreaterThan(0);
    expect(ledger.activityJoules("nudgedRead")).toBeGreaterThan(0);
    expect(reads).toBeCloseTo(xb.joules.mvm - init.mvm, 18);
    // writeVerify: every update's pulsed devices were read back (src/train/write-verify.ts).
    expect(ledger.activityJoules("verifyRead")).toBeGreaterThan(0);
    // Update pulses, verify reads and refresh (reads and pulses) are the rest of what the backend reported.
    const writes = ledger.activityJoules("program") + ledger.activityJoules("verifyRead") + ledger.activityJoules("refresh");
    expect(writes).toBeCloseTo(xb.joules.program + xb.joules.readArray - init.program - init.readArray, 18);
    expect(ledger.overheadJoules()).toBeCloseTo(initTotal, 18);
    const all = Object.values(xb.joules).reduce((s, v) => s + v, 0);
    expect(ledger.deviceTotalJoules()).toBeCloseTo(all, 18);
    await xb.close();
  });

  it("a backend reporting twice the programming energy shows exactly twice the program component", async () => {
    const run = async (scale: number) => {
      const xb = new Tally(await openCrossbar("sim:reram?rows=8&cols=16&seed=5"), scale);
      const ledger = new EnergyLedger();
      const session = await TrainingSession.create({ config: toyConfig(), crossbar: xb, ledger, rng: new Rng(6) });
      await session.runEpoch();
      await xb.close();
      return ledger.summary().by_activity_joules;
    };
    const one = await run(1);
    const two = await run(2);
    expect(one.program).toBeGreaterThan(0);
    expect(two.program).toBe(2 * one.program);
    expect(two.freeRead).toBe(one.freeRead);
    expect(two.nudgedRead).toBe(one.nudgedRead);
    expect(two.verifyRead).toBe(one.verifyRead);
    // Characterisation and initialisation pulses are programming too, filed as overhead: doubled as well.
    expect(two.characterise).toBeGreaterThan(one.characterise);
    expect(two.initialise).toBe(2 * one.initialise);
  });

  it("a 2-2 net learns toy:2d on the simulated ideal device", async () => {
    const xb = await openCrossbar("sim:ideal?rows=4&cols=8&seed=7");
    const config = toyConfig({ layers: [], learningRates: 0.3, samples: 200, testSamples: 100 });
    // (Hard-sigmoid units can start dead for some initial weights; this seed starts with both outputs alive.)
    const session = await TrainingSession.create({ config, crossbar: xb, ledger: new EnergyLedger(), rng: new Rng(1) });
    for (let e = 0; e < 10; e++) await session.runEpoch();
    expect((await session.evaluate("test")).accuracy).toBeGreaterThanOrEqual(0.9);
    expect(session.levelsPerDevice()).toBeGreaterThan(10);
    await xb.close();
  });

  it("a coarse device gets shorter update pulses until it holds 64 levels, and then learns; a set width is kept", async () => {
    // TaOx (32 levels at its nominal pulse): √(min·max) of its width limits gives far fewer.
    const config = (over: Record<string, unknown> = {}) =>
      parseTrainConfig({ dataset: "toy:2d", samples: 400, testSamples: 200, layers: [16], learningRates: [0.2, 0.1], batchSize: 10, epochs: 5, persistentParticles: false, weights: "crossbar", ...over }, "test");
    const train = async (c: ReturnType<typeof config>) => {
      const xb = await openCrossbar("sim:taox?rows=32&cols=40");
      const session = await TrainingSession.create({ config: c, crossbar: xb, ledger: new EnergyLedger(), rng: new Rng(1) });
      for (let e = 0; e < c.epochs; e++) await session.runEpoch();
      const result = { levels: session.levelsPerDevice()!, accuracy: (await session.evaluate("test")).accuracy };
      await xb.close();
      return result;
    };
    const id = await (await openCrossbar("sim:taox?rows=32&cols=40")).identify();
    const fixed = await train(config({ crossbar: { pulseWidthSeconds: Math.sqrt(id.limits.minPulseWidthSeconds * id.limits.maxPulseWidthSeconds) } }));
    const chosen = await train(config());
    expect(fixed.levels).toBeLessThan(64);
    expect(chosen.levels).toBeGreaterThanOrEqual(64);
    expect(chosen.accuracy).toBeGreaterThan(0.95);
    expect(fixed.accuracy).toBeLessThan(chosen.accuracy);
  }, 120_000);
});
