// `mhil calibrate` on the paths a new user takes (issue 19): an output folder that does not exist yet, one that
// cannot be written, pulses beyond the device's limits, and measurements that cannot be fitted. Every refusal
// comes before the first read or pulse; no measurement is lost. Through the compiled CLI.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CalibrationPlanError, DEFAULT_PLAN, runCalibration } from "../../calibration/run.js";
import { CrossbarDecorator } from "../../src/hal/crossbar-decorator.js";
import type { MvmRequest, Pulse } from "../../src/hal/crossbar.js";
import { openCrossbar } from "../../src/backends/open.js";

const BIN = resolve("bin/mhil.js");
const work = mkdtempSync(join(tmpdir(), "mhil-cal-new-user-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const mhil = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: "utf8", timeout: 120_000, env: { ...process.env, MHIL_STATE_DIR: join(work, "state") } });
const SMALL = ["--device", "sim:reram?rows=16&cols=16&seed=3", "--cells", "4", "--pulses", "200"];

/** Counts every call that reaches the device besides identify(). */
class CallCounter extends CrossbarDecorator {
  calls = 0;
  override readCell(row: number, col: number, v?: number) {
    this.calls++;
    return super.readCell(row, col, v);
  }
  override readArray(v?: number) {
    this.calls++;
    return super.readArray(v);
  }
  override mvm(r: MvmRequest) {
    this.calls++;
    return super.mvm(r);
  }
  override program(p: Pulse[]) {
    this.calls++;
    return super.program(p);
  }
  override reset() {
    this.calls++;
    return super.reset();
  }
}

describe("mhil calibrate: the output file", () => {
  it("a folder that does not exist yet is made: the characterization is written, not lost", () => {
    const r = mhil(["calibrate", ...SMALL, "--out", "nodir/deeper/my-device.json"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("wrote nodir/deeper/my-device.json");
    const cal = JSON.parse(readFileSync(join(work, "nodir/deeper/my-device.json"), "utf8"));
    expect(cal.procedures.pulse.curves).toHaveLength(4);
    expect(cal.fit.params.model).toBeDefined();
    expect(r.stderr).not.toMatch(/ENOENT|\.tmp|\n\s+at /);
  });

  it("a file where a folder should be, or a folder named as the file: refused in one line before measuring, exit 2", () => {
    writeFileSync(join(work, "afile"), "");
    const r = mhil(["calibrate", ...SMALL, "--out", "afile/my-device.json"]);
    expect({ status: r.status, stderr: r.stderr, stdout: r.stdout }).toEqual({ status: 2, stderr: "mhil: afile/my-device.json: cannot be written: afile is a file, not a folder; nothing was measured\n", stdout: "" });
    mkdirSync(join(work, "adir"));
    const d = mhil(["calibrate", ...SMALL, "--out", "adir"]);
    expect({ status: d.status, stderr: d.stderr }).toEqual({ status: 2, stderr: "mhil: adir: is a folder; name a file in it, e.g. --out calibration/my-device.json\n" });
  });
});

describe("mhil calibrate: pulses beyond the device's limits", () => {
  it("--volts, --width and --pulses-per-read past the limits identify() gives: one line naming the flag and the limit, exit 2, nothing measured or written", () => {
    const cases: [string[], string][] = [
      [["--volts", "50"], "mhil: --volts 50: above the device's positive program limit, 1.6 V (maxProgramVoltsPositive of sim:reram 16×16); nothing was measured\n"],
      [["--width", "1e-12"], "mhil: --width 1e-12: outside the device's pulse widths, 1e-8 to 1e-5 s (minPulseWidthSeconds, maxPulseWidthSeconds of sim:reram 16×16); nothing was measured\n"],
      [["--width", "1"], "mhil: --width 1: outside the device's pulse widths, 1e-8 to 1e-5 s (minPulseWidthSeconds, maxPulseWidthSeconds of sim:reram 16×16); nothing was measured\n"],
      [["--pulses-per-read", "5000"], "mhil: --pulses-per-read 5000: above the device's 1000 pulses per request (maxPulseCount of sim:reram 16×16); nothing was measured\n"],
    ];
    for (const [flags, stderr] of cases) {
      const r = mhil(["calibrate", ...SMALL, ...flags, "--out", "limits/x.json"]);
      // One line and no progress bar: no stage (noise, I–V) ran before the refusal.
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 2, stderr });
    }
    expect(existsSync(join(work, "limits"))).toBe(false);
  });

  it("the plan is checked against identify() before the first read or pulse reaches the device", async () => {
    const device = new CallCounter(await openCrossbar("sim:reram?rows=16&cols=16&seed=3"));
    try {
      for (const plan of [{ voltsPositive: 50, voltsNegative: 50 }, { widthSeconds: 1e-12 }, { pulsesPerPoint: 5000 }]) {
        await expect(runCalibration(device, { ...DEFAULT_PLAN, ...plan })).rejects.toBeInstanceOf(CalibrationPlanError);
      }
      expect(device.calls).toBe(0);
    } finally {
      await device.close();
    }
  });
});

describe("mhil calibrate: measurements that cannot be fitted", () => {
  it("pulses below the switching threshold: the measurements are written, then one line says so and what to try; exit 1", () => {
    const r = mhil(["calibrate", ...SMALL, "--volts", "0.05", "--out", "weak/low.json"]);
    expect(r.status).toBe(1);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines.at(-1)).toBe(
      "mhil: wrote weak/low.json with the measurements, but they cannot be fitted: pulse response: no cell switched (every cell looks stuck); " +
        "check the pulse amplitude against the threshold (measure again into the same file; `mhil calibrate fit weak/low.json` refits it)",
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const cal = JSON.parse(readFileSync(join(work, "weak/low.json"), "utf8"));
    expect(cal.procedures.pulse.voltsPositive).toBe(0.05);
    expect(cal.procedures.noise).toBeDefined();
    expect(cal.fit).toBeUndefined();
    // Refitting the same data says the same, naming the file; the file is unchanged.
    const before = readFileSync(join(work, "weak/low.json"), "utf8");
    const refit = mhil(["calibrate", "fit", "weak/low.json"]);
    expect(refit.status).toBe(2);
    expect(refit.stderr).toBe("mhil: weak/low.json: pulse response: no cell switched (every cell looks stuck); check the pulse amplitude against the threshold\n");
    expect(readFileSync(join(work, "weak/low.json"), "utf8")).toBe(before);
  });
});
