// The committed example calibration's digital twin is a device like any other: mhil train learns on it.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";
import { loadCalibration } from "../../calibration/file.js";

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

// Issue 19: a twin that reproduces its device. Calibrated on sim:reram?seed=3, trained with the same seed and config
// on the device and on its twin: test accuracy within 2 points and E_learn within 10 %. Every figure is seeded, so
// the comparison is exact run to run (measured: 0.822 vs 0.820, E_learn 7.27e-3 vs 6.89e-3 J).
it("the twin fitted to sim:reram?seed=3 trains like it: test accuracy within 2 points, E_learn within 10 %", () => {
  const dir = mkdtempSync(join(tmpdir(), "mhil-twin-match-"));
  const env = { ...process.env, MHIL_STATE_DIR: join(dir, "state") };
  const file = join(dir, "reram.json");
  const cal = spawnSync("node", ["bin/mhil.js", "calibrate", "--device", "sim:reram?seed=3", "--out", file, "--json"], { encoding: "utf8", env });
  expect(cal.status, cal.stderr).toBe(0);
  const fitted = loadCalibration(file).fit!;
  // The family the device follows, chosen on held-out pulses, and the reason given.
  expect(fitted.params.model).toBe("expStep");
  expect(fitted.residuals.chosenBecause).toMatch(/^expStep: smallest held-out rms error/);
  // The periphery the twin carries: reram's 12-bit ADC (43 pJ a conversion) and its selector's K = 10.
  expect(fitted.peripherals!.adcJoulesPerConversion).toBeCloseTo(43.008e-12, 15);
  expect(fitted.array!.halfSelectNonlinearity).toBeCloseTo(10, 1);
  const train = (device: string) => {
    const r = spawnSync("node", ["bin/mhil.js", "train", "--device", device, "--out", join(dir, "runs"), "--json"], { encoding: "utf8", env });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { accuracy: { test: number }; energy_joules: { learning: number } };
  };
  const device = train("sim:reram?seed=3");
  const twin = train(`twin:${file}?seed=3`);
  expect(Math.abs(twin.accuracy.test - device.accuracy.test)).toBeLessThanOrEqual(0.02);
  expect(Math.abs(twin.energy_joules.learning / device.energy_joules.learning - 1)).toBeLessThanOrEqual(0.1);
}, 300_000); // a calibration and two default trainings: about a minute with the other core busy
