// One finished sweep point as the analysis sees it: the cell it belongs to, its joules (E_learn apart from
// the overhead), its bits bracket and the competing predictors (update count, weight-path length, N·n).

/** The ends of the bits-learned bracket the analysis is run on. */
export const BRACKET_ENDS = ["lower", "estimate", "upper"] as const;
export type BracketEnd = (typeof BRACKET_ENDS)[number];

/** The protocol of a point from a sweep without `grid.protocols`: the top-level base alone. */
export const BASE_PROTOCOL = "base";

/** The label mode whose training labels are redrawn every epoch: its bracket is [0, 0] by construction. */
export const CONTROL_LABELS = "control";

export interface ExperimentPoint {
  /** The run directory name, unique within the sweep. */
  id: string;
  /** Cluster key: every grid coordinate except the seed. Points of one cell share it. */
  cell: string;
  seed: number;
  n: number;
  classes: number;
  /** random | teacher | teacher:p | control | real */
  labelMode: string;
  /** Name of the sweep's protocol (grid.protocols), or BASE_PROTOCOL. */
  protocol: string;
  /** Budget label, e.g. "epochs=5", "updates=200". */
  budget: string;
  /** E_learn: relaxation reads, programming pulses, verify reads and refresh, joules. What the fit uses. */
  energyJoules: number;
  /** Reset, initialisation and characterisation, joules: in the total, not in E_learn. */
  overheadJoules: number;
  /** Device total = E_learn + overhead, joules. */
  totalJoules: number;
  /**
   * Joules per named component, e.g. "activity:program", "physical:cell", "hardware:adc" (each prefix a split of
   * the total: by activity, by the contract's three parts, by hardware component).
   */
  energyByComponentJoules: Record<string, number>;
  /** Bits learned at each end of the bracket and the estimate (NaN when the run reports none). */
  bits: Record<BracketEnd, number>;
  bitsMethod: { lower: string; upper: string };
  /** Name of the bound that binds on each end, e.g. "fano", "label_entropy". */
  bitsBound: { lower: string; upper: string };
  /** The confidence each end's bound holds with, when the run summary states one. */
  bitsConfidence: { lower: number | null; upper: number | null };
  updates: number;
  /** Σ‖Δθ‖₁ over training, in the weight store's units. */
  weightPathL1: number;
  /** Devices (weights) in the network, N. */
  devices: number;
  temperatureKelvin: number;
  /** The device the run trained on, when its summary names it (the report shows a simulated preset's energy table). */
  deviceUri?: string;
  accuracy?: { train: number; test: number | null };
}

export interface CellCoordinates {
  n: number;
  classes: number;
  labelMode: string;
  protocol: string;
  budget: string;
}

/** The cell key: the grid coordinates without the seed. */
export function cellKey(p: CellCoordinates): string {
  return `n=${p.n}|C=${p.classes}|labels=${p.labelMode}|protocol=${p.protocol}|${p.budget}`;
}

/** A bound's name from its method text: what precedes the first "=", "," or " (" (the rest is one run's numbers). */
export function boundName(method: string): string {
  return method.split(/\s*=|,|\s\(/)[0]!.trim() || method;
}
