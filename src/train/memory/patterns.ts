// Random ±1 patterns, corrupted cues, and how a recalled state is scored against its pattern.
//
// A network state s ∈ [0, 1] codes a ±1 unit as σ = 2s − 1 (the trainer's states live in [0, 1]); a recalled
// unit reads +1 above ½, −1 below, and 0 (an error either way) exactly at ½.
import type { Rng } from "../../random/rng.js";

/** One stored pattern: N units of ±1. */
export type Pattern = Int8Array;

/** P random patterns of N units, each unit ±1 with probability ½ (independent). */
export function randomPatterns(count: number, units: number, rng: Rng): Pattern[] {
  return Array.from({ length: count }, () => Int8Array.from({ length: units }, () => (rng.uniform() < 0.5 ? -1 : 1)));
}

/** The pattern with exactly round(fraction·N) distinct units flipped, chosen uniformly. */
export function corruptedCue(pattern: Pattern, fraction: number, rng: Rng): Pattern {
  const n = pattern.length;
  const flips = Math.round(fraction * n);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  // A partial Fisher–Yates shuffle: the first `flips` positions are a uniform subset.
  for (let k = 0; k < flips; k++) {
    const j = k + rng.int(n - k);
    const t = order[k]!;
    order[k] = order[j]!;
    order[j] = t;
  }
  const cue = Int8Array.from(pattern);
  for (let k = 0; k < flips; k++) cue[order[k]!] = -cue[order[k]!]! as -1 | 1;
  return cue;
}

/** Writes the pattern as network states (σ + 1)/2 into `out` at `offset`. */
export function writeStates(pattern: Pattern, out: Float64Array, offset: number): void {
  for (let i = 0; i < pattern.length; i++) out[offset + i] = (pattern[i]! + 1) / 2;
}

/** The ±1 reading of a state: +1 above ½, −1 below, 0 at ½. */
export function unitSign(s: number): number {
  return s > 0.5 ? 1 : s < 0.5 ? -1 : 0;
}

/** What one recall got right: the overlap m = (1/N)·Σ ξ_i·sign(s_i − ½) and the units read wrong. */
export interface RecallScore {
  overlap: number;
  bitErrors: number;
}

export function scoreRecall(pattern: Pattern, states: Float64Array, offset: number): RecallScore {
  let dot = 0;
  let errors = 0;
  for (let i = 0; i < pattern.length; i++) {
    const v = unitSign(states[offset + i]!);
    dot += v * pattern[i]!;
    if (v !== pattern[i]) errors++;
  }
  return { overlap: dot / pattern.length, bitErrors: errors };
}
