// Value encodings of firmware/PROTOCOL.md §2: exact decimals (D), measures (M) and packed base-64 vectors. Pure functions.

/** A field that does not hold the value its grammar requires. */
export class ValueError extends Error {
  constructor(readonly field: string, readonly text: string, detail: string) {
    super(`${field}: ${JSON.stringify(text.length > 40 ? text.slice(0, 40) + "…" : text)} ${detail}`);
    this.name = "ValueError";
  }
}

const DECIMAL = /^-?[0-9]{1,17}(e-?[0-9]{1,3})?$/;
const UNSIGNED = /^[0-9]{1,10}$/;
const SIGNED = /^-?[0-9]{1,10}$/;

/**
 * A float64 as an exact decimal `MANTISSAe EXP` with an integer mantissa (no decimal point), from the
 * shortest round-trip digits, so parseDecimal(formatDecimal(x)) === x for every finite x.
 */
export function formatDecimal(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`${x} cannot travel as a decimal`);
  if (x === 0) return "0";
  const text = String(x); // shortest round-trip digits, e.g. "1.25e-13", "0.2", "123"
  const sign = text.startsWith("-") ? "-" : "";
  const body = sign ? text.slice(1) : text;
  const eAt = body.indexOf("e");
  let exponent = eAt >= 0 ? Number(body.slice(eAt + 1)) : 0;
  const digitsPart = eAt >= 0 ? body.slice(0, eAt) : body;
  const dot = digitsPart.indexOf(".");
  let digits = digitsPart;
  if (dot >= 0) {
    exponent -= digitsPart.length - dot - 1;
    digits = digitsPart.slice(0, dot) + digitsPart.slice(dot + 1);
  }
  digits = digits.replace(/^0+/, "");
  const trailing = digits.length - digits.replace(/0+$/, "").length;
  if (trailing > 0) {
    digits = digits.slice(0, digits.length - trailing);
    exponent += trailing;
  }
  return exponent === 0 ? `${sign}${digits}` : `${sign}${digits}e${exponent}`;
}

export function parseDecimal(text: string, field: string): number {
  if (!DECIMAL.test(text)) throw new ValueError(field, text, "is not an exact decimal (digits, optionally e and an exponent)");
  const v = Number(text);
  if (!Number.isFinite(v)) throw new ValueError(field, text, "is out of range");
  return v;
}

export function parseUnsigned(text: string, field: string, max = 0xffffffff): number {
  const v = UNSIGNED.test(text) ? Number(text) : NaN;
  if (!(v <= max)) throw new ValueError(field, text, `is not an unsigned integer ≤ ${max}`);
  return v;
}

export function parseSigned(text: string, field: string): number {
  const v = SIGNED.test(text) ? Number(text) : NaN;
  if (!(Math.abs(v) <= 0x7fffffff)) throw new ValueError(field, text, "is not a signed 32-bit integer");
  return v;
}

export function formatHex32(v: number): string {
  return (v >>> 0).toString(16).toUpperCase().padStart(8, "0");
}

export function parseHex32(text: string, field: string): number {
  if (!/^[0-9A-F]{8}$/.test(text)) throw new ValueError(field, text, "is not 8 uppercase hex digits");
  return parseInt(text, 16);
}

/** The range of a signed code `width` hex digits wide: [−2^(4w−1), 2^(4w−1) − 1]. */
export function signedCodeRange(width: number): { min: number; max: number } {
  const half = 2 ** (4 * width - 1);
  return { min: -half, max: half - 1 };
}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > 12) throw new RangeError(`hex width ${width} must be an integer in [1, 12]`);
}

/**
 * Packed vectors of PROTOCOL.md §2 (version 3): one digit W (1 … `vectorDigits(w)`), then each element in W base-64
 * digits (6 bits each, most significant first; signed: two's complement in 6·W bits), a run of k zero elements
 * (1 ≤ k ≤ 23) in one run character. The sender picks the smallest W that holds every element. Exact.
 */
