// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, xorout 0): the CRC of firmware/PROTOCOL.md §1.

const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let b = 0; b < 256; b++) {
    let c = b << 8;
    for (let i = 0; i < 8; i++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
    t[b] = c;
  }
  return t;
})();

/** CRC of the characters of `text` taken as bytes (the protocol is 7-bit ASCII; latin1 keeps one char per byte). */
export function crc16CcittFalse(text: string, end = text.length): number {
  let c = 0xffff;
  for (let i = 0; i < end; i++) c = ((c << 8) & 0xffff) ^ TABLE[((c >>> 8) ^ text.charCodeAt(i)) & 0xff]!;
  return c;
}
