// The pure codec of firmware/PROTOCOL.md: round trips (fast-check) and detection of any single damaged byte or bit.
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { crc16CcittFalse } from "../../protocol/serial-line/crc16.js";
import { crc32c } from "../../protocol/serial-line/crc32c.js";
import { decodeFrame, encodeFrame, FrameError, nextSeq } from "../../protocol/serial-line/frame.js";
import {
  limitsPayload, parseLimitsPayload, parseReply, parseRequest, replyFields, RequestError, requestFields, type CodeWidths, type Reply, type Request, type WireLimits,
} from "../../protocol/serial-line/messages.js";
import {
  decodeSignedVector, decodeUnsignedVector, encodeSignedVector, encodeUnsignedVector, formatDecimal, formatMeasure, parseDecimal, parseMeasure, signedCodeRange, ValueError,
} from "../../protocol/serial-line/values.js";

const SEED = 20261123;
const widths: CodeWidths = { vhex: 3, ahex: 3, chex: 4 };
const exactWidths: CodeWidths = { ...widths, exact: true };
// Whole microvolts and nanoseconds (what every device takes), and any float (exact=1 devices).
const uV = fc.integer({ min: -5_000_000, max: 5_000_000 }).map((u) => Number(`${u}e-6`));
const ns = fc.integer({ min: 0, max: 1e9 }).map((n) => Number(`${n}e-9`));

describe("CRC-32C", () => {
  it("matches the standard check value: '123456789' → 0xE3069283 (and CRC-16/CCITT-FALSE, kept for the comparison, 0x29B1)", () => {
    expect(crc32c("123456789")).toBe(0xe3069283);
    expect(crc16CcittFalse("123456789")).toBe(0x29b1);
  });
  it("reproduces the worked examples in PROTOCOL.md", () => {
    expect(encodeFrame({ seq: 0, fields: ["ID"] })).toBe("0000 ID *695C4464");
    expect(encodeFrame({ seq: 6, fields: ["PING"] })).toBe("0006 PING *84018375");
    expect(encodeFrame({ seq: 3, fields: ["PCELL", "1", "2", "1500000", "100", "3"] })).toBe("0003 PCELL 1 2 1500000 100 3 *945F557E");
    expect(decodeFrame("0002 OK MVF 123e-15 0 2000e-15 100e-9 26Y_d040G *9333FCCA").fields[1]).toBe("MVF");
    expect(encodeFrame({ seq: 2, fields: ["MVF", encodeSignedVector([51, -51, 0, 0], 2)] })).toBe("0002 MVF 20p_D# *8C1AB98F");
  });
});

describe("PROTOCOL.md", () => {
  it("every line of the worked examples (§8, PROTOCOL-EXAMPLES.md) carries its correct CRC-32C, but the one shown damaged", () => {
    const doc = readFileSync(new URL("../../firmware/PROTOCOL-EXAMPLES.md", import.meta.url), "utf8");
    const lines = doc.split("\n").filter((l) => /^[<>] /.test(l));
    expect(lines.length).toBeGreaterThan(30);
    for (const l of lines) {
      const line = l.slice(2).replace(/^\+/, ""); // a request copy is checked without its '+' (§3)
      if (/damaged: fails its CRC/.test(line)) expect(() => decodeFrame(line.replace(/ {3}\(.*$/, ""))).toThrow(FrameError);
      else expect(() => decodeFrame(line), line).not.toThrow();
    }
  });
});

describe("sequence numbers", () => {
  it("wrap from FFFF to 0001, skipping the reserved 0000", () => {
    expect(nextSeq(0xfffe)).toBe(0xffff);
    expect(nextSeq(0xffff)).toBe(1);
    expect(nextSeq(0)).toBe(1);
  });
});

const field = fc.stringMatching(/^[!-)+-~]{1,12}$/); // printable, no space, no '*'
const frameArb = fc.record({ seq: fc.integer({ min: 0, max: 0xffff }), fields: fc.array(field, { minLength: 1, maxLength: 8 }) });

