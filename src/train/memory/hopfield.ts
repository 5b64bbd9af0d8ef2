// The continuous Hopfield network as a configuration of the EqProp trainer, not a second implementation.
//
// The trainer's layered energy E = Σ_l ½‖s_l‖² − Σ_l ρ(s_l)ᵀ·W_l·ρ(s_{l+1}) − Σ_l b_lᵀρ(s_l) for the network
// [0, N, N] (no input, no hidden layer: both state layers are the N visible units) with W_1 = W symmetric,
// restricted to s_1 = s_2 = s, is E = 2·(½‖s‖² − ½·sᵀWs − bᵀs): twice the continuous Hopfield energy (Hopfield
// 1984). The trainer's synchronous relaxation (relaxation.ts) started at s_1 = s_2 keeps them equal (the drive
// of layer 2 is s_1·W, a forward product; of layer 1, s_2·Wᵀ, a transposed one: one array serves W and Wᵀ),
// so its free phase (β = 0) is the Hopfield dynamics s ← clip((1 − ε)·s + ε·(W·s + b), 0, 1). On a device
// the two products differ by the device's noise and the copies may part slightly: the network is then the
// bidirectional memory of the same energy, which needs no symmetry.
//
// ±1 units are coded as s = (σ + 1)/2. With W = 2g·J and b = ½ − ½·W·1 the drive is ½ + g·(J·σ): the unit
// reads the sign of its local field h = J·σ, with gain g (centreBiases measures W·1 on the store itself).
import { Relaxation } from "../relaxation.js";
import type { WeightStore } from "../store.js";
import { writeStates, type Pattern } from "./patterns.js";

/** The trainer's layer sizes for N units: no input, two state layers of N. */
export function hopfieldSizes(units: number): number[] {
  return [0, units, units];
}

export interface HopfieldSettings {
  /** Relaxation step ε (the trainer's `epsilon`). */
  epsilon: number;
  /** Free-phase steps of a recall. */
  recallSteps: number;
}

/** The weight layer that holds W (layer 0 has no inputs). */
export const MEMORY_LAYER = 1;

export class HopfieldNetwork {
  readonly units: number;
  /** The trainer's relaxation, configured for this network: recall runs its relax(). */
  readonly relaxation: Relaxation;
  /** The digital biases of the two copies (the trainer's per-layer biases). */
  readonly biases: readonly [Float64Array, Float64Array];

  constructor(
    readonly store: WeightStore,
    readonly settings: HopfieldSettings,
  ) {
    const [d, a, b] = store.sizes;
    if (store.sizes.length !== 3 || d !== 0 || a !== b) throw new Error(`a Hopfield network is the trainer's [0, N, N]; this store is [${store.sizes.join(", ")}]`);
    this.units = a!;
    this.biases = [new Float64Array(a!), new Float64Array(a!)];
    this.relaxation = new Relaxation(store, store.sizes, this.biases, settings.epsilon);
  }

  /**
   * b = ½ − ½·W·1 for both copies, from one product each way on the store (the ±1 code's offset, from the
   * weights the store holds rather than the ones it was asked to hold).
   */
  async centreBiases(): Promise<void> {
    const n = this.units;
    const ones = new Float64Array(n).fill(1);
    const rowSums = new Float64Array(n);
    const colSums = new Float64Array(n);
    await this.store.transposed(MEMORY_LAYER, ones, 1, rowSums, "free");
    await this.store.forward(MEMORY_LAYER, ones, 1, colSums, "free");
    for (let i = 0; i < n; i++) {
      this.biases[0][i] = 0.5 - 0.5 * rowSums[i]!;
      this.biases[1][i] = 0.5 - 0.5 * colSums[i]!;
    }
  }

  /**
   * Recall: both copies start at the cue, then the trainer's free phase (β = 0) for `steps` steps.
   * Returns the recalled states of the second copy (the trainer's output layer), cue k at k·N.
   */
  async recall(cues: readonly Pattern[], steps = this.settings.recallSteps): Promise<Float64Array> {
    const n = this.units;
    const m = cues.length;
    const w = this.relaxation.work("eval", m);
    cues.forEach((cue, k) => {
      writeStates(cue, w.s[1]!, k * n);
      writeStates(cue, w.s[2]!, k * n);
    });
    // No input layer: the input drive is 0 (Work buffers start at 0 and nothing writes this one).
    w.inputDrive.fill(0);
    await this.relaxation.relax(w, m, steps, 0, new Int32Array(m), "free");
    return w.s[2]!.subarray(0, m * n);
  }
}
