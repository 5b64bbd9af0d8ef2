// The twin tests' rig: calibrate sim:P?seed=3 with the CLI, then train the same config on the device and on its twin.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { expect } from "vitest";
import { loadCalibration } from "../../calibration/file.js";

// Issue 19: a twin that reproduces its device. Calibrated on sim:P?seed=3, then `mhil train` with the same seed on the
// device and on its twin: test accuracy within 2 points and E_learn within 10 %, seed by seed. The default network
// (49-10) converges, so a run's accuracy is a property of the device, not a draw: between seeds the devices spread
// 0.1–0.6 points (docs/design.md). With a hidden layer (--layers 16) it is a draw, ±1.2–1.7 points, and a twin
// differs per seed like another run does. Every figure is seeded, so each comparison is exact run to run.
export interface TrainSummary {
  run_dir: string;
  accuracy: { test: number };
  energy_joules: { learning: number };
}

export function calibrateAndTrain(preset: string, seeds: number[], trainFlags: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), `mhil-twin-${preset}-`));
  const env = { ...process.env, MHIL_STATE_DIR: join(dir, "state") };
  const file = join(dir, `${preset}.json`);
  const cal = spawnSync("node", ["bin/mhil.js", "calibrate", "--device", `sim:${preset}?seed=3`, "--out", file, "--json"], { encoding: "utf8", env });
  expect(cal.status, cal.stderr).toBe(0);
  const train = (device: string, seed: number, flags = trainFlags) => {
    const r = spawnSync("node", ["bin/mhil.js", "train", "--device", device, "--seed", String(seed), "--out", join(dir, "runs"), "--json", ...flags], { encoding: "utf8", env });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as TrainSummary;
  };
  const runs = seeds.map((seed) => ({ seed, device: train(`sim:${preset}?seed=3`, seed), twin: train(`twin:${file}?seed=3`, seed) }));
  return { file, fitted: loadCalibration(file).fit!, runs, train };
}

export function expectTwinTrainsLikeDevice(runs: ReturnType<typeof calibrateAndTrain>["runs"]) {
  for (const { seed, device, twin } of runs) {
    expect(Math.abs(twin.accuracy.test - device.accuracy.test), `test accuracy, seed ${seed}`).toBeLessThanOrEqual(0.02);
    expect(Math.abs(twin.energy_joules.learning / device.energy_joules.learning - 1), `E_learn, seed ${seed}`).toBeLessThanOrEqual(0.1);
  }
}

/** The RESET bursts training's characterisation needed to bring every used device to its floor (its refresh uses as many). */
export const resetBursts = (run: TrainSummary, epoch = 10) =>
  (JSON.parse(readFileSync(join(run.run_dir, "checkpoints", `epoch-${epoch}.json`), "utf8")) as { session: { store: { resetBursts: number } } }).session.store.resetBursts;

