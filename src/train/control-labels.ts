// The zero-information control's training labels: redrawn every epoch, independent of the fixed labels.
import { Rng } from "../random/rng.js";

/**
 * The training labels of one epoch of a `control` run: a fresh uniform draw over C per epoch, from a
 * stream fixed by (seed, epoch) alone, so a resumed run redraws the same labels without extra state.
 * They are independent of the fixed labels the run is evaluated on, so I(Yⁿ;θ) = 0 by construction.
 */
export function controlEpochLabels(n: number, classes: number, seed: number, epoch: number): Int32Array {
  const rng = new Rng(`control-labels:${seed}:${epoch}`);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) y[i] = rng.int(classes);
  return y;
}
