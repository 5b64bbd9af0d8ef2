// Datasets read from files: a directory of MNIST IDX files (plain or gzipped) and CSV.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { DatasetError, type RawData } from "./dataset-sources.js";

const IDX_NAMES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

/** A directory with the four standard MNIST IDX files, each plain or gzipped (.gz). */
export function loadIdxDir(dir: string): RawData {
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
