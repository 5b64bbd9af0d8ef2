// Value encodings of firmware/PROTOCOL.md §2: exact decimals (D) and packed fixed-width hex vectors. Pure functions.

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

/** Packs signed integer codes as two's complement, `width` uppercase hex digits each. */
export function encodeSignedVector(codes: ArrayLike<number>, width: number): string {
  checkWidth(width);
  const { min, max } = signedCodeRange(width);
  const modulus = 2 ** (4 * width);
  let out = "";
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (!Number.isInteger(c) || c < min || c > max) throw new RangeError(`code ${c} at ${i} does not fit ${width} hex digits`);
    out += (c < 0 ? c + modulus : c).toString(16).toUpperCase().padStart(width, "0");
  }
  return out;
}

const HEX_VECTOR = /^[0-9A-F]*$/;

/** Unpacks signed codes; `length` (when given) is the element count the field must hold. */
export function decodeSignedVector(text: string, width: number, field: string, length?: number): number[] {
  checkWidth(width);
  if (!HEX_VECTOR.test(text) || text.length % width !== 0) throw new ValueError(field, text, `is not a packed vector of ${width}-digit uppercase hex codes`);
  const n = text.length / width;
  if (length !== undefined && n !== length) throw new ValueError(field, text, `holds ${n} codes, expected ${length}`);
  const half = 2 ** (4 * width - 1);
  const modulus = 2 ** (4 * width);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const v = parseInt(text.slice(i * width, (i + 1) * width), 16);
    out[i] = v >= half ? v - modulus : v;
  }
  return out;
}

/** Packs unsigned integers (pulse counts), `width` hex digits each. */
export function encodeUnsignedVector(values: ArrayLike<number>, width: number): string {
  checkWidth(width);
  const max = 2 ** (4 * width) - 1;
  let out = "";
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`value ${v} at ${i} does not fit ${width} hex digits`);
    out += v.toString(16).toUpperCase().padStart(width, "0");
  }
  return out;
}

export function decodeUnsignedVector(text: string, width: number, field: string, length?: number): number[] {
  checkWidth(width);
  if (!HEX_VECTOR.test(text) || text.length % width !== 0) throw new ValueError(field, text, `is not a packed vector of ${width}-digit uppercase hex counts`);
  const n = text.length / width;
  if (length !== undefined && n !== length) throw new ValueError(field, text, `holds ${n} counts, expected ${length}`);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = parseInt(text.slice(i * width, (i + 1) * width), 16);
  return out;
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
