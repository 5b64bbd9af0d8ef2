// `mhil train --draws K` through the compiled CLI: K memorized draws of random labels pooled into one
// bracket. 64 labels over 4 classes hold at most 128 bits; three memorized draws (0 errors in 192
// predictions) put the Fano lower confidence limit above 90% of it, which one draw cannot.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const BIN = resolve("bin/mhil.js");
const work = mkdtempSync(join(tmpdir(), "mhil-draws-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const mhil = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 300_000 });
const TASK = ["train", "--weights", "ideal", "--labels", "random", "--classes", "4", "--samples", "64", "--json"];

describe("mhil train --draws", () => {
  it("three memorized draws: the lower end is ≥ 0.9·128 bits and the bracket holds 128", () => {
    const out = join(work, "three");
    const r = mhil([...TASK, "--draws", "3", "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.draws).toHaveLength(3);
    expect(s.draws.map((d: { seed: number }) => d.seed)).toEqual([1, 2, 3]);
    for (const d of s.draws) expect(d.train_errors).toEqual({ errors: 0, trials: 64 });
    expect(s.bits_learned.lower.bound).toBe("fano");
    expect(s.bits_learned.lower.bits).toBeGreaterThanOrEqual(0.9 * 128);
    expect(s.bits_learned.lower.bits).toBeLessThanOrEqual(128);
    expect(s.bits_learned.upper.bits).toBeGreaterThanOrEqual(128);
    // The pooled summary is on disk beside the draws' own run directories.
    expect(JSON.parse(readFileSync(join(s.run_dir, "summary.json"), "utf8")).bits_learned.lower.bits).toBe(s.bits_learned.lower.bits);
    for (let k = 1; k <= 3; k++) expect(existsSync(join(s.run_dir, `draw-${k}`, "summary.json"))).toBe(true);
  }, 300_000);

  it("one memorized draw alone stays below 0.9·128: pooling is what closes the bracket", () => {
    const r = mhil([...TASK, "--draws", "1", "--out", join(work, "one")]);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.bits_learned.lower.bits).toBeGreaterThan(0);
    expect(s.bits_learned.lower.bits).toBeLessThan(0.9 * 128);
  }, 300_000);

  it("--draws 0 is refused in one line with exit 2", () => {
    const r = mhil([...TASK, "--draws", "0", "--out", join(work, "zero")]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe("mhil: --draws 0: must be an integer ≥ 1");
    expect(existsSync(join(work, "zero"))).toBe(false);
  });
});
