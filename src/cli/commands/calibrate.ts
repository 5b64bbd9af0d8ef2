// `mhil calibrate`: characterize a device on any backend into a calibration file, and fit the simulator to it.
import { existsSync } from "node:fs";
import type { Command } from "commander";
import cliProgress from "cli-progress";
import { checkCalibrationOut, loadCalibration, saveCalibration, type CalibrationFile } from "../../../calibration/file.js";
import { FitError } from "../../../calibration/fit.js";
import { CalibrationInterruptedError, DEFAULT_PLAN, PROCEDURES, calibrateDevice, fitCalibration, fitsWhenDone, type ProcedureName } from "../../../calibration/run.js";
import { pulsedUp } from "../../../calibration/procedures/pulse-response.js";
import type { ProgressFn } from "../../../calibration/progress.js";
import { deviceFlagOptions, wearPolicy, type DeviceFlags } from "../device-flags.js";
import { UserError } from "../../hal/user-error.js";

function positiveInt(field: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new UserError(`--${field} ${v}: must be a positive integer`);
    return n;
  };
}
function positiveNumber(field: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UserError(`--${field} ${v}: must be a positive number`);
    return n;
  };
}

/** A progress bar per stage on a terminal; a line every few seconds otherwise. */
function progressReporter(): { progress: ProgressFn; stop(): void } {
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: "calibrate {stage} |{bar}| {value}/{total}", hideCursor: true, noTTYOutput: true, notTTYSchedule: 5_000 },
    cliProgress.Presets.shades_classic,
  );
  let stage = "";
  return {
    progress: (done, total, s) => {
      if (s !== stage) {
        if (stage) bar.stop();
        stage = s;
        bar.start(total, done, { stage: s });
      } else {
        // A sweep that runs on until its cells settle raises the total as it goes.
        if (total !== bar.getTotal()) bar.setTotal(total);
        bar.update(done, { stage: s });
      }
    },
    stop: () => {
      if (stage) bar.stop();
    },
  };
}

export function register(program: Command): void {
  const cmd = program
    .command("calibrate")
    .description("characterize a device (I–V, pulse response, thresholds, noise) and fit the simulator to it")
    .option("--device <uri>", "device URI (sim:, serial:PATH, firmata:PATH, twin:FILE)", "sim:")
    .option("--procedure <name>", `one of ${PROCEDURES.join(", ")}`, "full")
    .option("--out <file>", "calibration file to write (extended when it exists and the device matches)")
    .option("--cells <n>", "cells the detailed procedures measure, spread over the array (the step survey takes every cell, up to 4096)", positiveInt("cells"), DEFAULT_PLAN.cells)
    .option("--pulses <n>", "pulses per sweep of the pulse response (enough to reach both bounds)", positiveInt("pulses"), DEFAULT_PLAN.pulsesPerSweep)
    .option("--volts <v>", "pulse amplitude, both polarities (default 75% of the device's program limits)", positiveNumber("volts"))
    .option("--width <seconds>", "pulse width (default 10× the device's minimum)", positiveNumber("width"))
    .option("--reads <n>", "reads averaged per point", positiveInt("reads"), DEFAULT_PLAN.readsPerPoint)
    .option("--pulses-per-read <m>", "pulses between two reads of the pulse response (raise it when one step is below the read noise)", positiveInt("pulses-per-read"), 1)
    .option("--json", "print the fitted parameters as JSON");
  deviceFlagOptions(cmd).action(async (o: DeviceFlags & { device: string; procedure: string; out?: string; cells: number; pulses: number; volts?: number; width?: number; reads: number; pulsesPerRead: number; json?: boolean }) => {
    if (!(PROCEDURES as readonly string[]).includes(o.procedure)) throw new UserError(`--procedure ${o.procedure}: must be one of ${PROCEDURES.join(", ")}`);
    if (!o.out) throw new UserError("--out FILE is required (for example --out calibration/my-device.json)");
    // Before anything is measured: the file can be written (its folder is made on save) and, when it exists, read.
    checkCalibrationOut(o.out);
    const existing = existsSync(o.out) ? { file: o.out, cal: loadCalibration(o.out) } : undefined;
    // Decided before measuring: each measurement drops the file's fit.
    const refit = fitsWhenDone(o.procedure as ProcedureName, existing?.cal);
    const reporter = progressReporter();
    // Ctrl-C or SIGTERM stops at the next safe point; what was measured is already in the file.
    const stop = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => stop.abort(signal);
    process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
    /** The file as last saved while measuring (none yet: nothing was written). */
    let saved: CalibrationFile | undefined;
    try {
      const cal = await calibrateDevice(
        o.device,
        { wear: wearPolicy(o), stopOnTrip: o.stopOnTrip === true },
        {
          ...DEFAULT_PLAN,
          procedure: o.procedure as ProcedureName,
          cells: o.cells,
          pulsesPerSweep: o.pulses,
          readsPerPoint: o.reads,
          pulsesPerPoint: o.pulsesPerRead,
          ...(o.volts !== undefined ? { voltsPositive: o.volts, voltsNegative: o.volts } : {}),
          ...(o.width !== undefined ? { widthSeconds: o.width } : {}),
          fit: false,
        },
        {
          progress: reporter.progress,
          signal: stop.signal,
          // Saved as it goes: a stop or a failure keeps every procedure that finished.
          onMeasured: (c) => {
            saveCalibration(o.out!, c);
            saved = c;
          },
        },
        existing,
      );
      reporter.stop();
      saveCalibration(o.out, cal);
      if (refit) fitMeasured(o.out, cal);
      report(o.out, cal.fit?.params, cal.fit?.residuals, o.json);
    } catch (e) {
      reporter.stop();
      throw keptWhatWasMeasured(e, o.out, saved, stop.signal.reason as string | undefined);
    } finally {
      process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
    }
  });

  cmd
    .command("fit <file>")
    .description("fit the simulator's device model to a calibration file's data and write the fit into it")
    .option("--json", "print the fitted parameters as JSON")
    .action((file: string, _o: unknown, self: Command) => {
      // The parent command also has --json; commander hands it to whichever parses first.
      const json = Boolean(self.optsWithGlobals().json);
      const cal = loadCalibration(file);
      try {
        fitCalibration(cal);
      } catch (e) {
        throw e instanceof FitError ? new FitError(`${file}: ${e.message}`, e.exitCode, { cause: e }) : e;
      }
      saveCalibration(file, cal);
      report(file, cal.fit!.params, cal.fit!.residuals, json);
    });
}

