// The seeded byte fault model (emulators/link/lane.ts) draws the gap to each next fault instead of a draw per byte: the
// counts must still be those of independent per-byte faults (drop p_d; corrupt p_c and duplicate p_dup of the bytes
// not dropped), the same seed must give the same bytes, and a fault-free lane must pass bytes through untouched.
import { describe, expect, it } from "vitest";
import { Lane } from "../../emulators/link/lane.js";

const FAULTS = { dropProbability: 0.01, corruptProbability: 0.01, duplicateProbability: 0.005 };

function run(seed: string, chunks: number, size: number) {
  const out: Buffer[] = [];
  const lane = new Lane((d) => out.push(Buffer.from(d)), FAULTS, null, seed);
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = 32 + (i % 90);
  for (let k = 0; k < chunks; k++) lane.write(data);
  return { stats: lane.stats, bytes: Buffer.concat(out), sent: data };
}

describe("seeded byte fault lane", () => {
  it("fault counts match independent per-byte faults within 5 standard deviations (10 MB)", () => {
    const { stats } = run("rates", 10_000, 1000);
    const n = 10_000_000;
    const kept = n * (1 - FAULTS.dropProbability);
    const within = (count: number, trials: number, p: number) => expect(Math.abs(count - trials * p)).toBeLessThan(5 * Math.sqrt(trials * p * (1 - p)));
    within(stats.dropped, n, FAULTS.dropProbability);
    within(stats.corrupted, kept, FAULTS.corruptProbability);
    within(stats.duplicated, kept, FAULTS.duplicateProbability);
    expect(stats.bytesOut).toBe(n - stats.dropped + stats.duplicated);
  });

  it("the same seed gives the same bytes; another seed other bytes", () => {
    const a = run("s1", 50, 500).bytes;
    expect(run("s1", 50, 500).bytes.equals(a)).toBe(true);
    expect(run("s2", 50, 500).bytes.equals(a)).toBe(false);
  });

  it("a corrupted byte is always another value; without faults the bytes pass unchanged", () => {
    let got: Buffer | null = null;
    const every = new Lane((d) => (got = Buffer.from(d)), { corruptProbability: 1 }, null, "all");
    const data = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    every.write(data);
    expect(got!.length).toBe(256);
    for (let i = 0; i < 256; i++) expect(got![i]).not.toBe(data[i]);
    let clean: Buffer | null = null;
    new Lane((d) => (clean = d), {}, null, "none").write(data);
    expect(clean!.equals(data)).toBe(true);
  });
});
