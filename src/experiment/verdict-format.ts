// Numbers in the verdict's reasons: factors, intervals and shifts written from the data, never fixed text.
import type { BootstrapInterval } from "./bootstrap.js";
import type { LogShift } from "./group-shift.js";

/** Three significant figures; exponent form for very large or small values. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "undefined" : x > 0 ? "∞" : "−∞";
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(2) : Number(x.toPrecision(3)).toString();
}

/** A log shift as a factor: "×2.01". */
export function factor(logValue: number): string {
  return `×${fmt(Math.exp(logValue))}`;
}

/** "×1.02 [95% CI ×0.98, ×1.05]" of a log-scale interval. */
export function factorInterval(b: BootstrapInterval): string {
  return `${factor(b.estimate)} [${Math.round(b.level * 100)}% CI ${factor(b.lower)}, ${factor(b.upper)}]`;
}

/** "1.2e-12 J [95% CI 1.0e-12, 1.4e-12]" of a linear-scale interval. */
export function valueInterval(b: BootstrapInterval, unit: string): string {
  return `${fmt(b.estimate)} ${unit} [${Math.round(b.level * 100)}% CI ${fmt(b.lower)}, ${fmt(b.upper)}]`;
}

/** A matched shift cell by cell, naming the side that sits at 0: "×3.2 [95% CI ×2.9, ×3.5] over 40 cells; control at 0 (ratio unbounded) in 20". */
export function shiftText(s: LogShift, a: string, b: string): string {
  const parts: string[] = [];
  const c = s.cells;
  if (s.finite) parts.push(`${factorInterval(s.finite)} over ${c.finite} cell(s)`);
  if (c.bZero) parts.push(`${b} at 0 while ${a} is not (ratio unbounded) in ${c.bZero} cell(s)`);
  if (c.aZero) parts.push(`${a} at 0 while ${b} is not (ratio 0) in ${c.aZero} cell(s)`);
  if (c.bothZero) parts.push(`0 on both sides in ${c.bothZero} cell(s)`);
  if (c.missing) parts.push(`no value in ${c.missing} cell(s)`);
  return parts.join("; ") || "no matched cells";
}

/** "control 600, teacher 12" */
export function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort((x, y) => y[1] - x[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
}
