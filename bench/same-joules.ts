// Whether two runs' joules reports are the same run's (the noisy-link benchmark and tests/serial/train-noisy-link.test.ts).
/**
 * The first number of two joules reports that differs (bit for bit), or a key missing, else null. The driver packs
 * fewer vectors per product line once it sees damage, so the runs add the same products' energies in other groupings;
 * each vector's parts are on a binary grid (sim/crossbar/energy-grid.ts), so the sums are exact and equal. A product
 * run twice or a pulse lost moves a total.
 */
export function differingJoules(a: unknown, b: unknown, path: string): string | null {
  if (typeof a === "number" && typeof b === "number") return a === b ? null : `${path} (${a} against ${b})`;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b ? null : path;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = differingJoules((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}
