// The weight store a memory lives on: ideal floats, or conductance pairs on a crossbar, starting at W = 0.
// Opening a crossbar store characterises the array and writes the zero weights (both overhead).
import type { Crossbar } from "../../hal/crossbar.js";
import type { EnergyLedger } from "../../energy/ledger.js";
import type { Rng } from "../../random/rng.js";
import type { CrossbarSettings } from "../config.js";
import { IdealStore } from "../ideal-store.js";
import type { WeightStore } from "../store.js";

export async function openMemoryStore(weights: "ideal" | "crossbar", sizes: readonly number[], crossbar: Crossbar | null, settings: CrossbarSettings, ledger: EnergyLedger, rng: Rng): Promise<WeightStore> {
  const zeros = sizes.slice(0, -1).map((nIn, l) => new Float64Array(nIn * sizes[l + 1]!));
  if (weights === "ideal") {
    const store = new IdealStore(sizes, rng);
    zeros.forEach((w, l) => store.setWeights(l, w));
    return store;
  }
  if (crossbar === null) throw new Error('weights "crossbar" needs a crossbar device; none was given');
  const { CrossbarStore } = await import("../crossbar-store.js");
  return CrossbarStore.create({ crossbar, sizes, settings, ledger, rng, initialWeights: zeros });
}
