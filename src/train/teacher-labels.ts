// Drawn labels that are not uniform: a fixed random teacher network's, and a fraction of them replaced.
import type { Rng } from "../random/rng.js";

/**
 * Teacher labels: argmax of a fixed random network x → tanh(W1ᵀ(x − mean) ) → W2ᵀ h (16 hidden units,
 * Gaussian weights). Centring the inputs keeps the classes roughly balanced.
 */
export function makeTeacher(trainX: Float64Array, d: number, C: number, rng: Rng): (x: Float64Array, y: Int32Array) => void {
  const H = 16;
  const n = trainX.length / d;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += trainX[i * d + j]! / n;
  const W1 = new Float64Array(d * H).map(() => rng.normal() / Math.sqrt(d) * 4);
  const W2 = new Float64Array(H * C).map(() => rng.normal() / Math.sqrt(H));
  const h = new Float64Array(H);
  return (x, y) => {
    const m = x.length / d;
    for (let s = 0; s < m; s++) {
      h.fill(0);
      for (let j = 0; j < d; j++) {
        const v = x[s * d + j]! - mean[j]!;
        if (v === 0) continue;
        for (let k = 0; k < H; k++) h[k]! += v * W1[j * H + k]!;
      }
      let best = 0;
      let bestV = -Infinity;
      for (let c = 0; c < C; c++) {
        let o = 0;
        for (let k = 0; k < H; k++) o += Math.tanh(h[k]!) * W2[k * C + c]!;
        if (o > bestV) {
          bestV = o;
          best = c;
        }
      }
      y[s] = best;
    }
  };
}

/** Exactly round(p·n) labels, chosen at random, replaced by a uniform draw over C (which may equal the old label). */
export function replaceFraction(y: Int32Array, p: number, C: number, rng: Rng): void {
  const k = Math.round(p * y.length);
  if (k === 0) return;
  const order = Int32Array.from({ length: y.length }, (_, i) => i);
  rng.shuffle(order);
  for (let i = 0; i < k; i++) y[order[i]!] = rng.int(C);
}
