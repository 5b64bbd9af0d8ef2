// EqProp on the ideal store: the update equals the Scellier–Bengio formula on a hand-sized case,
// a tiny net learns toy:2d, a single-layer net works, and checkpoints restore bit for bit.
import { describe, expect, it } from "vitest";
import { EnergyLedger } from "../../src/energy/ledger.js";
import { Rng } from "../../src/random/rng.js";
import { parseTrainConfig, type TrainConfigInput } from "../../src/train/config.js";
import type { Dataset } from "../../src/train/datasets.js";
import { IdealStore } from "../../src/train/ideal-store.js";
import { TrainingSession } from "../../src/train/session.js";

const clip = (v: number) => Math.min(1, Math.max(0, v));

/** The reference's equations written out for one sample of a 2-2-2 net (eqprop_numpy.py, batch 1). */
function referenceStep(x: number[], y: number, W1: number[][], W2: number[][], b1: number[], b2: number[], T1: number, T2: number, beta: number, eps: number, a1: number, a2: number, centred = false) {
  const relax = (h: number[], o: number[], steps: number, nudge: number) => {
    for (let t = 0; t < steps; t++) {
      const dh = h.map((hj, j) => hj - (x[0]! * W1[0]![j]! + x[1]! * W1[1]![j]! + o[0]! * W2[j]![0]! + o[1]! * W2[j]![1]! + b1[j]!));
      const dout = o.map((ok, k) => ok - (h[0]! * W2[0]![k]! + h[1]! * W2[1]![k]! + b2[k]!) + nudge * (ok - (k === y ? 1 : 0)));
      h = h.map((hj, j) => clip(hj - eps * dh[j]!));
      o = o.map((ok, k) => clip(ok - eps * dout[k]!));
    }
    return [h, o] as const;
  };
  const [hf, of] = relax([0, 0], [0, 0], T1, 0);
  const [h1, o1] = relax(hf, of, T2, beta);
  // One-sided: (nudged − free)/β; centred: (at +β − at −β)/2β.
  const [h0, o0] = centred ? relax(hf, of, T2, -beta) : [hf, of];
  const k2 = centred ? 2 * beta : beta;
  const nW1 = W1.map((row, i) => row.map((w, j) => w + (a1 / k2) * x[i]! * (h1[j]! - h0[j]!)));
  const nW2 = W2.map((row, j) => row.map((w, k) => w + (a2 / k2) * (h1[j]! * o1[k]! - h0[j]! * o0[k]!)));
  const nb1 = b1.map((b, j) => b + (a1 / k2) * (h1[j]! - h0[j]!));
  const nb2 = b2.map((b, k) => b + (a2 / k2) * (o1[k]! - o0[k]!));
  return { W1: nW1, W2: nW2, b1: nb1, b2: nb2, free: of };
}

function tinyDataset(x: number[][], y: number[], C: number): Dataset {
  return {
    trainX: Float64Array.from(x.flat()),
    trainY: Int32Array.from(y),
    testX: Float64Array.from(x.flat()),
    testY: Int32Array.from(y),
    inputSize: x[0]!.length,
    numClasses: C,
    labelMode: { kind: "real" },
    description: "hand-made",
  };
}

