// Storing patterns in a Hopfield network on a weight store: every change of W goes through the store's own
// update (on a crossbar: pulses, booked in the ledger as "program" under E_learn).
//
// hebbian: the outer-product rule (Hopfield 1982), one store update per pattern, ΔW = (2g/N)·(ξξᵀ − I):
//   J = (1/N)·Σ_μ ξ^μ ξ^μᵀ with no self-coupling, at gain g (hopfield.ts). Capacity α_c ≈ 0.138·N patterns
//   (Amit, Gutfreund & Sompolinsky 1985, Phys. Rev. Lett. 55:1530).
// learned: the Hebbian imprint, then the trainer's own EqProp rule (eqprop-update.ts): each epoch, every
//   pattern's corrupted cue relaxes freely, the output copy is nudged towards the pattern, and W and the
//   biases move by the difference of the two phases' correlations. Corrupted cues (not the patterns) make it
//   learn to correct errors, not to hold any state; it reaches loads where the Hebbian imprint has collapsed.
import type { Rng } from "../../random/rng.js";
import { applyEqPropUpdate, type EqPropUpdate } from "../eqprop-update.js";
import { copyStates } from "../relaxation.js";
import { MEMORY_LAYER, type HopfieldNetwork } from "./hopfield.js";
import { corruptedCue, scoreRecall, writeStates, type Pattern } from "./patterns.js";

/** What storing cost in store updates, pulses and weight path. */
export interface StorageReport {
  /** Store updates (one per Hebbian pattern; one per EqProp batch). */
  updates: number;
  /** Programming pulses (0 on ideal weights). */
  pulses: number;
  /** Σ‖Δθ‖₁ in weight units (weights and, for the learned rule, biases). */
  weightPathL1: number;
  /** Learned rule: epochs run (0 for Hebbian), and whether every training cue was recalled at the end. */
  epochs: number;
  converged: boolean;
}

/** Hebbian storage, one store update per pattern; the biases are centred on the stored W afterwards. */
export async function storeHebbian(net: HopfieldNetwork, patterns: readonly Pattern[], gain: number): Promise<StorageReport> {
  const n = net.units;
  const batch = n + 2;
  // ΔW = coef·Σ_b pre_b ⊗ (post⁺_b − post⁻_b) with rows s ⊗ (2s − 1), (1 − s) ⊗ (1 − 2s) (together ξ ⊗ ξ)
  // and e_i ⊗ (−e_i) for every i (the −I that removes self-coupling).
  const pre = new Float64Array(batch * n);
  const postPlus = new Float64Array(batch * n);
  const postMinus = new Float64Array(batch * n);
  for (let i = 0; i < n; i++) {
    pre[(2 + i) * n + i] = 1;
    postMinus[(2 + i) * n + i] = 1;
  }
  const report: StorageReport = { updates: 0, pulses: 0, weightPathL1: 0, epochs: 0, converged: true };
  for (const xi of patterns) {
    for (let i = 0; i < n; i++) {
      const s = (xi[i]! + 1) / 2;
      pre[i] = s;
      postPlus[i] = s;
      postMinus[i] = 1 - s;
      pre[n + i] = 1 - s;
      postPlus[n + i] = 1 - s;
      postMinus[n + i] = s;
    }
    const rep = await net.store.update(MEMORY_LAYER, pre, postPlus, pre, postMinus, batch, (2 * gain) / n);
    report.updates++;
    report.pulses += rep.pulses;
    report.weightPathL1 += rep.pathL1;
  }
  await net.centreBiases();
  return report;
}

export interface LearnedSettings {
  gain: number;
  /** Fraction of units flipped in each training cue (fresh every epoch). */
  trainCorrupt: number;
  /** Most EqProp epochs; stops earlier once every training cue of an epoch is recalled exactly. */
  maxEpochs: number;
  batchSize: number;
  /** Learning rate α of both weight layers, nudging strength β, free and nudged steps. */
  learningRate: number;
  beta: number;
  T1: number;
  T2: number;
}

/** Hebbian imprint, then epochs of the trainer's EqProp rule on corrupted cues. */
export async function storeLearned(net: HopfieldNetwork, patterns: readonly Pattern[], s: LearnedSettings, rng: Rng): Promise<StorageReport> {
  const report = await storeHebbian(net, patterns, s.gain);
  const n = net.units;
  const P = patterns.length;
  const B = Math.min(s.batchSize, P);
  const free = net.relaxation.work("free", B);
  const plus = net.relaxation.work("plus", B);
  const target = new Float64Array(B * n);
  const rates = [s.learningRate, s.learningRate];
  const sums: EqPropUpdate = { pulses: 0, weightPathL1: 0 };
  report.converged = false;
  for (let epoch = 1; epoch <= s.maxEpochs && !report.converged; epoch++) {
    const order = Int32Array.from({ length: P }, (_, i) => i);
    rng.shuffle(order);
    let wrong = 0;
    for (let start = 0; start < P; start += B) {
      const m = Math.min(B, P - start);
      for (let k = 0; k < m; k++) {
        const xi = patterns[order[start + k]!]!;
        const cue = corruptedCue(xi, s.trainCorrupt, rng);
        writeStates(cue, free.s[1]!, k * n);
        writeStates(cue, free.s[2]!, k * n);
        writeStates(xi, target, k * n);
      }
      free.inputDrive.fill(0);
      await net.relaxation.relax(free, m, s.T1, 0, target, "free");
      for (let k = 0; k < m; k++) wrong += scoreRecall(patterns[order[start + k]!]!, free.s[2]!, k * n).bitErrors;
      copyStates(free, plus, m, net.store.sizes);
      await net.relaxation.relax(plus, m, s.T2, s.beta, target, "nudged");
      await applyEqPropUpdate(net.store, net.biases, rates, free, plus, free, m, s.beta, 1, sums);
      report.updates++;
    }
    report.epochs = epoch;
    report.converged = wrong === 0;
  }
  report.pulses += sums.pulses;
  report.weightPathL1 += sums.weightPathL1;
  return report;
}
