// CRC-32C (Castagnoli; poly 0x1EDC6F41, reflected 0x82F63B78, init and xorout 0xFFFFFFFF): the line check of
// firmware/PROTOCOL.md §1. Chosen over CRC-32/ISO-HDLC for its larger Hamming distance at this protocol's
// line lengths (§1 says why); same cost, test vector "123456789" → 0xE3069283.

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let i = 0; i < 8; i++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[b] = c >>> 0;
  }
  return t;
})();

/** CRC of the characters of `text` up to `end`, taken as bytes (latin1: one char per byte, as received). */
export function crc32c(text: string, end = text.length): number {
  let c = 0xffffffff;
  for (let i = 0; i < end; i++) c = (c >>> 8) ^ TABLE[(c ^ text.charCodeAt(i)) & 0xff]!;
  return (c ^ 0xffffffff) >>> 0;
}
