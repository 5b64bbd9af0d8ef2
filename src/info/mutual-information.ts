// Mutual information between true and predicted labels from a pooled confusion table (Miller–Madow corrected).
import { occupiedCells, pluginEntropyBits } from "./entropy.js";

export interface ConfusionInformation {
  /** Bits per sample after the Miller–Madow correction (floored at 0). */
  bitsPerSample: number;
  /** Plug-in estimate before the correction. */
  pluginBitsPerSample: number;
  /** Samples in the table (N). */
  samples: number;
}

/**
 * Mutual information I(Y;Ŷ) of a confusion table `table[y][ŷ]` (counts), in bits per sample.
 *
 * Formula: Î = Ĥ(Y) + Ĥ(Ŷ) − Ĥ(Y,Ŷ) from the plug-in entropies of the marginals and the joint, with
 * Miller–Madow's first-order bias correction Ĥ_MM = Ĥ + (m−1)/(2N·ln 2) bits applied to each entropy
 * (m = occupied cells), so Î_MM = Î + (m_Y + m_Ŷ − m_YŶ − 1)/(2N·ln 2), floored at 0 and capped at
 * log2 min(rows, cols) (I(Y;Ŷ) ≤ min(H(Y), H(Ŷ)); the correction alone can overshoot on a diagonal table).
 * Assumptions: the N pairs are i.i.d. draws of one joint distribution (pooling samples, and seeds,
 * into one table); the correction removes the O(1/N) bias only.
 */
export function confusionMutualInformation(table: number[][]): ConfusionInformation {
  const rows = table.length;
  const cols = rows === 0 ? 0 : Math.max(...table.map((r) => r.length));
  const joint: number[] = [];
  const rowSums = new Array<number>(rows).fill(0);
  const colSums = new Array<number>(cols).fill(0);
  let total = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const c = table[i]![j] ?? 0;
      if (!(c >= 0)) throw new RangeError(`confusionMutualInformation: count ${c} at [${i}][${j}] is negative or not a number`);
      joint.push(c);
      rowSums[i]! += c;
      colSums[j]! += c;
      total += c;
    }
  }
  if (total === 0) return { bitsPerSample: 0, pluginBitsPerSample: 0, samples: 0 };
  const plugin = pluginEntropyBits(rowSums) + pluginEntropyBits(colSums) - pluginEntropyBits(joint);
  const correction = (occupiedCells(rowSums) + occupiedCells(colSums) - occupiedCells(joint) - 1) / (2 * total * Math.LN2);
  const ceiling = Math.log2(Math.min(rows, cols));
  return { bitsPerSample: Math.min(ceiling, Math.max(0, plugin + correction)), pluginBitsPerSample: Math.max(0, plugin), samples: total };
}

/** A C×C confusion table from true labels and predictions. Labels outside [0, C) are an error. */
export function confusionTable(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes: number): number[][] {
  if (labels.length !== predictions.length) throw new RangeError(`confusionTable: ${labels.length} labels but ${predictions.length} predictions`);
  const t = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    const p = predictions[i]!;
    if (!(Number.isInteger(y) && y >= 0 && y < classes)) throw new RangeError(`confusionTable: label ${y} at ${i} is not a class in [0, ${classes})`);
    if (!(Number.isInteger(p) && p >= 0 && p < classes)) throw new RangeError(`confusionTable: prediction ${p} at ${i} is not a class in [0, ${classes})`);
    t[y]![p]! += 1;
  }
  return t;
}
