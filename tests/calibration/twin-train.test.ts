// The committed example calibration's digital twin is a device like any other: mhil train learns on it.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";
import { loadCalibration } from "../../calibration/file.js";
import { twinFromCalibration } from "../../calibration/twin.js";
import { SimulatedCrossbar } from "../../sim/crossbar/simulated-crossbar.js";
import { presetNamed } from "../../sim/devices/presets.js";

it("mhil train on twin:calibration/example-reram.json learns (well above chance) and accounts its energy", () => {
  const out = mkdtempSync(join(tmpdir(), "mhil-twin-train-"));
  const r = spawnSync(
    "node",
    ["bin/mhil.js", "train", "--device", "twin:calibration/example-reram.json?rows=64&cols=64&seed=1", "--samples", "300", "--test-samples", "200", "--epochs", "2", "--out", out, "--json"],
    { encoding: "utf8" },
  );
  expect(r.status, r.stderr).toBe(0);
  const s = JSON.parse(r.stdout) as { run_dir: string; accuracy: { train: number; test: number }; energy_joules: { total: number; by_activity: Record<string, number> } };
  // Ten classes: chance is 0.1.
  expect(s.accuracy.test).toBeGreaterThan(0.2);
  expect(s.energy_joules.total).toBeGreaterThan(0);
  expect(s.energy_joules.by_activity.program).toBeGreaterThan(0);
  const config = JSON.parse(readFileSync(join(s.run_dir, "config.json"), "utf8")) as { backend: { backend: string; model: string; serial: string } };
  const cal = loadCalibration("calibration/example-reram.json");
  expect(config.backend.backend).toBe("twin");
  expect(config.backend.model).toBe(`twin:${cal.device.model}`);
  expect(config.backend.serial).toBe(`twin-${cal.device.serial}`);
});

// Issue 19: a twin that reproduces its device. Calibrated on sim:P?seed=3, trained with the same config on the device
// and on its twin. E_learn is compared seed by seed (within 10 %). Test accuracy is compared as the mean over training
// seeds 1–3: one run's accuracy is chaotic in every device parameter (the twin with the preset's exact parameters
// trains to the device's bits, 0.807 = 0.807 on neurosim, but one parameter off by 0.01 % draws another run: 0.743
// to 0.798), so a twin differs from its device per seed like two runs do (measured sd 2.4 points on reram over 12
// seeds) and a 3-seed mean by ±1.4 points (one standard error). The bound is 3 points, two such errors: issue 19's
// 2 points is a mean over more seeds (docs/design.md). Every figure is seeded, so each comparison is exact run to run.
interface TrainSummary {
  run_dir: string;
  accuracy: { test: number };
  energy_joules: { learning: number };
}