export const VECTOR_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
/** The run characters: the i-th (0-based) stands for i + 1 zero elements. */
export const ZERO_RUNS = "!#$%&()+,./:;<>?@[]^{|}";
const DIGIT_VALUE = new Int8Array(128).fill(-1);
const RUN_LENGTH = new Int8Array(128).fill(0);
for (let i = 0; i < VECTOR_DIGITS.length; i++) DIGIT_VALUE[VECTOR_DIGITS.charCodeAt(i)] = i;
for (let i = 0; i < ZERO_RUNS.length; i++) RUN_LENGTH[ZERO_RUNS.charCodeAt(i)] = i + 1;

/** Most base-64 digits per element for a code `width` hex digits wide (4·width bits in whole 6-bit digits). */
export function vectorDigits(width: number): number {
  return Math.ceil((4 * width) / 6);
}

function encodeVector(values: ArrayLike<number>, width: number, signed: boolean, min: number, max: number, what: string): string {
  checkWidth(width);
  let digits = 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${what} ${v} at ${i} does not fit ${width} hex digits`);
    while (signed ? v < -(2 ** (6 * digits - 1)) || v >= 2 ** (6 * digits - 1) : v >= 2 ** (6 * digits)) digits++;
  }
  const modulus = 2 ** (6 * digits);
  let out = VECTOR_DIGITS[digits]!;
  let zeros = 0;
  for (let i = 0; i <= values.length; i++) {
    const v = i < values.length ? values[i]! : NaN;
    if (v === 0) {
      zeros++;
      continue;
    }
    for (; zeros > 0; zeros -= Math.min(zeros, ZERO_RUNS.length)) out += ZERO_RUNS[Math.min(zeros, ZERO_RUNS.length) - 1];
    if (i === values.length) break;
    let u = v < 0 ? v + modulus : v;
    let element = "";
    for (let d = 0; d < digits; d++) {
      element = VECTOR_DIGITS[u % 64]! + element;
      u = Math.floor(u / 64);
    }
    out += element;
  }
  return out;
}

function decodeVector(text: string, width: number, signed: boolean, field: string, what: string, length?: number): number[] {
  checkWidth(width);
  const digits = text.length > 0 && text.charCodeAt(0) < 128 ? DIGIT_VALUE[text.charCodeAt(0)]! : -1;
  if (digits < 1 || digits > vectorDigits(width)) throw new ValueError(field, text, `does not start with a digit count in [1, ${vectorDigits(width)}]`);
  const modulus = 2 ** (6 * digits);
  const { min, max } = signed ? signedCodeRange(width) : { min: 0, max: 2 ** (4 * width) - 1 };
  const out: number[] = [];
  for (let at = 1; at < text.length; ) {
    const c = text.charCodeAt(at);
    const run = c < 128 ? RUN_LENGTH[c]! : 0;
    if (run > 0) {
      for (let k = 0; k < run; k++) out.push(0);
      at++;
      continue;
    }
    if (at + digits > text.length) throw new ValueError(field, text, `ends inside a ${digits}-digit ${what}`);
    let u = 0;
    for (let d = 0; d < digits; d++, at++) {
      const c2 = text.charCodeAt(at);
      const value = c2 < 128 ? DIGIT_VALUE[c2]! : -1;
      if (value < 0) throw new ValueError(field, text, `has ${JSON.stringify(text[at])}, neither a base-64 digit nor a zero run`);
      u = u * 64 + value;
    }
    const v = signed && u >= modulus / 2 ? u - modulus : u;
    if (v < min || v > max) throw new ValueError(field, text, `has ${what} ${v}, beyond ${width} hex digits`);
    out.push(v);
  }
  if (length !== undefined && out.length !== length) throw new ValueError(field, text, `holds ${out.length} ${what}s, expected ${length}`);
  return out;
}

/** Packs signed integer codes (two's complement in the fewest whole base-64 digits, zero runs). */
export function encodeSignedVector(codes: ArrayLike<number>, width: number): string {
  const { min, max } = signedCodeRange(width);
  return encodeVector(codes, width, true, min, max, "code");
}

/** Unpacks signed codes; `length` (when given) is the element count the field must hold. */
export function decodeSignedVector(text: string, width: number, field: string, length?: number): number[] {
  return decodeVector(text, width, true, field, "code", length);
}

/** Packs unsigned integers (pulse counts). */
export function encodeUnsignedVector(values: ArrayLike<number>, width: number): string {
  return encodeVector(values, width, false, 0, 2 ** (4 * width) - 1, "count");
}

export function decodeUnsignedVector(text: string, width: number, field: string, length?: number): number[] {
  return decodeVector(text, width, false, field, "count", length);
}

/**
 * A measured energy or duration (PROTOCOL.md §2 `M`): the exact decimal D when that is at most 12 characters,
 * else '~' and the float64's 64 bits in 11 base-64 digits (the first holds 4 bits), most significant first.
 */
export function formatMeasure(x: number): string {
  const decimal = formatDecimal(x);
  if (decimal.length <= 12) return decimal;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  let hi = view.getUint32(0);
  let lo = view.getUint32(4);
  let out = "";
  for (let d = 0; d < 11; d++) {
    out = VECTOR_DIGITS[lo & 63]! + out;
    lo = ((lo >>> 6) | (hi << 26)) >>> 0;
    hi = hi >>> 6;
  }
  return "~" + out;
}

const BINARY_MEASURE = /^~[0-9A-Za-z_-]{11}$/;

export function parseMeasure(text: string, field: string): number {
  if (text.charCodeAt(0) !== 0x7e) return parseDecimal(text, field);
  if (!BINARY_MEASURE.test(text) || DIGIT_VALUE[text.charCodeAt(1)]! > 15) throw new ValueError(field, text, "is not '~' and 11 base-64 digits of a float64");
  let hi = 0;
  let lo = 0;
  for (let d = 1; d <= 11; d++) {
    const v = DIGIT_VALUE[text.charCodeAt(d)]!;
    hi = ((hi << 6) | (lo >>> 26)) >>> 0;
    lo = ((lo << 6) | v) >>> 0;
  }
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, hi);
  view.setUint32(4, lo);
  const v = view.getFloat64(0);
  if (!Number.isFinite(v)) throw new ValueError(field, text, "is not a finite number");
  return v;
}

/**
 * A value in SI as a count of 10^-pow units (pow 6: microvolts, 9: nanoseconds), for the wire.
 * `exact`: the decimal shift of the value's own shortest digits (an integer when it is one; a D otherwise),
 * so the device recovers the same float64. Not exact: rounded to a whole unit (what every device accepts).
 */
export function toUnits(si: number, pow: number, exact: boolean): string {
  if (!exact) return String(Math.round(si * 10 ** pow) + 0);
  const text = formatDecimal(si);
  const m = /^(-?[0-9]+)(?:e(-?[0-9]+))?$/.exec(text)!;
  const exp = Number(m[2] ?? 0) + pow;
  return exp >= 0 ? (m[1] === "0" ? "0" : m[1] + "0".repeat(exp)) : `${m[1]}e${exp}`;
}

/** The SI value of a count of 10^-pow units (an integer or a D), exact: "1200000" µV → 1.2. */
export function fromUnits(text: string, pow: number, field: string): number {
  if (!/^-?[0-9]{1,20}(e-?[0-9]{1,3})?$/.test(text)) throw new ValueError(field, text, "is not an integer or exact decimal");
  const m = /^(-?[0-9]+)(?:e(-?[0-9]+))?$/.exec(text)!;
  const v = Number(`${m[1]}e${Number(m[2] ?? 0) - pow}`);
  if (!Number.isFinite(v)) throw new ValueError(field, text, "is out of range");
  return v;
}

/** The smallest of 2, 4 or 8 hex digits that holds `maxCount`. */
export function countHexWidth(maxCount: number): number {
  return maxCount <= 0xff ? 2 : maxCount <= 0xffff ? 4 : 8;
}
