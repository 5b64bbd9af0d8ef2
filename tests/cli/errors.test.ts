// How the CLI ends on an error: a UserError (src/hal/user-error.ts) is its message on one line and its exit code;
// anything else is an internal error, one short line and exit 1; --debug adds the stack. Through the compiled
// CLI (node bin/mhil.js) and the compiled errors module in a child process.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CalibrationFileError } from "../../calibration/file.js";
import { FitError } from "../../calibration/fit.js";
import { CalibrationPlanError } from "../../calibration/run.js";
import { ComplianceTripError, CurrentOverLimitError } from "../../src/backends/safety-guard.js";
import { outcomeOf } from "../../src/cli/errors.js";
import { SweepConfigError } from "../../src/experiment/sweep-config.js";
import { UserError } from "../../src/hal/user-error.js";
import { RunAbortedError } from "../../src/run/end-run.js";
import { NetworkTooLargeError, NoSwitchingError } from "../../src/run/open-training.js";
import { ResumeError } from "../../src/run/resume.js";
import { RunDirError } from "../../src/run/run-dir.js";
import { TelemetryConfigError } from "../../src/telemetry/influxTarget.js";
import { JournalError } from "../../src/telemetry/journal.js";
import { LineProtocolError } from "../../src/telemetry/lineProtocol.js";
import { WearBudgetError } from "../../src/wear/budget.js";
import { FileLockTimeoutError } from "../../src/wear/file-lock.js";
import { WearStoreError } from "../../src/wear/store.js";

const BIN = resolve("bin/mhil.js");
const mhil = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 60_000 });

/** Runs exitOnError (the compiled module) on the error `expr` builds, in a child process. */
function exitOnErrorOf(expr: string, debug = false) {
  const errors = JSON.stringify(resolve("dist/src/cli/errors.js"));
  const userError = JSON.stringify(resolve("dist/src/hal/user-error.js"));
  const script = `const { exitOnError } = await import(${errors}); const { UserError } = await import(${userError}); exitOnError(${expr}, ${debug});`;
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
}

describe("one user-error base class", () => {
  it("every user error of the CLI, run, backends, wear, telemetry, sweep config and calibration extends UserError, each under its own name", () => {
    const errors = [
      new CalibrationFileError("f.json", "bad"), new FitError("no cell switched"), new CalibrationPlanError("--volts 50"),
      new ComplianceTripError("trip"), new CurrentOverLimitError("over"), new SweepConfigError("s.json: bad"),
      new RunAbortedError("runs/x", "SIGTERM", 1), new NetworkTooLargeError("too big"), new NoSwitchingError("stuck", 1),
      new ResumeError("runs/x: no checkpoint"), new RunDirError("runs: cannot"), new TelemetryConfigError("--influx x"),
      new JournalError("telemetry.lp: not a journal"), new LineProtocolError("line 1: no field set"), new WearBudgetError(0, 1, 11, 10),
      new FileLockTimeoutError("w.json.lock", 10_000), new WearStoreError("w.json", "not valid JSON"),
    ];
    for (const e of errors) expect(e, e.name).toBeInstanceOf(UserError);
    const names = errors.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).not.toContain("UserError");
    expect(names).not.toContain("ConfigError");
    expect(new SweepConfigError("x").name).toBe("SweepConfigError");
  });

  it("the exit code is the class's: 2 for refused input, 1 for a device that stopped the work, 130 for an abort", () => {
    expect(outcomeOf(new SweepConfigError("s.json: grid: bad"))).toEqual({ message: "s.json: grid: bad", exitCode: 2, internal: false });
    expect(outcomeOf(new ComplianceTripError("trip")).exitCode).toBe(1);
    expect(outcomeOf(new WearBudgetError(0, 1, 11, 10)).exitCode).toBe(1);
    expect(outcomeOf(new RunAbortedError("runs/x", "SIGTERM", 1)).exitCode).toBe(130);
    expect(outcomeOf(new TelemetryConfigError("--influx x: not a URL")).exitCode).toBe(2);
  });

  it("errors of classes not yet converted are known by name until they extend UserError; anything else is internal", () => {
    const named = (name: string, extra: object = {}) => Object.assign(new Error(`a ${name}`), { name }, extra);
    expect(outcomeOf(named("ConfigError"))).toEqual({ message: "a ConfigError", exitCode: 2, internal: false });
    expect(outcomeOf(named("SerialLinkError")).exitCode).toBe(1);
    expect(outcomeOf(named("PlacementError", { exitCode: 2 })).exitCode).toBe(2);
    expect(outcomeOf(named("ZodError"))).toMatchObject({ exitCode: 1, internal: true });
    expect(outcomeOf(new TypeError("x is not a function"))).toEqual({ message: "x is not a function", exitCode: 1, internal: true });
    expect(outcomeOf(new UserError("two\n  lines")).message).toBe("two lines");
  });
});

describe("how the CLI ends on an error", () => {
  it("an internal error: one short line, exit 1, no stack; --debug prints the stack", () => {
    const r = exitOnErrorOf('new TypeError("cannot read properties of undefined")');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("mhil: internal error: cannot read properties of undefined (run with --debug for the stack)\n");
    const d = exitOnErrorOf('new TypeError("cannot read properties of undefined")', true);
    expect(d.status).toBe(1);
    expect(d.stderr.split("\n")[0]).toBe("mhil: internal error: cannot read properties of undefined (run with --debug for the stack)");
    expect(d.stderr).toMatch(/^TypeError: cannot read properties of undefined\n\s+at /m);
  });

  it("a user error: its message on one line and its exit code", () => {
    const r = exitOnErrorOf('new UserError("--out x: cannot be written", 2)');
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 2, stderr: "mhil: --out x: cannot be written\n" });
  });

  it("a refused flag value through the CLI: one line, exit 2; --debug (before or after the command) adds the stack", () => {
    const r = mhil(["train", "--epochs", "x", "--out", "/nonexistent/never"]);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 2, stderr: "mhil: --epochs x: must be an integer\n" });
    for (const args of [["--debug", "train", "--epochs", "x"], ["train", "--epochs", "x", "--debug"]]) {
      const d = mhil([...args, "--out", "/nonexistent/never"]);
      expect(d.status).toBe(2);
      expect(d.stderr).toMatch(/^mhil: --epochs x: must be an integer\nUserError: --epochs x: must be an integer\n\s+at /);
    }
  });

  it("an unknown option or a bad choice is the user's to fix: exit 2, the error and where help is, no usage dump", () => {
    const r = mhil(["train", "--epoch", "3"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("error: unknown option '--epoch'\n(Did you mean --epochs?)\n(add --help for usage)\n");
    const c = mhil(["train", "--weights", "paper"]);
    expect(c.status).toBe(2);
    expect(c.stderr.split("\n")[0]).toBe("error: option '--weights <store>' argument 'paper' is invalid. Allowed choices are ideal, crossbar.");
    expect(mhil(["--version"])).toMatchObject({ status: 0, stdout: "0.1.0\n" });
  });
});
