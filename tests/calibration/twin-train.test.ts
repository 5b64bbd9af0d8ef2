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
