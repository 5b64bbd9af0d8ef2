// One finished sweep point as the analysis sees it: the cell it belongs to, its joules, its bits bracket
// and the competing predictors (update count, weight-path length, N·n).

/** The ends of the bits-learned bracket the analysis is run on. */
export const BRACKET_ENDS = ["lower", "estimate", "upper"] as const;
export type BracketEnd = (typeof BRACKET_ENDS)[number];

export interface ExperimentPoint {
  /** The run directory name, unique within the sweep. */
  id: string;
  /** Cluster key: every grid coordinate except the seed. Points of one cell share it. */
  cell: string;
  seed: number;
  n: number;
  classes: number;
  /** random | teacher | teacher:p */
  labelMode: string;
  /** Budget label, e.g. "epochs=5", "updates=200", "criterion=0.95". */
  budget: string;
  /** Device total energy of the full cycle (reset + training), joules. */
  energyJoules: number;
  /** Joules per named component, e.g. "activity:program", "physical:cell" (each a share of the total). */
  energyByComponentJoules: Record<string, number>;
  /** Bits learned at each end of the bracket and the estimate. */
  bits: Record<BracketEnd, number>;
  bitsMethod: { lower: string; upper: string };
  updates: number;
  /** Σ‖Δθ‖₁ over training, in the weight store's units. */
  weightPathL1: number;
  /** Devices (weights) in the network, N. */
  devices: number;
  temperatureKelvin: number;
  accuracy?: { train: number; test: number | null };
}

/** The cell key: the grid coordinates without the seed. */
export function cellKey(p: { n: number; classes: number; labelMode: string; budget: string }): string {
  return `n=${p.n}|C=${p.classes}|labels=${p.labelMode}|${p.budget}`;
}
