// The analysis run again on each protocol's runs alone, so a reader sees side by side whether a protocol
// (dense updates, host-summed threshold updates, …) brings E_learn towards proportion with I, and at what
// accuracy. Each protocol's verdict follows the same rules (docs/science.md) on its own runs.
import { analyzeSweep, type AnalysisOptions } from "./analysis.js";
import type { Verdict } from "./verdict.js";
import { BRACKET_ENDS, type BracketEnd, type ExperimentPoint } from "./point.js";

export interface ProtocolVerdict {
  protocol: string;
  runs: number;
  verdict: Verdict;
  reasons: string[];
  beta: Partial<Record<BracketEnd, { estimate: number; ci95: [number, number] }>>;
  /** Geometric-mean Landauer multiple of E_learn on the estimate of I, with its CI (runs with I > 0). */
  landauerLearningEstimate: { estimate: number; ci95: [number, number] } | null;
  meanLearningJoules: number;
  meanTrainAccuracy: number | null;
}

/** One entry per protocol present, in name order; empty when the sweep has a single protocol. */
export function verdictsByProtocol(points: readonly ExperimentPoint[], options: AnalysisOptions): ProtocolVerdict[] {
  const names = [...new Set(points.map((p) => p.protocol))].sort();
  if (names.length < 2) return [];
  return names.map((protocol) => {
    const own = points.filter((p) => p.protocol === protocol);
    const a = analyzeSweep(own, options);
    const beta: ProtocolVerdict["beta"] = {};
    for (const end of BRACKET_ENDS) {
      const e = a.ends[end];
      if (e) beta[end] = { estimate: e.beta.estimate, ci95: [e.beta.lower, e.beta.upper] };
    }
    const row = a.landauer.find((r) => r.component === "learning" && r.end === "estimate");
    const accuracies = own.map((p) => p.accuracy?.train).filter((x): x is number => typeof x === "number" && Number.isFinite(x));
    return {
      protocol,
      runs: own.length,
      verdict: a.verdict,
      reasons: a.reasons,
      beta,
      landauerLearningEstimate: row ? { estimate: row.multiple.estimate, ci95: [row.multiple.lower, row.multiple.upper] } : null,
      meanLearningJoules: own.reduce((s, p) => s + p.energyJoules, 0) / own.length,
      meanTrainAccuracy: accuracies.length > 0 ? accuracies.reduce((s, x) => s + x, 0) / accuracies.length : null,
    };
  });
}