/** A stop or a failure, told with what the file now holds and what to do next. */
function keptWhatWasMeasured(e: unknown, file: string, saved: CalibrationFile | undefined, signal: string | undefined): unknown {
  if (e instanceof CalibrationInterruptedError) {
    const what = e.measured.length > 0 ? e.measured.join(", ") : "nothing";
    const next = saved ? nextStep(file, saved) : `; ${file} was not written`;
    return new CalibrationInterruptedError(e.measured, `stopped by ${signal ?? "a signal"} at a safe point, lines grounded: ${file} holds ${what}${next}`);
  }
  if (saved && e instanceof UserError && !(e instanceof UnfittedCalibrationError)) return new UserError(`${e.message} (${file} keeps the procedures that finished before)`, e.exitCode, { cause: e });
  return e;
}

/** What a file a stop left is good for: a fit, or first the measurement a fit needs. */
function nextStep(file: string, cal: CalibrationFile): string {
  const pulse = cal.procedures.pulse;
  if (!pulse) return "; a fit needs the pulse response: measure it and the rest into the same file with --procedure";
  if (!pulsedUp(pulse)) return "; its pulse response stopped before the first up pulse, so it cannot be fitted yet: measure it again into the same file with --procedure pulse";
  return `; fit it with \`mhil calibrate fit ${file}\`, or measure the rest into the same file with --procedure`;
}

/** A measurement that cannot be fitted: saved, and the line says what was measured and what to try (exit 1). */
export class UnfittedCalibrationError extends UserError {}

function fitMeasured(file: string, cal: CalibrationFile): void {
  try {
    fitCalibration(cal);
  } catch (e) {
    if (!(e instanceof FitError)) throw e;
    throw new UnfittedCalibrationError(
      `wrote ${file} with the measurements, but they cannot be fitted: ${e.message} (measure again into the same file; \`mhil calibrate fit ${file}\` refits it)`,
      1,
      { cause: e },
    );
  }
  saveCalibration(file, cal);
}

function report(file: string, params: object | undefined, residuals: { model: string; rmsRelativeToStep: number; chosenBecause?: string | undefined; notes: string[] } | undefined, json?: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify({ file, params: params ?? null, residuals: residuals ?? null }, null, 2) + "\n");
    return;
  }
  process.stdout.write(`wrote ${file}\n`);
  if (!params || !residuals) return;
  process.stdout.write(`fit: ${residuals.model}, residual rms ${residuals.rmsRelativeToStep.toFixed(3)} of a step\n`);
  if (residuals.chosenBecause) process.stdout.write(`model chosen: ${residuals.chosenBecause}\n`);
  for (const [k, v] of Object.entries(params)) process.stdout.write(`  ${k.padEnd(26)} ${typeof v === "number" ? v.toPrecision(4) : v}\n`);
  for (const n of residuals.notes) process.stdout.write(`note: ${n}\n`);
  process.stdout.write(`use it: --device twin:${file}\n`);
}
