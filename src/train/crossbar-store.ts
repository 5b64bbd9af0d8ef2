// The crossbar weight store: each weight a differential conductance pair G⁺ − G⁻ on a Crossbar.
import type { Crossbar } from "../hal/crossbar.js";
import type { EnergyLedger } from "../energy/ledger.js";
import type { Rng } from "../random/rng.js";
import type { CrossbarSettings } from "./config.js";
import type { WeightStore } from "./store.js";

export interface CrossbarStoreOptions {
  crossbar: Crossbar;
  sizes: readonly number[];
  settings: CrossbarSettings;
  ledger: EnergyLedger;
  rng: Rng;
}

export class CrossbarStore {
  static async create(_o: CrossbarStoreOptions): Promise<WeightStore> {
    throw new Error("crossbar weight store: not implemented yet");
  }
}
