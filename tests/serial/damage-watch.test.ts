// How many vectors a product line carries at the damage the host has seen (damage-watch.ts): every vector the device
// takes on a clean link; on a damaged one the count that puts the fewest bytes on the link per vector answered.
// Known answers for the 64×64 twin's forward product (request ~20 + 21 bytes per vector, reply ~74 + 66).
import { describe, expect, it } from "vitest";
import { DamageWatch } from "../../drivers/serial-crossbar/damage-watch.js";

const twin64 = (k: number) => ({ request: 20 + 21 * k, reply: 74 + 66 * k });

/** A watch that has seen `lines` answers of `bytes` bytes each (with its line end), `damaged` of them damaged. */
function watched(lines: number, bytes: number, damaged: number): DamageWatch {
  const w = new DamageWatch();
  const line = "x".repeat(bytes - 1);
  for (let i = 0; i < lines; i++) w.observe(line, i >= damaged);
  return w;
}

describe("product vectors per line", () => {
  it("a link without damage: as many as the device takes", () => {
    expect(watched(1000, 140, 0).vectorsPerLine(16, twin64, 1)).toBe(16);
    // Fewer than 8 damaged answers are not yet taken for a noisy link.
    expect(watched(1000, 140, 7).vectorsPerLine(16, twin64, 1)).toBe(16);
  });

  it("0.25% of bytes damaged (the noisy-link benchmark's rate): 4 vectors with copies merged, 2 without copies", () => {
    // 350 damaged of 1000 answers of 140 bytes: p = 350 / 140,000 = 0.0025. Expected bytes per vector answered,
    // (request + copies × reply) / (k (1 − q(request)) (1 − q(reply's copies))). Two copies are lost only when the
    // merge cannot rebuild them (pairLost): k=3 260, k=4 257, k=5 261. One copy, q(reply): k=1 285, k=2 262, k=3 288.
    const w = watched(1000, 140, 350);
    expect(w.byteDamage).toBeCloseTo(0.0025, 10);
    expect(w.vectorsPerLine(16, twin64, 2)).toBe(4);
    expect(w.vectorsPerLine(16, twin64, 1)).toBe(2);
  });

  it("fewer vectors per line as the damage grows, and never more than the device takes", () => {
    expect(watched(1000, 140, 1000).vectorsPerLine(16, twin64, 2)).toBe(2); // p = 1/140
    expect(watched(1000, 50, 1000).vectorsPerLine(16, twin64, 2)).toBe(1); // p = 1/50
    expect(watched(1000, 140, 1000).vectorsPerLine(16, twin64, 1)).toBe(1);
    expect(watched(1000, 140, 0).vectorsPerLine(3, twin64, 1)).toBe(3);
  });
});
