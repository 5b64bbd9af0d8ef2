// `mhil calibrate` stopped by Ctrl-C (SIGINT) keeps what it measured (issue 19): every procedure that finished is
// already in the file, a pulse response cut short is a shorter but whole sequence, the lines are grounded, and the
// file is one `mhil calibrate fit` accepts. The signal is sent when the CLI reports the stage (an event), never
// after a fixed time.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCalibration } from "../../calibration/file.js";

const BIN = resolve("bin/mhil.js");
const work = mkdtempSync(join(tmpdir(), "mhil-cal-interrupt-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const env = { ...process.env, MHIL_STATE_DIR: join(work, "state") };

/** Runs `mhil calibrate ARGS`, sends SIGINT once stderr shows `stage`, and resolves with the exit and output. */
function calibrateUntil(stage: string, args: string[]): Promise<{ code: number | null; stderr: string; signalled: boolean }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, "calibrate", ...args], { cwd: work, env });
    let stderr = "";
    let signalled = false;
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
      if (!signalled && stderr.includes(stage)) {
        signalled = true;
        child.kill("SIGINT");
      }
    });
    child.on("error", fail);
    child.on("close", (code) => done({ code, stderr, signalled }));
  });
}

const DEVICE = ["--device", "sim:reram?rows=16&cols=16&seed=3", "--cells", "8"];

