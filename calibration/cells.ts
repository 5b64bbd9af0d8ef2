// Which cells a procedure measures: an evenly spread sample of the array, deterministic for a given size.
export interface CellRef {
  row: number;
  col: number;
}

/** Up to `count` cells spread over the array (every cell when count ≥ rows·cols). */
export function spreadCells(rows: number, cols: number, count: number): CellRef[] {
  const n = rows * cols;
  const k = Math.max(1, Math.min(count, n));
  const out: CellRef[] = [];
  for (let j = 0; j < k; j++) {
    const i = Math.floor(((j + 0.5) * n) / k);
    out.push({ row: Math.floor(i / cols), col: i % cols });
  }
  return out;
}
