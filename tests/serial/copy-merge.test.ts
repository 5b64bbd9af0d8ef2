// Two damaged copies of one line (DUP 2) rebuilt into the line they were sent as (protocol/serial-line/copy-merge.ts):
// known cases, never a wrong line on the suite's seeded byte-fault lane, the share rebuilt against the model the
// host sizes product lines by (damage-watch.ts pairLost), and a pair acted on once as its rebuilt line.
import { describe, expect, it } from "vitest";
import { Lane } from "../../emulators/link/lane.js";
import { mergeDamagedCopies } from "../../protocol/serial-line/copy-merge.js";
import { encodeFrame, readFrame } from "../../protocol/serial-line/frame.js";
import { Rng } from "../../src/random/rng.js";
import { pairLost } from "../../drivers/serial-crossbar/damage-watch.js";
import { CopyPairing, type ReceivedLine } from "../../drivers/serial-crossbar/copy-pairing.js";

/** Whether a line is an intact frame (its CRC and framing hold). */
const holds = (line: string) => !("reason" in readFrame(line));
/** The line itself when it holds (mergeDamagedCopies' decode), else null. */
const intact = (line: string) => (holds(line) ? line : null);

/** An MVF-like answer of `digits` hex digits. */
function replyLine(rng: Rng, seq: number, digits: number): string {
  let v = "";
  for (let i = 0; i < digits; i++) v += "0123456789ABCDEF"[rng.int(16)];
  return encodeFrame({ seq, fields: ["OK", "MVF", "1", v] });
}

describe("merging two damaged copies", () => {
  const line = encodeFrame({ seq: 0x1a2b, fields: ["OK", "MVF", "1", "0FF3A27B10C4D5E6"] });

  it("takes each stretch from the copy that kept it: a byte replaced in one, lost or doubled in the other", () => {
    const replaced = line.slice(0, 12) + "#" + line.slice(13);
    const lost = line.slice(0, 20) + line.slice(21);
    const doubled = line.slice(0, 25) + line[25] + line.slice(25);
    expect(holds(replaced) || holds(lost) || holds(doubled)).toBe(false);
    expect(mergeDamagedCopies(replaced, lost, intact)).toBe(line);
    expect(mergeDamagedCopies(lost, replaced, intact)).toBe(line);
    expect(mergeDamagedCopies(doubled, replaced, intact)).toBe(line);
  });

  it("refuses when both copies were hit at one place, when more than one line would hold, or copies too unlike", () => {
    const a = line.slice(0, 12) + "#" + line.slice(13);
    const b = line.slice(0, 12) + "%" + line.slice(13);
    expect(mergeDamagedCopies(a, b, intact)).toBeNull();
    const c = line.slice(0, 20) + "!" + line.slice(21);
    expect(mergeDamagedCopies(a, c, (l) => l)).toBeNull(); // four candidates, several "hold": cannot tell
    expect(mergeDamagedCopies(a, line.slice(0, 20), intact)).toBeNull();
  });

  it("on the seeded fault lane (0.1% / 0.1% / 0.05%) never gives a wrong line and rebuilds as the model says", () => {
    const p = 0.001 + 0.001 + 0.0005;
    const faults = { corruptProbability: 0.001, dropProbability: 0.001, duplicateProbability: 0.0005 };
    for (const digits of [192, 384]) {
      const rng = new Rng(`merge-${digits}`);
      const received: string[] = [];
      const lane = new Lane((d) => received.push(...d.toString("latin1").split("\n\n").filter((l) => l.length > 0)), faults, null, `lane-${digits}`);
      let pairs = 0;
      let bothDamaged = 0;
      let rebuilt = 0;
      let bytes = 0;
      for (let seq = 1; seq <= 4000; seq++) {
        const sent = replyLine(rng, seq, digits);
        bytes = sent.length + 2;
        received.length = 0;
        lane.write(Buffer.from(`${sent}\n\n`, "latin1"));
        lane.write(Buffer.from(`${sent}\n\n`, "latin1"));
        if (received.length !== 2) continue; // a line break hit: not a pair
        pairs++;
        const [a, b] = received as [string, string];
        if (holds(a) || holds(b)) continue;
        bothDamaged++;
        const merged = mergeDamagedCopies(a, b, intact);
        if (merged !== null) {
          expect(merged).toBe(sent);
          rebuilt++;
        }
      }
      expect(bothDamaged).toBeGreaterThan(digits === 192 ? 100 : 400);
      expect(rebuilt / bothDamaged).toBeGreaterThan(0.9);
      // The share of pairs left to ask again: within a factor 2 of what vectorsPerLine assumes.
      const lost = (bothDamaged - rebuilt) / pairs;
      const model = pairLost(p, bytes);
      expect(lost).toBeGreaterThan(model / 2);
      expect(lost).toBeLessThan(model * 2);
    }
  });

  it("a pair whose copies are both damaged is acted on once, as the line they rebuild", () => {
    const acted: ReceivedLine[] = [];
    const damaged = (l: string): ReceivedLine => ({ line: l, intact: false, seq: 0x1a2b });
    const pairing = new CopyPairing(
      (r) => acted.push(r),
      (a, b) => {
        const m = mergeDamagedCopies(a.line, b.line, intact);
        return m === null ? null : { line: m, intact: true, seq: 0x1a2b };
      },
    );
    pairing.accept(damaged(line.slice(0, 12) + "#" + line.slice(13)));
    pairing.accept(damaged(line.slice(0, 20) + line.slice(21)));
    expect(acted).toEqual([{ line, intact: true, seq: 0x1a2b }]);
  });
});
