// The thresholds of the verdict on E ∝ I (docs/science.md, "The rules"), copied into every sweep summary.
import { SATURATION_E_RISE_FACTOR, SATURATION_I_FRACTION } from "./saturation.js";

export type Verdict = "supports" | "refutes" | "inconclusive";

export const VERDICT_RULES = {
  /** Supports needs β's CI inside this interval on the estimate and on every judged end. */
  betaInterval: [0.9, 1.1] as [number, number],
  /** An end is judged with at least this many runs with I > 0 and E_learn > 0, in at least this many cells. */
  minRunsPerEnd: 10,
  minCellsPerEnd: 3,
  /** Label contrast: I moves at least this factor on the conservative CI end of every defined end ("falls to 0" counts)… */
  labelIMinFactor: 2,
  /** …while the whole CI of E_learn's ratio stays inside ×[1/this, this]. */
  labelEMaxFactor: 1.1,
  /** Protocol or budget contrast: E_learn moves at least this factor on the conservative CI end… */
  designEMinFactor: 2,
  /** …while on every end the whole CI of I's ratio stays inside ×[1/this, this] (0 on both sides counts as fixed). */
  designIMaxFactor: 1.1,
  /** Saturation: I's growth (upper CI limit) below this fraction of n's growth, in logs… */
  saturationIFraction: SATURATION_I_FRACTION,
  /** …while E_learn rises at least this factor beyond it (lower CI limit). */
  saturationERiseFactor: SATURATION_E_RISE_FACTOR,
  /** The competitor rules (refute, and "keeps its power") apply only where log I's VIF against the competitors is below this. */
  vifMax: 10,
  /** Competitors explain log E_learn: R² of log E_learn on them at least this… */
  competitorsExplainR2: 0.5,
  /** …and log I adds nothing: its partial R² after them below this. */
  logIAddsNothingPartialR2: 0.05,
  /** log I keeps its power: partial R² after the competitors at least this. */
  keepsPowerPartialR2: 0.5,
};