describe("EqProp on the ideal store", () => {
  it("one batch on a 2-2-2 net applies exactly the reference update", async () => {
    const W1 = [[0.5, -0.3], [0.8, 0.1]];
    const W2 = [[0.4, -0.6], [0.7, 0.2]];
    const x = [0.2, 0.9];
    const config = parseTrainConfig({ dataset: "toy:2d", layers: [2], classes: 2, T1: 3, T2: 2, beta: 0.5, epsilon: 0.5, learningRates: [0.1, 0.05], batchSize: 1, weights: "ideal" }, "test");
    const store = new IdealStore([2, 2, 2], new Rng(0));
    store.setWeights(0, Float64Array.from(W1.flat()));
    store.setWeights(1, Float64Array.from(W2.flat()));
    const session = TrainingSession.fromParts(config, tinyDataset([x], [1], 2), store, new Rng(0));
    const r = await session.runEpoch();
    const want = referenceStep(x, 1, W1, W2, [0, 0], [0, 0], 3, 2, 0.5, 0.5, 0.1, 0.05);
    const got1 = Array.from(await store.weights(0));
    const got2 = Array.from(await store.weights(1));
    want.W1.flat().forEach((w, i) => expect(got1[i]).toBeCloseTo(w, 14));
    want.W2.flat().forEach((w, i) => expect(got2[i]).toBeCloseTo(w, 14));
    want.b1.forEach((b, i) => expect(session.biasesOf(0)[i]).toBeCloseTo(b, 14));
    want.b2.forEach((b, i) => expect(session.biasesOf(1)[i]).toBeCloseTo(b, 14));
    // Something moved, and the path length is the L1 norm of what moved.
    const path = [...want.W1.flat().map((w, i) => w - W1.flat()[i]!), ...want.W2.flat().map((w, i) => w - W2.flat()[i]!), ...want.b1, ...want.b2].reduce((s, d) => s + Math.abs(d), 0);
    expect(path).toBeGreaterThan(0);
    expect(r.weightPathL1).toBeCloseTo(path, 12);
    expect(r.updates).toBe(1);
    expect(r.pulses).toBe(0);
    // Prequential bits: the documented formula on the free-phase output.
    const o = want.free;
    const e = o.map((v) => Math.exp(8 * v));
    const p = 0.99 * (e[1]! / (e[0]! + e[1]!)) + 0.01 / 2;
    expect(r.prequentialBits).toBeCloseTo(-Math.log2(p), 12);
  });

  it("centred nudging applies (ρρᵀ at +β − ρρᵀ at −β)/2β exactly", async () => {
    const W1 = [[0.5, -0.3], [0.8, 0.1]];
    const W2 = [[0.4, -0.6], [0.7, 0.2]];
    const x = [0.2, 0.9];
    const config = parseTrainConfig({ dataset: "toy:2d", layers: [2], classes: 2, T1: 4, T2: 3, beta: 0.5, epsilon: 0.5, learningRates: [0.1, 0.05], batchSize: 1, weights: "ideal", centredNudging: true }, "test");
    const store = new IdealStore([2, 2, 2], new Rng(0));
    store.setWeights(0, Float64Array.from(W1.flat()));
    store.setWeights(1, Float64Array.from(W2.flat()));
    const session = TrainingSession.fromParts(config, tinyDataset([x], [0], 2), store, new Rng(0));
    await session.runEpoch();
    const want = referenceStep(x, 0, W1, W2, [0, 0], [0, 0], 4, 3, 0.5, 0.5, 0.1, 0.05, true);
    const oneSided = referenceStep(x, 0, W1, W2, [0, 0], [0, 0], 4, 3, 0.5, 0.5, 0.1, 0.05, false);
    const got2 = Array.from(await store.weights(1));
    want.W2.flat().forEach((w, i) => expect(got2[i]).toBeCloseTo(w, 14));
    want.b2.forEach((b, i) => expect(session.biasesOf(1)[i]).toBeCloseTo(b, 14));
    expect(want.W2.flat()).not.toEqual(oneSided.W2.flat());
  });

  const toy = (over: TrainConfigInput) => parseTrainConfig({ dataset: "toy:2d", samples: 200, testSamples: 100, classes: 2, batchSize: 10, T1: 15, T2: 4, weights: "ideal", ...over }, "test");

  it.each([
    ["a single-layer net (no hidden layer)", { layers: [], learningRates: 0.5 }],
    ["a 2-8-2 net", { layers: [8], learningRates: [0.5, 0.25] }],
  ])("%s learns toy:2d", async (_name, over) => {
    const config = toy(over);
    const session = await TrainingSession.create({ config, crossbar: null, ledger: new EnergyLedger(), rng: new Rng(3) });
    const before = await session.evaluate("test");
    for (let e = 0; e < 30; e++) await session.runEpoch();
    const after = await session.evaluate("test");
    expect(after.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(after.loss).toBeLessThan(before.loss);
    expect(after.predictions.length).toBe(100);
    for (const v of after.log2ProbTrue) expect(v).toBeLessThanOrEqual(0);
    expect(session.deviceCount()).toBe(config.layers.length === 0 ? 4 : 2 * 8 + 8 * 2);
  });

  it("a checkpoint restores the session bit for bit", async () => {
    const config = toy({ layers: [4], learningRates: [0.3, 0.2], shuffle: true });
    const a = await TrainingSession.create({ config, crossbar: null, ledger: new EnergyLedger(), rng: new Rng(7) });
    await a.runEpoch();
    const cp = JSON.parse(JSON.stringify(await a.checkpoint())) as object;
    const ra = await a.runEpoch();
    const b = await TrainingSession.create({ config, crossbar: null, ledger: new EnergyLedger(), rng: new Rng(99) });
    await b.restore(cp);
    const rb = await b.runEpoch();
    expect(rb).toEqual(ra);
    expect(Array.from(await b.weightStore.weights(0))).toEqual(Array.from(await a.weightStore.weights(0)));
  });

  it("stops at the next batch when asked", async () => {
    const session = await TrainingSession.create({ config: toy({ layers: [] , learningRates: 0.5 }), crossbar: null, ledger: new EnergyLedger(), rng: new Rng(1) });
    let batches = 0;
    const r = await session.runEpoch(() => batches++, () => batches >= 3);
    expect(r.stopped).toBe(true);
    expect(r.updates).toBe(3);
    expect(r.samples).toBe(30);
    expect(session.epochs).toBe(0);
  });
});