describe("frames", () => {
  it("decode(encode(x)) = x", () => {
    fc.assert(fc.property(frameArb, (f) => {
      expect(decodeFrame(encodeFrame(f))).toEqual(f);
    }), { seed: SEED, numRuns: 500 });
  });

  it("any single damaged byte in a line is detected", () => {
    fc.assert(
      fc.property(frameArb, fc.nat(), fc.integer({ min: 1, max: 255 }), (f, at, delta) => {
        const line = encodeFrame(f);
        const i = at % line.length;
        const damaged = line.slice(0, i) + String.fromCharCode((line.charCodeAt(i) + delta) & 0xff) + line.slice(i + 1);
        // The reader splits at '\n' (a byte damaged into '\n' splits the line): no piece may decode.
        for (const piece of damaged.split("\n")) expect(() => decodeFrame(piece)).toThrow(FrameError);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it("any single flipped bit in a line is detected", () => {
    fc.assert(
      fc.property(frameArb, fc.nat(), fc.integer({ min: 0, max: 7 }), (f, at, bit) => {
        const line = encodeFrame(f);
        const i = at % line.length;
        const damaged = line.slice(0, i) + String.fromCharCode(line.charCodeAt(i) ^ (1 << bit)) + line.slice(i + 1);
        for (const piece of damaged.split("\n")) expect(() => decodeFrame(piece)).toThrow(FrameError);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it("any burst of up to 4 adjacent damaged bytes (≤ 32 bits) is detected", () => {
    fc.assert(
      fc.property(frameArb, fc.nat(), fc.array(fc.integer({ min: 1, max: 255 }), { minLength: 1, maxLength: 4 }), (f, at, deltas) => {
        const line = encodeFrame(f);
        const i = at % Math.max(1, line.length - deltas.length + 1);
        let damaged = line;
        deltas.forEach((d, k) => {
          if (i + k < line.length) damaged = damaged.slice(0, i + k) + String.fromCharCode((damaged.charCodeAt(i + k) + d) & 0xff) + damaged.slice(i + k + 1);
        });
        for (const piece of damaged.split("\n")) expect(() => decodeFrame(piece)).toThrow(FrameError);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it("a damaged line still names its sequence number when the SEQ digits survived (for the NAK)", () => {
    const line = encodeFrame({ seq: 0x1a2b, fields: ["PING"] });
    const damaged = line.replace("PING", "PINH");
    try {
      decodeFrame(damaged);
      expect.unreachable();
    } catch (e) {
      expect((e as FrameError).reason).toBe("crc");
      expect((e as FrameError).seq).toBe(0x1a2b);
    }
  });
});

describe("values", () => {
  it("exact decimals round-trip every finite float64 bit for bit", () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      const text = formatDecimal(x);
      expect(text).toMatch(/^-?[0-9]{1,17}(e-?[0-9]{1,3})?$/);
      expect(Object.is(parseDecimal(text, "x"), x === 0 ? 0 : x)).toBe(true);
    }), { seed: SEED, numRuns: 5000 });
    expect(formatDecimal(0.2)).toBe("2e-1");
    expect(formatDecimal(1.25e-13)).toBe("125e-15");
    expect(formatDecimal(4095)).toBe("4095");
  });

  it("packed signed vectors round-trip at every width", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }).chain((w) => {
      const { min, max } = signedCodeRange(w);
      return fc.tuple(fc.constant(w), fc.array(fc.integer({ min: Math.max(min, Number.MIN_SAFE_INTEGER), max: Math.min(max, Number.MAX_SAFE_INTEGER) }), { maxLength: 64 }));
    }), ([w, codes]) => {
      expect(decodeSignedVector(encodeSignedVector(codes, w), w, "v")).toEqual(codes);
    }), { seed: SEED, numRuns: 500 });
    expect(encodeSignedVector([0x1a2, -25, 4, 16], 3)).toBe("26Y_d040G"); // PROTOCOL.md §8: two digits each
    expect(encodeSignedVector([0, 0, 0, -1, 31, -32], 3)).toBe("1$_VW"); // '$' = 3 zeros; one digit each
    expect(encodeSignedVector(new Array(64).fill(0), 3)).toBe("1}}["); // runs of 23, 23 and 18 zeros
    expect(encodeSignedVector([-2048, 2047], 3)).toBe("2W0V_");
    expect(encodeUnsignedVector([0, 3, 0, 1], 2)).toBe("1!3!1");
    expect(decodeUnsignedVector("1!3!1", 2, "v", 4)).toEqual([0, 3, 0, 1]);
  });

  it("packed vectors: the fewest digits that hold every element, and every malformed text refused", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -2048, max: 2047 }), { maxLength: 64 }), (codes) => {
      const text = encodeSignedVector(codes, 3);
      const digits = codes.every((c) => c >= -32 && c <= 31) ? 1 : 2;
      expect(text[0]).toBe(String(digits));
      expect(text.length).toBeLessThanOrEqual(1 + digits * codes.length);
    }), { seed: SEED, numRuns: 300 });
    for (const bad of ["", "0", "3000000", "2AB C", "2A", "2~~", "21}"]) expect(() => decodeSignedVector(bad, 3, "v", 2), bad).toThrow(ValueError);
    expect(() => decodeSignedVector("3___", 2, "v", 1)).toThrow(/digit count/); // 8-bit codes take at most 2 digits
    expect(() => decodeUnsignedVector("2G0", 2, "v", 1)).toThrow(/beyond 2 hex digits/); // 1024 > 255
  });

  it("measures travel exactly: decimal when short, else '~' and the float64's bits", () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
      const text = formatMeasure(x);
      expect(text.length).toBeLessThanOrEqual(12);
      expect(Object.is(parseMeasure(text, "E"), x === 0 ? 0 : x)).toBe(true);
    }), { seed: SEED, numRuns: 2000 });
    expect(formatMeasure(1e-7)).toBe("1e-7");
    expect(formatMeasure(123e-15)).toBe("123e-15");
    expect(formatMeasure(8924830257257479e-26)).toMatch(/^~[0-9A-Za-z_-]{11}$/);
    expect(parseMeasure("~3ueSppN1UGL", "E")).toBe(parseMeasure(formatMeasure(parseMeasure("~3ueSppN1UGL", "E")), "E"));
    for (const bad of ["~", "~3ueSppN1UG", "~G0000000000", "~3ueSppN1UG*", "1.5"]) expect(() => parseMeasure(bad, "E"), bad).toThrow(ValueError);
  });
});

