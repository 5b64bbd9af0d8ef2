// A learner whose I(Yⁿ;θ) is known exactly: it stores a noisy copy of uniformly random labels.
import { fanoPerSampleBits } from "../../src/info/fano.js";
import { Rng } from "../../src/random/rng.js";

export interface NoisyCopy {
  n: number;
  C: number;
  /** Probability that a stored label is replaced by a uniform draw over C (which may equal the label). */
  q: number;
}

/** Error rate of the copy: a replaced label is wrong with probability (C−1)/C, so ε = q·(C−1)/C. */
export function copyErrorRate({ C, q }: NoisyCopy): number {
  return (q * (C - 1)) / C;
}

/**
 * I(Yⁿ;θ) for θ = Ŷⁿ. The n pairs are independent, so I = n·I(Y;Ŷ) = n·(log2 C − H(Y|Ŷ)) with Y uniform.
 * The channel is symmetric: given Ŷ = ŷ, Y = ŷ with probability 1 − ε and each other class with
 * ε/(C−1), so H(Y|Ŷ) = h2(ε) + ε·log2(C−1) in closed form: Fano's bound at ε is tight here.
 */
export function trueBits(c: NoisyCopy): number {
  return c.n * fanoPerSampleBits(c.C, copyErrorRate(c));
}

/** H(Y|Ŷ) summed directly from the joint p(y, ŷ) = (1/C)·[(1−q)·[y = ŷ] + q/C]: checks the closed form. */
export function conditionalEntropyFromJoint({ C, q }: NoisyCopy): number {
  let hJoint = 0;
  for (let y = 0; y < C; y++) {
    for (let yh = 0; yh < C; yh++) {
      const p = ((y === yh ? 1 - q : 0) + q / C) / C;
      if (p > 0) hJoint -= p * Math.log2(p);
    }
  }
  return hJoint - Math.log2(C); // H(Ŷ) = log2 C: Ŷ is uniform too
}

export interface CopyDraw {
  labels: number[];
  stored: number[];
  trainErrors: number;
  /** Errors on `testTrials` fresh uniform labels: the copy's test predictions are independent of them. */
  testErrors: number;
}

/** K independent draws of n labels and their copies, pooled, plus a test set of fresh uniform labels. */
export function drawCopies(c: NoisyCopy, draws: number, testTrials: number, rng: Rng): CopyDraw {
  const labels: number[] = [];
  const stored: number[] = [];
  let trainErrors = 0;
  for (let k = 0; k < draws; k++) {
    for (let i = 0; i < c.n; i++) {
      const y = rng.int(c.C);
      const yh = rng.uniform() < c.q ? rng.int(c.C) : y;
      labels.push(y);
      stored.push(yh);
      if (y !== yh) trainErrors++;
    }
  }
  let testErrors = 0;
  for (let j = 0; j < testTrials; j++) if (rng.int(c.C) !== 0) testErrors++; // the copy predicts class 0 off the training set
  return { labels, stored, trainErrors, testErrors };
}
