// Text for the report's tables: escaping, numbers, ratios with their CIs, and what a contrast holds equal.
// A summary read back from summary.json has null where the analysis had ±Infinity or NaN (JSON has neither).
import type { ContrastFactor } from "../experiment/contrasts.js";

export type MaybeNumber = number | null | undefined;

export const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** A number in 3 significant digits, exponent form when very large or small; "—" when there is none. */
export function num(x: MaybeNumber, digits = 3): string {
  if (typeof x !== "number" || !Number.isFinite(x)) return "—";
  const big = Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0);
  return big ? x.toExponential(digits - 1) : x.toPrecision(digits);
}

export const joules = (x: MaybeNumber): string => (typeof x === "number" && Number.isFinite(x) ? `${num(x)} J` : "—");

/** An interval as "x [95% CI lo, hi]". */
export function withCi(estimate: MaybeNumber, lo: MaybeNumber, hi: MaybeNumber, unit = ""): string {
  return `${num(estimate)}${unit} [${num(lo)}, ${num(hi)}]`;
}

/**
 * A ratio from a log shift's CI. The estimate is finite (a mean over cells with both sides positive), but a
 * resample can put a side at 0: the lower limit is then −∞ (ratio ×0) and the upper +∞ (ratio ×∞), which
 * summary.json writes as null. NaN resamples are dropped by the bootstrap, so null on a limit is only that.
 */
export function ratioCi(log: { estimate: MaybeNumber; lower: MaybeNumber; upper: MaybeNumber }): string {
  const lim = (x: MaybeNumber, ifNull: string) => (x === null || x === undefined ? ifNull : x === Number.NEGATIVE_INFINITY ? "×0" : x === Number.POSITIVE_INFINITY ? "×∞" : `×${num(Math.exp(x))}`);
  return `${lim(log.estimate, "—")} [${lim(log.lower, "×0")}, ${lim(log.upper, "×∞")}]`;
}

/** Every coordinate of a cell (docs/science.md, "The sweep design"); a contrast holds all but its factor equal. */
const CELL_COORDINATES = ["n", "C", "labels", "protocol", "budget"] as const;

export function heldEqual(factor: ContrastFactor): string {
  return listText(CELL_COORDINATES.filter((c) => c !== factor));
}

/** "a, b and c". */
export function listText(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** "control 160, random 67" from a count per label mode, largest first. */
export function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
}
