// What every chart of the report shares: the vega-lite schema, sizes, and a deterministic jitter.
export const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";
export const WIDTH = 520;
export const HEIGHT = 300;

/** A spread in [0, 1) from a run's name, so points at one x do not hide each other, the same on every render. */
export function jitter(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return (h >>> 0) / 2 ** 32;
}

/** [min, max] by a loop: a sweep's rows can outnumber what Math.min(...xs) takes as arguments. */
export function extent(xs: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}
