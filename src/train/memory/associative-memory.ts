// One associative-memory experiment: store P random patterns by a rule, recall each from a corrupted cue,
// score the recalls. Energy comes from the ledger the store books into, split by phase: opening the store
// (overhead), storing (E_learn: the pulses and the reads the rule needs), recalling.
import type { Crossbar } from "../../hal/crossbar.js";
import type { EnergyLedger } from "../../energy/ledger.js";
import { Rng } from "../../random/rng.js";
import type { WeightStore } from "../store.js";
import { measurePulseEnergy, type PulseEnergyResult } from "../pulse-energy.js";
import { HopfieldNetwork, hopfieldSizes } from "./hopfield.js";
import type { MemoryConfig } from "./memory-config.js";
import { openMemoryStore } from "./memory-store.js";
import { ModernHopfield, modernHopfieldSizes } from "./modern-hopfield.js";
import { corruptedCue, randomPatterns, scoreRecall, type Pattern, type RecallScore } from "./patterns.js";
import { storeHebbian, storeLearned, type StorageReport } from "./storage.js";

export interface MemoryOutcome {
  scores: RecallScore[];
  storage: StorageReport;
  /** Units flipped in every cue. */
  cueFlips: number;
  /** Learning joules the storing spent (E_learn) and the recalls after it. */
  storageJoules: number;
  recallJoules: number;
  /** Devices holding the weights (pairs count two on a crossbar). */
  devices: number;
  levelsPerDevice: number | null;
  /** The measured pulse-energy trade-off when the config asked for the minimum-energy pulse. */
  pulseEnergy: PulseEnergyResult | null;
}

/**
 * ΔG, as a fraction of the range, at which the minimum-energy pulse is chosen: the change one storage update
 * asks of a pair, a Hebbian increment 2g/N (or a modern pattern entry a), in weight units over weightRange.
 */
export function pulseTargetFraction(config: MemoryConfig): number {
  const increment = config.rule === "modern" ? config.modern.patternWeight : (2 * config.gain) / config.units;
  return Math.min(0.5, increment / config.crossbar.weightRange);
}

/** A network that stores patterns and recalls from cues (recalled states, cue k at k·N). */
interface Memory {
  store(patterns: readonly Pattern[]): Promise<StorageReport>;
  recall(cues: readonly Pattern[]): Promise<Float64Array>;
}

export async function storeAndRecall(config: MemoryConfig, crossbar: Crossbar | null, ledger: EnergyLedger): Promise<MemoryOutcome> {
  const rng = new Rng(config.seed);
  const patterns = randomPatterns(config.patterns, config.units, rng.fork("patterns"));
  const cueRng = rng.fork("cues");
  const cues = patterns.map((p) => corruptedCue(p, config.corrupt, cueRng));
  const sizes = config.rule === "modern" ? modernHopfieldSizes(config.units, config.patterns) : hopfieldSizes(config.units);
  let settings = config.crossbar;
  let pulseEnergy: PulseEnergyResult | null = null;
  if (crossbar !== null && config.weights === "crossbar" && config.pulse === "minimum-energy") {
    const targetFraction = pulseTargetFraction(config);
    pulseEnergy = await measurePulseEnergy(crossbar, { targetFraction, record: (m) => ledger.record("characterise", m) });
    if (pulseEnergy.minimum === null) throw new Error(`${pulseEnergy.model}: no pulse shape reached a ΔG of ${targetFraction.toPrecision(3)} of the range`);
    settings = { ...settings, setVolts: pulseEnergy.minimum.volts, pulseWidthSeconds: pulseEnergy.minimum.widthSeconds };
  }
  const store = await openMemoryStore(config.weights, sizes, crossbar, settings, ledger, rng.fork("store"));
  const memory = memoryFor(config, store, rng.fork("learned"));
  const opened = ledger.learningJoules();
  const storage = await memory.store(patterns);
  const stored = ledger.learningJoules();
  const states = await memory.recall(cues);
  return {
    scores: patterns.map((p, k) => scoreRecall(p, states, k * config.units)),
    storage,
    cueFlips: Math.round(config.corrupt * config.units),
    storageJoules: stored - opened,
    recallJoules: ledger.learningJoules() - stored,
    devices: store.deviceCount(),
    levelsPerDevice: store.levelsPerDevice(),
    pulseEnergy,
  };
}

function memoryFor(config: MemoryConfig, store: WeightStore, rng: Rng): Memory {
  if (config.rule === "modern") {
    const net = new ModernHopfield(store, config.modern.inverseTemperature, config.modern.patternWeight);
    return { store: (p) => net.store(p), recall: (c) => net.retrieve(c) };
  }
  const net = new HopfieldNetwork(store, { epsilon: config.epsilon, recallSteps: config.recallSteps });
  return {
    store: (p) => (config.rule === "hebbian" ? storeHebbian(net, p, config.gain) : storeLearned(net, p, { gain: config.gain, ...config.learned }, rng)),
    recall: (c) => net.recall(c),
  };
}
