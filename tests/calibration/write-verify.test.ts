// Write-verify (src/train/write-verify.ts, the one the crossbar store runs) on the ReRAM preset: converge
// cells to targets within a tolerance, and account for it.
import { describe, expect, it } from "vitest";
import { SimulatedCrossbar } from "../../sim/crossbar/simulated-crossbar.js";
import { PRESETS } from "../../sim/devices/presets.js";
import { programToTargets, type ConductanceTarget } from "../../src/train/write-verify.js";
import { Rng } from "../../src/random/rng.js";

describe("write-verify (ConvergeToState) on the ReRAM preset", () => {
  it("reaches the tolerance on ≥ 95 % of targets and reports the pulses and joules it spent", async () => {
    const preset = PRESETS.reram!;
    const xbar = new SimulatedCrossbar({ rows: 16, cols: 16, seed: 5, device: preset.device, peripherals: preset.peripherals });
    const { gMinSiemens: lo, gMaxSiemens: hi } = preset.device;
    const rng = new Rng(9);
    const targets: ConductanceTarget[] = [];
    for (let r = 0; r < 16; r++) for (let c = 0; c < 16; c++) targets.push({ row: r, col: c, siemens: lo + (0.1 + 0.8 * rng.uniform()) * (hi - lo) });
    const tolerance = 0.02 * (hi - lo);
    const seen = { program: 0, verifyRead: 0 };
    const result = await programToTargets(xbar, targets, { toleranceSiemens: tolerance, readsPerVerify: 4 }, (activity, m) => {
      seen[activity] += m.energy.cell + m.energy.halfSelected + m.energy.peripheral;
    });
    // Judged on the device's true conductances, not on the procedure's own noisy reads.
    const truth = xbar.trueConductances();
    const within = targets.filter((t) => Math.abs(truth[t.row * 16 + t.col]! - t.siemens) <= tolerance).length;
    expect(within / targets.length).toBeGreaterThanOrEqual(0.95);
    expect(result.converged / targets.length).toBeGreaterThanOrEqual(0.95);
    expect(result.pulses).toBeGreaterThan(targets.length);
    expect(result.programJoules).toBeGreaterThan(0);
    expect(result.verifyJoules).toBeGreaterThan(0);
    // What it reports is exactly what the backend measured.
    expect(result.programJoules).toBeCloseTo(seen.program, 25);
    expect(result.verifyJoules).toBeCloseTo(seen.verifyRead, 25);
    expect(result.joules).toBeCloseTo(result.programJoules + result.verifyJoules, 25);
  });

  it("a target beyond what the device can reach is reported as not converged, not hidden", async () => {
    const preset = PRESETS.reram!;
    const xbar = new SimulatedCrossbar({ rows: 4, cols: 4, seed: 1, device: { ...preset.device, boundsSpreadD2d: 0 }, peripherals: preset.peripherals });
    const r = await programToTargets(xbar, [{ row: 0, col: 0, siemens: 3 * preset.device.gMaxSiemens }], { toleranceSiemens: 1e-6, maxRounds: 30 });
    expect(r.converged).toBe(0);
    expect(r.cells[0]!.converged).toBe(false);
  });
});
