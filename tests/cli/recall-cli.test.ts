// `mhil recall` through the compiled CLI: the known answers as JSON, and bad flags refused with one
// line naming the flag and exit code 2.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const BIN = resolve("bin/mhil.js");
const work = mkdtempSync(join(tmpdir(), "mhil-recall-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const mhil = (args: string[]) => spawnSync(process.execPath, [BIN, "recall", ...args], { cwd: work, encoding: "utf8", timeout: 300_000 });
const KNOWN = ["--weights", "ideal", "--units", "200", "--corrupt", "0.1", "--rule", "hebbian", "--seed", "1", "--json"];

describe("mhil recall", () => {
  it("ideal, N = 200, Hebbian, 10% corrupted: overlap ≥ 0.97 at P = 10 and < 0.5 at P = 50, with bits, energy and J/bit", () => {
    const r10 = mhil([...KNOWN, "--patterns", "10"]);
    expect(r10.status, r10.stderr).toBe(0);
    const a = JSON.parse(r10.stdout);
    expect(a.overlap).toBeGreaterThanOrEqual(0.97);
    expect(a.bits_stored.estimate).toBeLessThanOrEqual(2000);
    expect(a.bits_stored.lower).toBeLessThanOrEqual(a.bits_stored.estimate);
    expect(a.bits_stored.upper).toBeGreaterThanOrEqual(a.bits_stored.estimate);
    expect(a.bits_stored.lower).toBeGreaterThan(1900);
    // Ideal weights live on the host: no device joules, so none per bit.
    expect(a.energy_joules.learning).toBe(0);
    expect(a.joules_per_bit.estimate).toBe(0);
    const r50 = mhil([...KNOWN, "--patterns", "50"]);
    expect(r50.status, r50.stderr).toBe(0);
    const b = JSON.parse(r50.stdout);
    expect(b.overlap).toBeLessThan(0.5);
    expect(b.overlaps.fraction_below_half).toBeGreaterThan(0.5);
    expect(b.bit_error_rate.value).toBeGreaterThan(0.2);
    expect(b.bits_stored.weights_lower).toBe(0);
  });

  it.each([
    [["--patterns", "0"], /--patterns 0: must be an integer ≥ 1/],
    [["--units", "abc"], /--units abc: must be an integer ≥ 2/],
    [["--corrupt", "0.7"], /--corrupt 0.7: must be a fraction 0 ≤ f < 0.5/],
    [["--gain", "-1"], /--gain -1: must be a number > 0/],
    [["--rule", "oja"], /--rule.*oja.*(hebbian|choices)/],
    [["--weights", "ideal", "--device", "sim:"], /--device sim:: ideal weights use no device/],
    [["--weights", "crossbar", "--device", "sim:?rows=8&cols=8"], /does not fit on a 8×8 crossbar/],
  ])("refuses %j with one line and exit 2", (args, message) => {
    const r = mhil(args as string[]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack without --debug
  });
});
