// Lines that come twice (DUP 2): the host acts on the first intact copy of each pair, on a damaged copy only when
// both copies are damaged, and finds the pairs again after a line lost whole.
import { describe, expect, it } from "vitest";
import { CopyPairing, type ReceivedLine } from "../../drivers/serial-crossbar/copy-pairing.js";

const ok = (seq: number, text = `OK ${seq}`): ReceivedLine => ({ line: `${seq} ${text}`, intact: true, seq });
const bad = (seq: number | null, text = "damaged"): ReceivedLine => ({ line: `${seq ?? "?"} ${text}`, intact: false, seq });

function run(lines: ReceivedLine[]): string[] {
  const acted: string[] = [];
  const pairing = new CopyPairing((r) => acted.push(`${r.intact ? "ok" : "bad"}:${r.seq}`));
  for (const l of lines) pairing.accept(l);
  return acted;
}

describe("copy pairing", () => {
  it("acts once per pair: the intact copy, whichever it is", () => {
    expect(run([ok(1), ok(1), ok(2), bad(2), bad(3), ok(3), bad(null), ok(4)])).toEqual(["ok:1", "ok:2", "ok:3", "ok:4"]);
  });
  it("an intact copy is recognised before decoding, byte for byte", () => {
    const acted: string[] = [];
    const pairing = new CopyPairing((r) => acted.push(r.line));
    pairing.accept(ok(1));
    expect(pairing.takeCopy("1 OK 2")).toBe(false);
    expect(pairing.takeCopy("1 OK 1")).toBe(true);
    expect(pairing.takeCopy("1 OK 1")).toBe(false); // a pair has one copy
    pairing.accept(ok(2));
    expect(acted).toEqual(["1 OK 1", "2 OK 2"]);
  });
  it("both copies damaged: one damaged answer, so the host asks again once", () => {
    expect(run([bad(5), bad(5), ok(6), ok(6)])).toEqual(["bad:5", "ok:6"]);
  });
  it("a copy lost whole: the next line starts a new pair", () => {
    expect(run([ok(1), ok(2), ok(2), ok(3), ok(3)])).toEqual(["ok:1", "ok:2", "ok:3"]);
    // A damaged line whose partner was lost names another request than the intact line after it: both count.
    expect(run([bad(7), ok(8), ok(8)])).toEqual(["bad:7", "ok:8"]);
  });
  it("a damaged first copy with no partner in this turn is acted on when the turn ends", async () => {
    const acted: string[] = [];
    const pairing = new CopyPairing((r) => acted.push(`${r.intact ? "ok" : "bad"}:${r.seq}`));
    pairing.accept(bad(9));
    expect(acted).toEqual([]);
    await new Promise((r) => setImmediate(r));
    expect(acted).toEqual(["bad:9"]);
  });
});