describe("mhil calibrate, interrupted", () => {
  it("Ctrl-C during the threshold search: exit 130, one line naming what the file holds, and `calibrate fit` accepts the file", async () => {
    // The signal is sent when the search reports its first amplitude; on a busy machine it can land after the
    // last one, and then the run has finished whole (exit 0, all four procedures). Each such run is checked too,
    // and the next attempt measures more cells so the search lasts longer; one attempt must be interrupted.
    let out = "";
    let r: Awaited<ReturnType<typeof calibrateUntil>> | undefined;
    for (const cells of [8, 32, 128, 256]) {
      out = join(work, `during-threshold-${cells}.json`);
      const attempt = await calibrateUntil("calibrate threshold", ["--device", DEVICE[1]!, "--cells", String(cells), "--pulses", "600", "--out", out]);
      expect(attempt.signalled).toBe(true);
      if (attempt.code === 130) {
        r = attempt;
        break;
      }
      expect(attempt.code).toBe(0);
      expect(Object.keys(loadCalibration(out).procedures).sort()).toEqual(["iv", "noise", "periphery", "pulse", "threshold", "writeNoise"]);
    }
    expect(r, "no attempt was interrupted during the threshold search").toBeDefined();
    if (!r) return;
    expect(r.code).toBe(130);
    const last = r.stderr.trim().split("\n").at(-1)!;
    // The search may finish its last amplitude before the signal lands: then the file holds it too.
    const holds = /holds (.*); fit it/.exec(last)?.[1];
    expect(["read noise, periphery, I–V, pulse response", "read noise, periphery, I–V, pulse response, thresholds"]).toContain(holds);
    expect(last).toBe(
      `mhil: stopped by SIGINT at a safe point, lines grounded: ${out} holds ${holds}; ` +
        `fit it with \`mhil calibrate fit ${out}\`, or measure the rest into the same file with --procedure`,
    );
    const cal = loadCalibration(out);
    expect(Object.keys(cal.procedures).sort()).toEqual(holds!.endsWith("thresholds") ? ["iv", "noise", "periphery", "pulse", "threshold"] : ["iv", "noise", "periphery", "pulse"]);
    // Three sweeps of at least 600 groups each, every one run on until its cells settled.
    expect(cal.procedures.pulse!.polarity.length).toBeGreaterThanOrEqual(3 * 600);
    expect(cal.fit).toBeUndefined();
    const fit = spawnSync(process.execPath, [BIN, "calibrate", "fit", out, "--json"], { cwd: work, env, encoding: "utf8" });
    expect(fit.stderr).toBe("");
    expect(fit.status).toBe(0);
    const fitted = JSON.parse(fit.stdout) as { params: { gMaxSiemens: number; gMinSiemens: number } };
    expect(fitted.params.gMaxSiemens).toBeGreaterThan(fitted.params.gMinSiemens);
    expect(loadCalibration(out).fit).toBeDefined();
  });

  it("Ctrl-C during the pulse response: the file holds the groups measured so far, one reading before and after each", async () => {
    const out = join(work, "during-pulses.json");
    const r = await calibrateUntil("calibrate pulse response", [...DEVICE, "--pulses", "4000", "--out", out]);
    expect(r.code).toBe(130);
    const last = r.stderr.trim().split("\n").at(-1)!;
    expect(last).toMatch(new RegExp(`^mhil: stopped by SIGINT at a safe point, lines grounded: .* holds read noise, periphery, I–V, pulse response \\((\\d+) pulse groups, cut short\\);`));
    const groups = Number(/\((\d+) pulse groups, cut short/.exec(last)![1]);
    const cal = loadCalibration(out);
    const pulse = cal.procedures.pulse!;
    expect(pulse.polarity).toHaveLength(groups);
    expect(groups).toBeLessThan(12000);
    for (const c of pulse.curves) expect(c.siemens).toHaveLength(groups + 1);
    expect(cal.procedures.threshold).toBeUndefined();
    // Written atomically: the file on disk parses as a whole.
    expect(() => JSON.parse(readFileSync(out, "utf8"))).not.toThrow();
    // The open sweep is marked, and the fit takes what the response reached: a response stopped before its first
    // potentiating pulse has no step law and is refused in one line saying what to measure (exit 2).
    expect(pulse.settled).toBe(false);
    const fit = spawnSync(process.execPath, [BIN, "calibrate", "fit", out], { cwd: work, env, encoding: "utf8" });
    if (pulse.polarity.includes(1)) {
      expect(last).toContain(`; fit it with \`mhil calibrate fit ${out}\``);
      expect(fit.stderr).toBe("");
      expect(fit.status).toBe(0);
      expect(fit.stdout).toMatch(/note: pulse response: its (up|last) sweep ended before the (ceiling|floor)/);
    } else {
      expect(last).toMatch(/; its pulse response stopped before the first up pulse, so it cannot be fitted yet: measure it again into the same file with --procedure pulse$/);
      expect(fit.status).toBe(2);
      expect(fit.stderr).toBe(
        `mhil: ${out}: pulse response: it ended after ${groups} pulse groups toward the floor, before any potentiating pulse, ` +
          "so there is no step law to fit; measure it again into the same file with --procedure pulse\n",
      );
      // A twin of it is refused with the same next step, not sent to `calibrate fit` first.
      const train = spawnSync(process.execPath, [BIN, "train", "--device", `twin:${out}`, "--epochs", "1"], { cwd: work, env, encoding: "utf8" });
      expect(train.status).toBe(2);
      expect(train.stderr).toBe(
        `mhil: ${out}: has no fit: its pulse response stopped before the first up pulse; measure it again: ` +
          `mhil calibrate --device URI --procedure pulse --out ${out} (on sim:reram, serial sim-reram-16x16-seed3)\n`,
      );
    }
  });

  it("measuring into a fitted file fits it again: the fit never describes data it was not made from", () => {
    const out = join(work, "refit.json");
    const run = (...args: string[]) => spawnSync(process.execPath, [BIN, "calibrate", ...args], { cwd: work, env, encoding: "utf8" });
    expect(run(...DEVICE, "--procedure", "pulse", "--pulses", "2000", "--out", out).status).toBe(0);
    expect(run("fit", out).status).toBe(0);
    const before = loadCalibration(out).fit!;
    expect(before.params.readNoise).toBe(0);
    expect(before.residuals.notes).toContain("no read-noise data: readNoise set to 0 and write noise not corrected for read noise");
    const noise = run(...DEVICE, "--procedure", "noise", "--out", out);
    expect(noise.stderr).not.toMatch(/\n\s+at /);
    expect(noise.status).toBe(0);
    const after = loadCalibration(out).fit!;
    // reram's read noise is 1 % of G (sim/devices/presets.ts).
    expect(after.params.readNoise).toBeGreaterThan(0.005);
    expect(after.params.readNoise).toBeLessThan(0.02);
    expect(after.residuals.notes).not.toContain("no read-noise data: readNoise set to 0 and write noise not corrected for read noise");
    expect(noise.stdout).toContain(`readNoise                  ${after.params.readNoise.toPrecision(4)}`);
  });

  it("a pulse response stopped by Ctrl-C in a fitted file takes the old fit with it", async () => {
    const out = join(work, "refit-interrupted.json");
    const run = (...args: string[]) => spawnSync(process.execPath, [BIN, "calibrate", ...args], { cwd: work, env, encoding: "utf8" });
    expect(run(...DEVICE, "--procedure", "pulse", "--pulses", "2000", "--out", out).status).toBe(0);
    expect(run("fit", out).status).toBe(0);
    const fitted = loadCalibration(out);
    expect(fitted.fit).toBeDefined();
    const r = await calibrateUntil("calibrate pulse response", [...DEVICE, "--procedure", "pulse", "--pulses", "4000", "--out", out]);
    expect(r.code).toBe(130);
    const cal = loadCalibration(out);
    // The new (cut-short) response replaced the old one, and no fit of the old one stays beside it.
    expect(cal.procedures.pulse!.settled).toBe(false);
    expect(cal.procedures.pulse!.polarity.length).not.toBe(fitted.procedures.pulse!.polarity.length);
    expect(cal.fit).toBeUndefined();
  });
});
