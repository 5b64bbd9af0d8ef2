// Known answers of the associative memory on ideal weights (seeded, deterministic): Hebbian storage recalls at
// load P/N = 0.05 and collapses at 0.25 (capacity α_c ≈ 0.138, Amit, Gutfreund & Sompolinsky 1985); the
// trainer's EqProp rule recalls at 0.25; the modern Hopfield network retrieves more patterns than units in
// one update.
import { describe, expect, it } from "vitest";
import { EnergyLedger } from "../../src/energy/ledger.js";
import { storeAndRecall } from "../../src/train/memory/associative-memory.js";
import { parseMemoryConfig, type MemoryConfigInput } from "../../src/train/memory/memory-config.js";

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;

async function recall(input: MemoryConfigInput) {
  const outcome = await storeAndRecall(parseMemoryConfig({ weights: "ideal", units: 200, corrupt: 0.1, seed: 1, ...input }), null, new EnergyLedger());
  const overlaps = outcome.scores.map((s) => s.overlap);
  return { outcome, overlap: mean(overlaps), collapsed: overlaps.filter((m) => m < 0.5).length / overlaps.length };
}

describe("associative memory on ideal weights", () => {
  it("Hebbian, N = 200, 10% corrupted cues: overlap ≥ 0.97 at P/N = 0.05, collapse below 0.5 at P/N = 0.25", async () => {
    const low = await recall({ rule: "hebbian", patterns: 10 });
    expect(low.overlap).toBeGreaterThanOrEqual(0.97);
    expect(low.outcome.cueFlips).toBe(20);
    const high = await recall({ rule: "hebbian", patterns: 50 });
    expect(high.overlap).toBeLessThan(0.5);
    expect(high.collapsed).toBeGreaterThan(0.5); // most patterns, not the mean alone
    // The transition between them: P/N = 0.1 still mostly recalls, 0.2 no longer does.
    expect((await recall({ rule: "hebbian", patterns: 20 })).overlap).toBeGreaterThan(0.8);
    expect((await recall({ rule: "hebbian", patterns: 40 })).overlap).toBeLessThan(0.5);
    // A higher gain (closer to the discrete network AGS analysed) moves the transition up towards α_c ≈ 0.138.
    expect((await recall({ rule: "hebbian", patterns: 24, gain: 4 })).overlap).toBeGreaterThanOrEqual(0.97);
  });

  it("the trainer's EqProp rule stores 50 patterns of 200 where Hebbian storage has collapsed", async () => {
    const learned = await recall({ rule: "learned", patterns: 50 });
    expect(learned.overlap).toBeGreaterThanOrEqual(0.97);
    expect(learned.collapsed).toBe(0);
    expect(learned.outcome.storage.epochs).toBeGreaterThan(0);
    expect(learned.outcome.storage.converged).toBe(true);
    // One Hebbian update per pattern, then one EqProp update per batch of 10 each epoch.
    expect(learned.outcome.storage.updates).toBe(50 + 5 * learned.outcome.storage.epochs);
  });

  it("modern Hopfield: 128 patterns of 64 units (P = 2N) retrieved in one update at overlap ≥ 0.99", async () => {
    const modern = await recall({ rule: "modern", units: 64, patterns: 128 });
    expect(modern.overlap).toBeGreaterThanOrEqual(0.99);
    // The classical network at the same load has long collapsed.
    const classical = await recall({ rule: "hebbian", units: 64, patterns: 128 });
    expect(classical.overlap).toBeLessThan(0.5);
  });

  it("same seed, same recall; another seed, other patterns", async () => {
    const a = await recall({ rule: "hebbian", patterns: 30 });
    const b = await recall({ rule: "hebbian", patterns: 30 });
    expect(b.outcome.scores).toEqual(a.outcome.scores);
    const c = await recall({ rule: "hebbian", patterns: 30, seed: 2 });
    expect(c.outcome.scores).not.toEqual(a.outcome.scores);
  });
});
