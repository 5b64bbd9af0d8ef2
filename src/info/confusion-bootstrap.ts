// A seeded percentile bootstrap of n·I(Y;Ŷ) from a confusion table (Miller–Madow); its coverage fails, see below.
import { Rng } from "../random/rng.js";
import { confusionMutualInformation } from "./mutual-information.js";

export interface ConfusionBootstrapInput {
  /** Confusion table table[true][predicted] (counts; pooled over label draws if any). */
  table: number[][];
  /** Training samples per label draw: the result is in bits per draw, n·I(Y;Ŷ). */
  n: number;
  /** Level of the lower confidence limit (default 0.95). */
  confidence?: number;
  /** Bootstrap tables drawn (default 1000). */
  resamples?: number;
}

export interface ConfusionBootstrap {
  /** The (1 − confidence) quantile of n·Î_MM over the bootstrap tables, bits (≥ 0). */
  lowerBits: number;
  /** n·Î_MM of the table itself (the point estimate), bits. */
  pointBits: number;
  confidence: number;
  resamples: number;
  /** Pairs in the table. */
  samples: number;
}

/**
 * Percentile-bootstrap lower limit on n·I(Y;Ŷ) from the Miller–Madow estimate (not a valid one: see Assumptions).
 *
 * Formula: draw `resamples` tables T* ~ Multinomial(N, T/N) (N = pairs in the table, i.e. resample
 * the pairs with replacement), compute n·Î_MM(T*) for each (see confusionMutualInformation), and
 * return the ⌈α·B⌉-th smallest (α = 1 − confidence, B = resamples): the α quantile. The generator is
 * `new Rng("confusion-mi-bootstrap")`, so the same table always gives the same limit.
 * Assumptions: the N pairs are i.i.d. draws of one joint distribution. The percentile bootstrap's
 * coverage is only asymptotic, and here it fails: the bootstrap tables centre on the plug-in estimate
 * of the table (the Miller–Madow correction is undone by the resampling's own bias), which is biased
 * upward in sparse or near-diagonal tables. Against a known answer (a noisy copy of uniform labels,
 * tests/info/bracket-validity.test.ts) its 97.5% limit exceeded the truth in 17–25% of repetitions at
 * n = 64, C = 4 and in all of them at n = 100, C = 10. It is therefore not a lower confidence limit:
 * the bracket lists it for comparison and does not use it.
 */
export function confusionMutualInformationLower(input: ConfusionBootstrapInput): ConfusionBootstrap {
  const confidence = input.confidence ?? 0.95;
  const resamples = input.resamples ?? 1000;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confusionMutualInformationLower: confidence = ${confidence} must be in (0, 1)`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`confusionMutualInformationLower: resamples = ${resamples} must be a positive integer`);
  if (!(input.n >= 0)) throw new RangeError(`confusionMutualInformationLower: n = ${input.n} must be ≥ 0`);
  const point = confusionMutualInformation(input.table);
  const base = { pointBits: input.n * point.bitsPerSample, confidence, resamples, samples: point.samples };
  if (point.samples === 0) return { lowerBits: 0, ...base };

  const rows = input.table.length;
  const cols = Math.max(...input.table.map((r) => r.length));
  // Cumulative counts over the occupied cells: a uniform draw in [0, N) picks a pair's cell.
  const cells: Array<[number, number]> = [];
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const c = input.table[i]![j] ?? 0;
      if (c > 0) {
        total += c;
        cells.push([i, j]);
        cumulative.push(total);
      }
    }
  }
  const rng = new Rng("confusion-mi-bootstrap");
  const draws = new Float64Array(resamples);
  const star = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  for (let b = 0; b < resamples; b++) {
    for (const r of star) r.fill(0);
    for (let s = 0; s < total; s++) {
      const u = rng.uniform() * total;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid]! > u) hi = mid;
        else lo = mid + 1;
      }
      const [i, j] = cells[lo]!;
      star[i]![j]! += 1;
    }
    draws[b] = input.n * confusionMutualInformation(star).bitsPerSample;
  }
  draws.sort();
  const k = Math.max(0, Math.ceil((1 - confidence) * resamples) - 1);
  return { lowerBits: Math.max(0, draws[k]!), ...base };
}
