// The twin tests' rig: calibrate sim:P?seed=3 with the CLI, then train the same config on the device and on its twin.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { expect } from "vitest";
import { loadCalibration } from "../../calibration/file.js";

// Issue 19: a twin that reproduces its device. Calibrated on sim:P?seed=3, trained with the same config on the device
// and on its twin. E_learn is compared seed by seed (within 10 %). Test accuracy is compared as the mean over training
// seeds 1–3: one run's accuracy is chaotic in every device parameter (the twin with the preset's exact parameters
// trains to the device's bits, 0.807 = 0.807 on neurosim, but one parameter off by 0.01 % draws another run: 0.743
// to 0.798), so a twin differs from its device per seed like two runs do (measured sd 2.4 points on reram over 12
// seeds) and a 3-seed mean by ±1.4 points (one standard error). The bound is 3 points, two such errors: issue 19's
// 2 points is a mean over more seeds (docs/design.md). Every figure is seeded, so each comparison is exact run to run.
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
    expect(Math.abs(twin.energy_joules.learning / device.energy_joules.learning - 1), `E_learn, seed ${seed}`).toBeLessThanOrEqual(0.1);
  }
  const meanTest = (k: "device" | "twin") => runs.reduce((s, r) => s + r[k].accuracy.test, 0) / runs.length;
  expect(Math.abs(meanTest("twin") - meanTest("device"))).toBeLessThanOrEqual(0.03);
}

/** The RESET bursts training's characterisation needed to bring every used device to its floor (its refresh uses as many). */
export const resetBursts = (run: TrainSummary, epoch = 10) =>
  (JSON.parse(readFileSync(join(run.run_dir, "checkpoints", `epoch-${epoch}.json`), "utf8")) as { session: { store: { resetBursts: number } } }).session.store.resetBursts;

