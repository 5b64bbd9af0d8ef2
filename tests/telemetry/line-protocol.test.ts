// Line protocol: escaping known answers, typed fields, refusals, and a parse(format(p)) round trip over arbitrary points.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatLine, integer, IntegerField, LineProtocolError, parseLine, type FieldValue, type Point } from "../../src/telemetry/lineProtocol.js";
import { MonotonicMicrosClock } from "../../src/telemetry/clock.js";

describe("formatLine", () => {
  it("escapes measurement, tag and field keys and string values as the InfluxDB 1.x spec says", () => {
    const line = formatLine(
      { measurement: "my meas,x", tags: { "tag key": "a=b,c d", run: "r1" }, fields: { "f=1": 1.5, n: integer(-3), s: 'q"uo\\te', ok: true, no: false } },
      1700000000000001,
    );
    expect(line).toBe('my\\ meas\\,x,run=r1,tag\\ key=a\\=b\\,c\\ d f\\=1=1.5,n=-3i,s="q\\"uo\\\\te",ok=true,no=false 1700000000000001');
  });

  it("sorts tags by key and keeps floats without a suffix (1 is the float 1, 1i the integer)", () => {
    expect(formatLine({ measurement: "m", tags: { z: "1", a: "2" }, fields: { v: 1, w: 1e-21, x: integer(1) } }, 5)).toBe("m,a=2,z=1 v=1,w=1e-21,x=1i 5");
  });

  it("refuses what cannot be one valid line, naming the measurement and the field or tag", () => {
    const bad: Array<[Point, RegExp]> = [
      [{ measurement: "m", tags: {}, fields: {} }, /measurement m: a point needs at least one field/],
      [{ measurement: "m", tags: {}, fields: { v: Number.NaN } }, /field v is NaN/],
      [{ measurement: "m", tags: {}, fields: { v: Infinity } }, /field v is Infinity/],
      [{ measurement: "m", tags: {}, fields: { v: integer(1.5) } }, /integer field v is 1.5/],
      [{ measurement: "m", tags: { run: "" }, fields: { v: 1 } }, /tag run is empty/],
      [{ measurement: "m", tags: { run: "a\nb" }, fields: { v: 1 } }, /tag run contains a newline/],
      [{ measurement: "m", tags: {}, fields: { s: "two\nlines" } }, /string field s contains a newline/],
      [{ measurement: "#m", tags: {}, fields: { v: 1 } }, /starts with "#"/],
      [{ measurement: "m", tags: {}, fields: { _v: 1 } }, /field key "_v" starts with "_"/],
      [{ measurement: "m\\x", tags: {}, fields: { v: 1 } }, /backslash/],
    ];
    for (const [p, re] of bad) expect(() => formatLine(p, 1), JSON.stringify(p)).toThrow(re);
    expect(() => formatLine({ measurement: "m", tags: {}, fields: { v: 1 } }, -1)).toThrow(LineProtocolError);
  });
});

describe("parseLine", () => {
  it("reads typed fields back: integers as IntegerField, strings unescaped, booleans", () => {
    const p = parseLine('a\\ b,t\\=k=v\\,w f=2.5,i=7i,s="x\\"y\\\\",b=false 123');
    expect(p).toEqual({ measurement: "a b", tags: { "t=k": "v,w" }, fields: { f: 2.5, i: new IntegerField(7), s: 'x"y\\', b: false }, timestamp: "123" });
  });

  it("names the line of a malformed input", () => {
    expect(() => parseLine("m v= 1", 12)).toThrow(/line 12/);
    expect(() => parseLine("m", 3)).toThrow(/line 3: no field set/);
  });

  it("round-trips arbitrary points exactly (fast-check)", () => {
    const name = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/[\r\n\\]/.test(s) && !s.startsWith("_") && !s.startsWith("#"));
    const tagValue = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/[\r\n\\]/.test(s));
    const field: fc.Arbitrary<FieldValue> = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
      fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }).map((n) => integer(n)),
      fc.string({ maxLength: 16 }).filter((s) => !/[\r\n]/.test(s)),
      fc.boolean(),
    );
    fc.assert(
      fc.property(name, fc.dictionary(name, tagValue, { maxKeys: 4 }), fc.dictionary(name, field, { minKeys: 1, maxKeys: 5 }), fc.nat(), (m, tags, fields, ts) => {
        const line = formatLine({ measurement: m, tags, fields }, ts);
        const back = parseLine(line);
        expect(back.measurement).toBe(m);
        expect(back.tags).toEqual(tags);
        expect(back.fields).toEqual(fields);
        expect(back.timestamp).toBe(String(ts));
      }),
      { numRuns: 500 },
    );
  });
});

describe("MonotonicMicrosClock", () => {
  it("never repeats or goes back, even when the wall clock stands still or jumps back", () => {
    const wall = [1000, 1000, 1000, 900, 2000, 1999];
    let i = 0;
    const c = new MonotonicMicrosClock(0, () => wall[i++]!);
    expect(wall.map(() => c.next())).toEqual([1000, 1001, 1002, 1003, 2000, 2001]);
  });

  it("continues above the journal's last timestamp on reopen", () => {
    const c = new MonotonicMicrosClock(5000, () => 10);
    expect([c.next(), c.next()]).toEqual([5001, 5002]);
  });
});