function calibrateAndTrain(preset: string, seeds: number[], trainFlags: string[] = []) {
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

function expectTwinTrainsLikeDevice(runs: ReturnType<typeof calibrateAndTrain>["runs"]) {
  for (const { seed, device, twin } of runs) {
    expect(Math.abs(twin.energy_joules.learning / device.energy_joules.learning - 1), `E_learn, seed ${seed}`).toBeLessThanOrEqual(0.1);
  }
  const meanTest = (k: "device" | "twin") => runs.reduce((s, r) => s + r[k].accuracy.test, 0) / runs.length;
  expect(Math.abs(meanTest("twin") - meanTest("device"))).toBeLessThanOrEqual(0.03);
}

/** The RESET bursts training's characterisation needed to bring every used device to its floor (its refresh uses as many). */
const resetBursts = (run: TrainSummary, epoch = 10) =>
  (JSON.parse(readFileSync(join(run.run_dir, "checkpoints", `epoch-${epoch}.json`), "utf8")) as { session: { store: { resetBursts: number } } }).session.store.resetBursts;

// The twin-versus-device table of every preset is in docs/design.md (reram, measured: mean test accuracy over
// seeds 1–3 0.814 device vs 0.800 twin, E_learn −0.4, −0.2, −0.8 %); the suite trains one preset, prezioso below,
// and checks here what reram's calibration chooses (a calibration without trainings keeps the suite's time).
it("the calibration of sim:reram?seed=3 picks its family on held-out pulses, carries its periphery and its stuck cells", () => {
  const { file, fitted, train } = calibrateAndTrain("reram", [], ["--epochs", "1", "--samples", "100", "--test-samples", "100"]);
  // The family the device follows, chosen on held-out pulses, and the reason given.
  expect(fitted.params.model).toBe("expStep");
  expect(fitted.residuals.chosenBecause).toMatch(/^expStep: smallest held-out rms error/);
  // The periphery the twin carries: reram's 12-bit ADC (43 pJ a conversion) and its selector's K = 10.
  expect(fitted.peripherals!.adcJoulesPerConversion).toBeCloseTo(43.008e-12, 15);
  expect(fitted.array!.halfSelectNonlinearity).toBeCloseTo(10, 1);
  // The stuck cells are this array's, by address (the survey saw every cell): the device's 5 at the floor and 2 at
  // the top. Drawn from the fractions (5/4096, 2/4096) the twin had the count right but cell 2193 free, one of the
  // trained cells, whose noisy reads at the top set training's RESET bursts: the device took 8, the twin 7.
  const preset = presetNamed("reram");
  const device = new SimulatedCrossbar({ rows: 64, cols: 64, seed: 3, device: preset.device, peripherals: preset.peripherals, array: preset.array });
  const stuck = (states: Uint8Array) => [...states].flatMap((s, i) => (s === 0 ? [] : [`${i}:${s}`]));
  expect(stuck(device.population.state)).toEqual(["409:1", "1687:2", "1828:1", "1932:1", "1972:1", "2193:2", "3404:1"]);
  expect(fitted.stuckCells!.map((c) => `${c.row * 64 + c.col}:${c.bound === "min" ? 1 : 2}`)).toEqual(stuck(device.population.state));
  expect(stuck(twinFromCalibration(loadCalibration(file), file, { seed: 3 }).population.state)).toEqual(stuck(device.population.state));
  expect(resetBursts(train(`twin:${file}?seed=3`, 1), 1)).toBe(resetBursts(train("sim:reram?seed=3", 1), 1));
}, 300_000);

// prezioso's E_learn is mostly refresh: bursts of hard RESET pulses, as many as the slowest of the used devices
// needed to reach its floor. That is set by the far tail of the step spread and by the RESET pulse's strength
// (1.3 V, 10 ms, extrapolated from the calibration's 0.975 V, 1 ms by the amplitude exponent): from 16 cells the
// spread came out 0.318 and the exponent 1.87, the twin took 12 bursts to the device's 8 and spent 25 % more.
// Measured now: 8 bursts each; E_learn +4.8, −1.8, +0.1 %; mean test accuracy 0.714 vs 0.698.
// Issue 19's per-seed criterion (test accuracy within 2 points, E_learn within 10 %) holds where training converges:
// the single-layer 49-10 network on 6,000 digits, tested on 4,000 (measured Δ −0.5, +0.2, −1.2 points; on the
// default 49-16-10 a run's accuracy is a draw, ±1.7 points between seeds, and per seed the twin differs by up to 3.8).
it("the twin fitted to sim:prezioso?seed=3 has its population and RESET strength and trains like it", () => {
  const { file, fitted, runs, train } = calibrateAndTrain("prezioso", [1, 2, 3]);
  const p = fitted.params;
  // The preset's population (sim/devices/presets.ts): step spread 0.30, asymmetry 0.15, bounds spread 0.05, amplitude
  // exponent 2. Tolerances are a few standard errors of the survey of 4,096 cells (±0.8 % on the spread).
  expect(p.stepSpreadD2d).toBeGreaterThan(0.285);
  expect(p.stepSpreadD2d).toBeLessThan(0.315);
  expect(p.upDownAsymmetry).toBeGreaterThan(0.135);
  expect(p.upDownAsymmetry).toBeLessThan(0.165);
  expect(p.boundsSpreadD2d).toBeGreaterThan(0.045);
  expect(p.boundsSpreadD2d).toBeLessThan(0.055);
  expect(p.amplitudeExponent).toBeGreaterThan(1.9);
  expect(p.amplitudeExponent).toBeLessThan(2.1);
  expect(resetBursts(runs[0]!.twin)).toBe(resetBursts(runs[0]!.device));
  expectTwinTrainsLikeDevice(runs);
  const converged = ["--layers", "none", "--samples", "6000", "--test-samples", "4000"];
  for (const seed of [1, 2, 3]) {
    const device = train("sim:prezioso?seed=3", seed, converged);
    const twin = train(`twin:${file}?seed=3`, seed, converged);
    expect(Math.abs(twin.accuracy.test - device.accuracy.test), `test accuracy, seed ${seed}`).toBeLessThanOrEqual(0.02);
    expect(Math.abs(twin.energy_joules.learning / device.energy_joules.learning - 1), `E_learn, seed ${seed}`).toBeLessThanOrEqual(0.1);
  }
}, 600_000);
