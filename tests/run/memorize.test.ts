// Must show: random labels, n = 64, C = 4, trained to memorize (ideal weights): the Fano lower bound is
// within 10% of n·log2 C = 128 bits and the bracket contains 128.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTrainConfig } from "../../src/train/config.js";
import { runTraining, type TrainingSummary } from "../../src/run/train-run.js";
import { fanoLowerBound } from "../../src/info/fano.js";

const out = mkdtempSync(join(tmpdir(), "mhil-memorize-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// A single-layer network on 14×14 digits (196 inputs ≫ 64 samples); β = 1 memorizes every seed tried.
const memorize = (seed: number) =>
  parseTrainConfig(
    { dataset: "mnist:14x14", labels: "random", classes: 4, samples: 64, testSamples: 64, layers: [], learningRates: [0.1], beta: 1, batchSize: 8, persistentParticles: false, epochs: 400, weights: "ideal", seed },
    "memorize test",
  );

describe("random labels, n = 64, C = 4, memorized", () => {
  const seeds = [1, 2, 3];
  const summaries: TrainingSummary[] = [];

  it("each run memorizes and its bracket contains 128 bits", async () => {
    for (const seed of seeds) {
      const s = await runTraining({ config: memorize(seed), deviceUri: "sim:", outDir: out });
      summaries.push(s);
      expect(s.accuracy.train).toBe(1);
      expect(s.bits_learned.upper).toMatchObject({ bits: 128, method: "n·log2 C = 64·log2 4", bound: "label_entropy" });
      expect(s.bits_learned.lower.bits).toBeLessThanOrEqual(128);
      const fano = s.bits_learned.all.find((b) => b.name === "fano")!;
      expect(fano.applies).toBe(true);
      // One run: 0 errors in 64 → ε ≤ 1 − (1 − level)^(1/64) at the level the bracket used for Fano
      // (97.5% when the generalization bound also applies, so the larger of the two holds at 95%): ≈ 102 bits.
      expect(fano.confidence).toBe(0.975);
      expect(fano.bits).toBeCloseTo(fanoLowerBound({ n: 64, classes: 4, errors: 0, confidence: 0.975 }).bits, 9);
      expect(JSON.parse(readFileSync(join(s.run_dir, "summary.json"), "utf8")).bits_learned.upper.bits).toBe(128);
    }
  }, 60_000);

  it("Fano on the training errors pooled over three label draws is within 10% of 128 bits", () => {
    const errors = summaries.reduce((a, s) => a + Math.round((1 - s.accuracy.train) * s.n), 0);
    const pooled = fanoLowerBound({ n: 64, classes: 4, errors, trials: 64 * summaries.length });
    expect(summaries).toHaveLength(3);
    expect(pooled.bits).toBeGreaterThanOrEqual(0.9 * 128);
    expect(pooled.bits).toBeLessThanOrEqual(128);
  });
});
