// Where the weights sit on the array: each weight layer cut into blocks and shelf-packed.
//
// Weight layer l (nIn × nOut) is cut into blocks of at most `rows` inputs × `cols`/2 outputs. In a block,
// input i drives row r0 + i and output k owns the adjacent columns c0 + 2k (G⁺) and c0 + 2k + 1 (G⁻).
import { UserError } from "../hal/user-error.js";

/** A rectangle of one weight layer placed on the array. */
export interface Block {
  layer: number;
  inStart: number;
  inCount: number;
  outStart: number;
  outCount: number;
  /** First array row and column of the block. */
  row: number;
  col: number;
}

/** The network does not fit on the device; says the sizes. */
export class PlacementError extends UserError {
  constructor(
    readonly sizes: readonly number[],
    readonly rows: number,
    readonly cols: number,
    /** Cells the weights need as conductance pairs; undefined when the array cannot hold a single pair. */
    readonly cellsNeeded?: number,
    /** The device URI the user named, when the caller knows it. */
    readonly deviceUri?: string,
    /** The network asked for, when `sizes` is the smallest tried in its place (no hidden layer). */
    readonly asked?: readonly number[],
  ) {
    const on = `a ${rows}×${cols} crossbar${deviceUri !== undefined ? ` (--device ${deviceUri})` : ""}`;
    const what = asked ? `network ${asked.join("-")} does not fit on ${on}, nor does ${sizes.join("-")} with no hidden layer` : `network ${sizes.join("-")} does not fit on ${on}`;
    super(
      cellsNeeded === undefined
        ? `${on} has no room for a conductance pair (two columns)`
        : `${what}: its weights need ${cellsNeeded} cells as conductance pairs; ` +
            `use a larger device (sim:PRESET?rows=&cols=) or ${sizes.length > 2 ? "a smaller network" : "data with fewer inputs or classes"}`,
    );
  }

  /** The same refusal naming the device the user chose. */
  forDevice(deviceUri: string): PlacementError {
    return new PlacementError(this.sizes, this.rows, this.cols, this.cellsNeeded, deviceUri, this.asked);
  }
}

/** Shelf-packs every layer's blocks onto a rows × cols array (pairs take two columns). */
export function placeBlocks(sizes: readonly number[], rows: number, cols: number): Block[] {
  const maxOut = Math.floor(cols / 2);
  if (maxOut < 1) throw new PlacementError(sizes, rows, cols);
  const pieces: Omit<Block, "row" | "col">[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l]!, nOut = sizes[l + 1]!;
    for (let i0 = 0; i0 < nIn; i0 += rows) {
      for (let o0 = 0; o0 < nOut; o0 += maxOut) pieces.push({ layer: l, inStart: i0, inCount: Math.min(rows, nIn - i0), outStart: o0, outCount: Math.min(maxOut, nOut - o0) });
    }
  }
  const blocks: Block[] = [];
  let shelfRow = 0;
  let shelfHeight = 0;
  let x = 0;
  for (const p of pieces) {
    const w = 2 * p.outCount;
    if (x + w > cols) {
      shelfRow += shelfHeight;
      shelfHeight = 0;
      x = 0;
    }
    if (shelfRow + p.inCount > rows) {
      const cells = pieces.reduce((s, q) => s + q.inCount * 2 * q.outCount, 0);
      throw new PlacementError(sizes, rows, cols, cells);
    }
    blocks.push({ ...p, row: shelfRow, col: x });
    x += w;
    shelfHeight = Math.max(shelfHeight, p.inCount);
  }
  return blocks;
}

/** Calls fn with the G⁺ cell (row-major index; G⁻ is the next cell) of every pair, block by block, row by row. */
export function forEachPair(blocks: readonly Block[], cols: number, fn: (plusCell: number, block: Block, i: number, j: number) => void): void {
  for (const b of blocks) {
    for (let i = 0; i < b.inCount; i++) {
      for (let j = 0; j < b.outCount; j++) fn((b.row + i) * cols + b.col + 2 * j, b, i, j);
    }
  }
}

/** The weights of layer l as the given conductances hold them: (G⁺ − G⁻)/gUnit for every pair of its blocks. */
export function pairWeights(blocks: readonly Block[], sizes: readonly number[], cols: number, l: number, g: Float64Array, gUnit: number): Float64Array {
  const nIn = sizes[l]!, nOut = sizes[l + 1]!;
  const w = new Float64Array(nIn * nOut);
  for (const b of blocks) {
    if (b.layer !== l) continue;
    for (let i = 0; i < b.inCount; i++) {
      for (let j = 0; j < b.outCount; j++) {
        const plus = (b.row + i) * cols + b.col + 2 * j;
        w[(b.inStart + i) * nOut + b.outStart + j] = (g[plus]! - g[plus + 1]!) / gUnit;
      }
    }
  }
  return w;
}
