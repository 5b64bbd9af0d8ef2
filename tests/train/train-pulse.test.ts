// `mhil train --pulse minimum-energy` (issue 16): the pulse-energy trade-off is measured on the device first,
// booked as characterisation overhead, and the updates go out with the shape of least joules per siemens; the
// checkpoint keeps the shape so a resume writes with the same pulse without measuring again.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const BIN = resolve("bin/mhil.js");
const work = mkdtempSync(join(tmpdir(), "mhil-train-pulse-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const env = { ...process.env, MHIL_STATE_DIR: join(work, "state") };

interface Summary {
  run_dir: string;
  energy_joules: { learning: number; overhead: number };
  pulses: number;
  update_pulse?: { volts: number; width_seconds: number; joules_per_siemens: number | null; shapes_measured: number | null };
}

function train(pulse: string): Summary {
  const r = spawnSync(process.execPath, [BIN, "train", "--pulse", pulse, "--epochs", "2", "--samples", "200", "--test-samples", "100", "--seed", "5", "--json", "--out", join(work, pulse)], { env, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Summary;
}

describe("mhil train --pulse", () => {
  it("minimum-energy: measured shape within the device's limits, its cost in the overhead, kept in every checkpoint", () => {
    const plain = train("default");
    const least = train("minimum-energy");
    expect(plain.update_pulse).toBeUndefined();
    const p = least.update_pulse!;
    // ReRAM preset limits: SET ≤ 1.6 V, widths 10 ns … 10 µs; the grid tries 6 amplitudes × 5 widths.
    expect(p.volts).toBeGreaterThanOrEqual(0.8);
    expect(p.volts).toBeLessThanOrEqual(1.6);
    expect(p.width_seconds).toBeGreaterThanOrEqual(1e-8);
    expect(p.width_seconds).toBeLessThanOrEqual(1e-5);
    expect(p.shapes_measured).toBe(30);
    expect(p.joules_per_siemens).toBeGreaterThan(0);
    // The measurement pulses the array: characterisation overhead grows, the learning ledger does not carry it.
    expect(least.energy_joules.overhead).toBeGreaterThan(plain.energy_joules.overhead);
    expect(least.pulses).not.toBe(plain.pulses);
    const cps = join(least.run_dir, "checkpoints");
    for (const f of readdirSync(cps)) {
      const cp = JSON.parse(readFileSync(join(cps, f), "utf8")) as { session: { pulse?: { volts: number; widthSeconds: number } } };
      expect(cp.session.pulse).toEqual({ volts: p.volts, widthSeconds: p.width_seconds });
    }
  });

  it("a bad choice is refused in one line, exit 2", () => {
    const r = spawnSync(process.execPath, [BIN, "train", "--pulse", "gentle"], { env, encoding: "utf8" });
    expect(r.status).toBe(2);
    // Commander's line, and its hint to --help, as for every flag with choices.
    expect(r.stderr.trim().split("\n")).toEqual(["error: option '--pulse <choice>' argument 'gentle' is invalid. Allowed choices are default, minimum-energy.", "(add --help for usage)"]);
  });
});