const u = (max: number) => fc.integer({ min: 0, max });
const codes = (n: number) => fc.array(fc.integer({ min: -2048, max: 2047 }), { minLength: 1, maxLength: n });
const requestArb: fc.Arbitrary<Request> = fc.oneof(
  fc.constantFrom<Request>({ cmd: "ID" }, { cmd: "LIM" }, { cmd: "PING" }, { cmd: "ST" }, { cmd: "EN" }, { cmd: "RST" }),
  fc.record({ cmd: fc.constant("NEW" as const), nonce: fc.integer({ min: 0, max: 0xffffffff }) }),
  fc.record({ cmd: fc.constant("DUP" as const), copies: fc.constantFrom<1 | 2>(1, 2) }),
  fc.record({ cmd: fc.constant("RCELL" as const), row: u(4095), col: u(4095), volts: uV }),
  fc.record({ cmd: fc.constant("RROW" as const), row: u(4095), volts: uV }),
  fc.record({ cmd: fc.constantFrom("MVF" as const, "MVT" as const), vectors: fc.array(codes(64), { minLength: 1, maxLength: 8 }) }),
  fc.record({ cmd: fc.constant("PCELL" as const), row: u(4095), col: u(4095), volts: uV, seconds: ns, count: u(65535) }),
  fc.record({
    cmd: fc.constantFrom("PROW" as const, "PCOL" as const), line: u(4095), scheme: fc.constantFrom(2 as const, 3 as const),
    volts: uV, seconds: ns, counts: fc.array(u(65535), { minLength: 1, maxLength: 64 }),
  }),
);
const energyArb = fc.record({ cell: fc.double({ min: 0, max: 1, noNaN: true }), halfSelected: fc.double({ min: 0, max: 1, noNaN: true }), peripheral: fc.double({ min: 0, max: 1, noNaN: true }) });
const replyArb: fc.Arbitrary<Reply> = fc.oneof(
  fc.record({ kind: fc.constant("ok" as const), cmd: fc.constantFrom("MVF" as const, "PCELL" as const, "PING" as const), energy: energyArb, durationSeconds: fc.double({ min: 0, max: 10, noNaN: true }), payload: fc.array(field, { maxLength: 3 }) }),
  fc.record({ kind: fc.constant("err" as const), code: fc.constantFrom("LIMIT" as const, "ORDER" as const, "CRC" as const), text: fc.array(field, { maxLength: 4 }).map((a) => a.join(" ")) }),
  fc.record({ kind: fc.constant("boot" as const), nonce: fc.integer({ min: 0, max: 0xffffffff }) }),
);

