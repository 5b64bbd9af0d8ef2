// I(Y;θ) for a label stored as a conductance level read through Gaussian write noise, by quadrature.
import type { NoisyCopy } from "./noisy-copy.js";

/**
 * Y uniform over C; Ŷ = Y with probability 1 − q, else uniform; θ = Gmin + Ŷ·R/(C−1) + W, W ~ N(0, σ²).
 * I(Y;θ) = Σ_y (1/C)·∫ p(θ|y)·log2(p(θ|y)/p(θ)) dθ, trapezoid rule on a grid of σ/400 over
 * [Gmin − 12σ, Gmax + 12σ] (the tails beyond carry < 1e-30 of the mass).
 */
export function levelChannelBits({ C, q }: Pick<NoisyCopy, "C" | "q">, rangeSiemens: number, sigmaSiemens: number): number {
  const levels = Array.from({ length: C }, (_, k) => (k * rangeSiemens) / (C - 1));
  const pStored = (y: number, yh: number) => (y === yh ? 1 - q : 0) + q / C;
  const gauss = (x: number) => Math.exp(-0.5 * (x / sigmaSiemens) ** 2) / (sigmaSiemens * Math.sqrt(2 * Math.PI));
  const step = sigmaSiemens / 400;
  const from = -12 * sigmaSiemens;
  const to = rangeSiemens + 12 * sigmaSiemens;
  let bits = 0;
  for (let t = from; t <= to; t += step) {
    const g = levels.map((m) => gauss(t - m));
    const cond = Array.from({ length: C }, (_, y) => g.reduce((a, gk, yh) => a + pStored(y, yh) * gk, 0));
    const marginal = cond.reduce((a, c) => a + c, 0) / C;
    for (const c of cond) if (c > 0) bits += (c / C) * Math.log2(c / marginal) * step;
  }
  return bits;
}
