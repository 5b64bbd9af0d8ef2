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
import { NoSwitchingError } from "../../src/train/characterisation.js";
import { ResumeError } from "../../src/run/resume.js";
import { RunDirError } from "../../src/run/run-dir.js";
import { TelemetryConfigError } from "../../src/telemetry/influxTarget.js";
import { JournalError } from "../../src/telemetry/journal.js";
import { LineProtocolError } from "../../src/telemetry/lineProtocol.js";
import { WearBudgetError } from "../../src/wear/budget.js";
import { FileLockTimeoutError } from "../../src/wear/file-lock.js";
import { WearStoreError } from "../../src/wear/store.js";
import { LimitError } from "../../src/hal/limits.js";
import { DeviceUriError } from "../../src/hal/uri.js";
import { TrainConfigError } from "../../src/train/config.js";
import { DeviceParamsError } from "../../sim/devices/params.js";
import { BoardConfigError } from "../../protocol/firmata/board-config.js";
import { DatasetError } from "../../src/train/dataset-sources.js";
import { PlacementError } from "../../src/train/placement.js";
import { SweepDirError } from "../../src/experiment/sweep-dir-error.js";
import { SerialPortError } from "../../drivers/serial-crossbar/port.js";
import { DeviceMismatchError, DeviceRefusedError, DeviceResetError, SerialLinkError } from "../../drivers/serial-crossbar/errors.js";
import { DeviceLinkError } from "../../drivers/firmata-board/link.js";
import { MemoryConfigError } from "../../src/train/memory/memory-config.js";
import { RecallFlagError } from "../../src/cli/commands/recall.js";

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
      new RunAbortedError("runs/x", "SIGTERM", 1), new NoSwitchingError("reram", 0, 0, 0.05, 1e-6),
      new ResumeError("runs/x: no checkpoint"), new RunDirError("runs: cannot"), new TelemetryConfigError("--influx x"),
      new JournalError("telemetry.lp: not a journal"), new LineProtocolError("line 1: no field set"), new WearBudgetError(0, 1, 11, 10),
      new FileLockTimeoutError("w.json.lock", 10_000), new WearStoreError("w.json", "not valid JSON"),
      new LimitError("pulses[0].volts", 9, "above 3 V"), new DeviceUriError("x", "missing scheme"),
      new TrainConfigError("c.json", "epochs", "bad"), new DeviceParamsError("gMinSiemens", -1, "must be ≥ 0"),
      new BoardConfigError("b.json", "rows", "bad"), new DatasetError("d.csv", "bad", 3, "label"),
      new PlacementError([49, 16, 10], 4, 4, 1888), new SweepDirError("out: exists"), new SerialPortError("busy"),
      new SerialLinkError("no reply"), new DeviceRefusedError("LIMIT", "PUL", "vmax"), new DeviceResetError("reset"),
      new DeviceMismatchError("other device"), new DeviceLinkError("unplugged"),
      new MemoryConfigError("recall flags: units: bad"), new RecallFlagError("--units 0: bad"),
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

  it("a user error is known by its class alone: an Error that only carries a user error's name is internal", () => {
    const named = (name: string) => Object.assign(new Error(`a ${name}`), { name });
    for (const name of ["LimitError", "TrainConfigError", "SerialLinkError", "PlacementError", "ZodError"]) {
      expect(outcomeOf(named(name)), name).toMatchObject({ exitCode: 1, internal: true });
    }
    expect(outcomeOf(new LimitError("pulses[0].volts", 9, "above 3 V"))).toMatchObject({ exitCode: 2, internal: false });
    expect(outcomeOf(new SerialLinkError("no reply"))).toMatchObject({ exitCode: 1, internal: false });
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
