// Calibration files are checked on open: bad data gets a clear error naming the file, and nothing is changed.
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { CalibrationFileError, loadCalibration } from "../../calibration/file.js";
import { openCrossbar } from "../../src/backends/open.js";

const EXAMPLE = "calibration/example-reram.json";
const mhil = (args: string[]) => spawnSync("node", ["bin/mhil.js", ...args], { encoding: "utf8" });

describe("calibration files", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "mhil-cal-"));
  });

  it("the committed example loads, has a fit, and its twin identifies as a twin of the calibrated device", async () => {
    const cal = loadCalibration(EXAMPLE);
    expect(cal.fit?.params.model).toBeDefined();
    const twin = await openCrossbar(`twin:${EXAMPLE}`);
    const id = await twin.identify();
    expect(id.backend).toBe("twin");
    expect(id.model).toBe(`twin:${cal.device.model}`);
    expect([id.rows, id.cols]).toEqual([cal.device.rows, cal.device.cols]);
    await twin.close();
  });

  it("a truncated file: names the file and says it may be truncated", () => {
    const f = join(dir, "truncated.json");
    const text = readFileSync(EXAMPLE, "utf8");
    writeFileSync(f, text.slice(0, Math.floor(text.length / 2)));
    expect(() => loadCalibration(f)).toThrow(CalibrationFileError);
    expect(() => loadCalibration(f)).toThrow(/truncated\.json: not valid JSON .*truncated/);
  });

  it("a wrong schema version: names the version found and the one supported", () => {
    const f = join(dir, "v99.json");
    const cal = JSON.parse(readFileSync(EXAMPLE, "utf8"));
    cal.version = 99;
    writeFileSync(f, JSON.stringify(cal));
    expect(() => loadCalibration(f)).toThrow(/v99\.json: schema version 99 is not supported \(this tool reads version 1\)/);
  });

  it("a bad field: names the key", () => {
    const f = join(dir, "badkey.json");
    const cal = JSON.parse(readFileSync(EXAMPLE, "utf8"));
    cal.fit.params.gMaxSiemens = "high";
    writeFileSync(f, JSON.stringify(cal));
    expect(() => loadCalibration(f)).toThrow(/badkey\.json: key "fit\.params\.gMaxSiemens"/);
  });

  it("a device that does not match the file: refused, and the file is unchanged", () => {
    const f = join(dir, "other.json");
    copyFileSync(EXAMPLE, f);
    const before = readFileSync(f, "utf8");
    const r = mhil(["calibrate", "--device", "sim:neurosim?rows=8&cols=8", "--procedure", "noise", "--out", f]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/other\.json: was measured on another device: model is "sim:reram" in the file but "sim:neurosim"/);
    expect(readFileSync(f, "utf8")).toBe(before);
  });

  it("mhil calibrate --procedure full then mhil calibrate fit: a file with data, fit and residuals; the twin runs", () => {
    const f = join(dir, "cli.json");
    const r = mhil(["calibrate", "--device", "sim:reram?rows=4&cols=4", "--cells", "8", "--pulses", "3000", "--pulses-per-read", "30", "--out", f]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/fit: expStep/);
    const cal = loadCalibration(f);
    expect(cal.procedures.pulse?.curves.length).toBe(8);
    expect(cal.procedures.noise?.repeats).toBe(32);
    expect(cal.procedures.iv?.curves[0]!.linearityR2).toBeGreaterThan(0.99);
    const refit = mhil(["calibrate", "fit", f, "--json"]);
    expect(refit.status, refit.stderr).toBe(0);
    const out = JSON.parse(refit.stdout);
    expect(out.params.gMaxSiemens).toBeCloseTo(cal.fit!.params.gMaxSiemens, 12);
    const info = mhil(["info", "--device", `twin:${f}`, "--json"]);
    expect(info.status, info.stderr).toBe(0);
  });
});