describe("messages", () => {
  it("requests: parse(fields(x)) = x, through a whole line", () => {
    fc.assert(fc.property(requestArb, fc.integer({ min: 1, max: 0xffff }), (req, seq) => {
      const line = encodeFrame({ seq, fields: requestFields(req, widths) });
      expect(parseRequest(decodeFrame(line).fields, widths)).toEqual(req);
    }), { seed: SEED, numRuns: 1000 });
  });

  it("exact=1 devices get any float pulse width and amplitude back bit for bit", () => {
    fc.assert(fc.property(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: 1e-12, max: 1, noNaN: true }), (volts, seconds) => {
      const req: Request = { cmd: "PCELL", row: 1, col: 2, volts, seconds, count: 3 };
      const back = parseRequest(decodeFrame(encodeFrame({ seq: 9, fields: requestFields(req, exactWidths) })).fields, exactWidths);
      expect(back).toEqual({ ...req, volts: volts + 0 });
    }), { seed: SEED, numRuns: 2000 });
    // Without exact=1 the fields are whole units, as the firmware expects.
    expect(requestFields({ cmd: "PCELL", row: 1, col: 2, volts: 1.5, seconds: Math.sqrt(10e-9 * 1e-3), count: 3 }, widths)).toEqual(["PCELL", "1", "2", "1500000", "3162", "3"]);
  });

  it("replies: parse(fields(x)) = x, energies and durations exact", () => {
    fc.assert(fc.property(replyArb, (reply) => {
      const line = encodeFrame({ seq: 7, fields: replyFields(reply) });
      const back = parseReply(decodeFrame(line).fields);
      const norm = (r: Reply) => (r.kind === "ok" ? { ...r, energy: { cell: r.energy.cell + 0, halfSelected: r.energy.halfSelected + 0, peripheral: r.energy.peripheral + 0 }, durationSeconds: r.durationSeconds + 0 } : r);
      expect(back).toEqual(norm(reply));
    }), { seed: SEED, numRuns: 1000 });
  });

  it("a product line carries several vectors, and its answer one output vector each (LIM mvb)", () => {
    const req: Request = { cmd: "MVF", vectors: [[51, -51, 0, 0], [0, 0, 0, -1], [31, 0, -32, 0]] };
    const line = encodeFrame({ seq: 2, fields: requestFields(req, { vhex: 2, ahex: 3, chex: 2 }) });
    expect(line).toBe(`0002 MVF 20p_D# 1$_ 1V!W! *${line.slice(-8)}`);
    expect(parseRequest(decodeFrame(line).fields, { vhex: 2, ahex: 3, chex: 2 })).toEqual(req);
    // One vector is the single product of before (the same line); none is a syntax error.
    expect(encodeFrame({ seq: 2, fields: requestFields({ cmd: "MVF", vectors: [[51, -51, 0, 0]] }, { vhex: 2, ahex: 3, chex: 2 }) })).toBe("0002 MVF 20p_D# *8C1AB98F");
    expect(() => parseRequest(["MVT"], widths)).toThrow(RequestError);
    expect(() => parseRequest(["MVT", "20p_D#", "2Z"], widths)).toThrow(/codes\[1\]/);
    const reply = parseReply(decodeFrame(encodeFrame({ seq: 2, fields: ["OK", "MVF", "246e-15", "0", "4000e-15", "200e-9", "26Y_d040G", "1$_VW"] })).fields);
    expect(reply.kind === "ok" && reply.payload).toEqual(["26Y_d040G", "1$_VW"]);
  });

  it("LIM round-trips; the optional keys exact, rcopy and hold default to 0, dup and mvb to 1, when a device leaves them out", () => {
    const l: WireLimits = {
      vrmax: 0.5, vpmax: 2, vnmax: 2, wmin: 10e-9, wmax: 1e-3, cmax: 1000, icomp: 1e-3, dac: 8, adc: 12,
      vlsb: (2 * 0.5) / 255, vhex: 3, alsb: 4.8828125e-7, alsbf: 1.953125e-6, alsbt: 3.1e-6, ahex: 3, chex: 4, vread: 0.2,
      schemes: [2, 3], par: true, mvt: true, rrow: true, exact: true, hold: 63, dup: 2, rcopy: true, mvb: 16, mem: 64, maxin: 4095, rxbuf: 65536, quiet: 2, endur: 1e6,
    };
    expect(limitsPayload(l)).toContain("hold=63");
    expect(limitsPayload(l)).toContain("dup=2");
    expect(limitsPayload(l)).toContain("mvb=16");
    expect(limitsPayload(l)).toContain("rcopy=1");
    expect(parseLimitsPayload(limitsPayload(l))).toEqual(l);
    const plain = { ...l, exact: false, hold: 0, dup: 1, rcopy: false, mvb: 1 };
    expect(limitsPayload(plain).some((kv) => /^(exact|hold|dup|rcopy|mvb)=/.test(kv))).toBe(false);
    expect(parseLimitsPayload(limitsPayload(plain))).toEqual(plain);
  });
});
