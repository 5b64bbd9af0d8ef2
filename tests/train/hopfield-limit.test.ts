// The Hopfield network as a limit of the EqProp trainer: the recall is the trainer's own relaxation (the
// Relaxation class's relax, configured as [0, N, N] with β = 0), it equals the continuous Hopfield dynamics
// written out here, with both copies equal.
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/random/rng.js";
import { IdealStore } from "../../src/train/ideal-store.js";
import { Relaxation } from "../../src/train/relaxation.js";
import { HopfieldNetwork, hopfieldSizes } from "../../src/train/memory/hopfield.js";
import { corruptedCue, randomPatterns } from "../../src/train/memory/patterns.js";
import { storeHebbian } from "../../src/train/memory/storage.js";

const clip = (v: number) => Math.min(1, Math.max(0, v));

/** Continuous Hopfield dynamics on one layer, written out: s ← clip((1 − ε)·s + ε·(W·s + b)). */
function hopfieldReference(W: Float64Array, b: Float64Array, s0: Float64Array, eps: number, steps: number): Float64Array {
  const n = b.length;
  let s = Float64Array.from(s0);
  for (let t = 0; t < steps; t++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let h = b[i]!;
      for (let j = 0; j < n; j++) h += W[i * n + j]! * s[j]!;
      next[i] = clip((1 - eps) * s[i]! + eps * h);
    }
    s = next;
  }
  return s;
}

async function hebbianNetwork(units: number, count: number, seed: number) {
  const rng = new Rng(seed);
  const patterns = randomPatterns(count, units, rng.fork("patterns"));
  const store = new IdealStore(hopfieldSizes(units), rng.fork("init"));
  store.setWeights(1, new Float64Array(units * units));
  const net = new HopfieldNetwork(store, { epsilon: 0.5, recallSteps: 30 });
  await storeHebbian(net, patterns, 1);
  return { net, store, patterns, rng };
}

describe("Hopfield recall is the trainer's relaxation", () => {
  it("recall runs Relaxation.prototype.relax on the trainer's [0, N, N] network, no copy", async () => {
    const { net } = await hebbianNetwork(16, 2, 1);
    expect(net.relaxation).toBeInstanceOf(Relaxation);
    // The very function the trainer's session relaxes with: the network defines no relaxation of its own.
    expect(net.relaxation.relax).toBe(Relaxation.prototype.relax);
    expect(Object.getOwnPropertyNames(Object.getPrototypeOf(net))).not.toContain("relax");
    expect(net.store.sizes).toEqual([0, 16, 16]);
    // Configured by the same work buffers the trainer uses: recall's states are the relaxation's eval buffer.
    const cues = [Int8Array.from({ length: 16 }, (_, i) => (i % 2 ? 1 : -1))];
    const out = await net.recall(cues);
    expect(out.buffer).toBe(net.relaxation.work("eval", 1).s[2]!.buffer);
  });

  it("Hebbian storage writes W = (2g/N)·(Σ ξξᵀ − P·I) through the store's update and centres the biases", async () => {
    const n = 24;
    const { net, store, patterns } = await hebbianNetwork(n, 3, 2);
    const W = await store.weights(1);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const want = i === j ? 0 : (2 / n) * patterns.reduce((s, p) => s + p[i]! * p[j]!, 0);
        expect(W[i * n + j]).toBeCloseTo(want, 12);
      }
    }
    for (let i = 0; i < n; i++) {
      let row = 0;
      for (let j = 0; j < n; j++) row += W[i * n + j]!;
      expect(net.biases[0][i]).toBeCloseTo(0.5 - 0.5 * row, 12);
      expect(net.biases[1][i]).toBeCloseTo(0.5 - 0.5 * row, 12); // W is symmetric: row sums = column sums
    }
  });

  it("the recall equals the continuous Hopfield dynamics, and the two copies stay equal", async () => {
    const n = 40;
    const { net, store, patterns, rng } = await hebbianNetwork(n, 3, 3);
    const W = await store.weights(1);
    const cues = patterns.map((p) => corruptedCue(p, 0.15, rng));
    const steps = 12;
    const recalled = Float64Array.from(await net.recall(cues, steps));
    const copy1 = net.relaxation.work("eval", cues.length).s[1]!;
    cues.forEach((cue, k) => {
      const s0 = Float64Array.from(cue, (v) => (v + 1) / 2);
      const want = hopfieldReference(W, net.biases[1], s0, 0.5, steps);
      for (let i = 0; i < n; i++) {
        expect(recalled[k * n + i]).toBeCloseTo(want[i]!, 12);
        expect(copy1[k * n + i]).toBeCloseTo(want[i]!, 12);
      }
    });
  });
});
