// Typed arrays ⇄ base64 (little-endian, as the machine holds them), so checkpoints are JSON and restore bit for bit.

export function encodeFloat64(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
}

export function decodeFloat64(s: string, expectedLength: number, what: string): Float64Array {
  const buf = Buffer.from(s, "base64");
  if (buf.length !== expectedLength * 8) throw new Error(`checkpoint ${what}: ${buf.length / 8} values, expected ${expectedLength}`);
  const out = new Float64Array(expectedLength);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

export function encodeBytes(a: Uint8Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
}

export function decodeBytes(s: string, expectedLength: number, what: string): Uint8Array {
  const buf = Buffer.from(s, "base64");
  if (buf.length !== expectedLength) throw new Error(`checkpoint ${what}: ${buf.length} bytes, expected ${expectedLength}`);
  return new Uint8Array(buf);
}
