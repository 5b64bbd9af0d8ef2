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

  it("0.25% of bytes damaged (the noisy-link benchmark's rate), copies on: 2 vectors, not 1 and not 16", () => {
    // 350 damaged of 1000 answers of 140 bytes: p = 350 / 140,000 = 0.0025. Expected bytes per vector answered,
    // (request + 2 replies) / (k (1 − q(request) − q(reply)²)): k=1 394, k=2 342, k=3 368.
    const w = watched(1000, 140, 350);
    expect(w.byteDamage).toBeCloseTo(0.0025, 10);
    expect(w.vectorsPerLine(16, twin64, 2)).toBe(2);
  });

  it("1 vector per line once most lines arrive damaged, and never more than the device takes", () => {
    expect(watched(1000, 140, 1000).vectorsPerLine(16, twin64, 2)).toBe(1);
    expect(watched(1000, 140, 0).vectorsPerLine(3, twin64, 1)).toBe(3);
  });
});
