// `mhil train`: EqProp on a device (default: the embedded simulated ReRAM crossbar); prints accuracy, joules and the bits bracket.
import type { Command } from "commander";
import { Option } from "commander";
import { SingleBar } from "cli-progress";
import { DEFAULT_DEVICE_URI } from "../../backends/open.js";
import { parseTrainConfig, TrainConfigSchema, type TrainConfig } from "../../train/config.js";
import { readConfigFile } from "../../run/config-file.js";
import { MEMORIZE_DEFAULTS, QUICK_TRAIN_DEFAULTS, resolveTrainConfig } from "../../run/train-defaults.js";
import { readResumePoint, type ResumePoint } from "../../run/resume.js";
import { join } from "node:path";
import { runLabelDraws } from "../../run/label-draws.js";
import { RunAbortedError, runTraining, type ProgressEvent, type TrainingSummary } from "../../run/train-run.js";
import { UserError } from "../../hal/user-error.js";
import { outcomeOf } from "../errors.js";
import { runTelemetryFactory } from "../../telemetry/runAdapter.js";
import { deviceFlagOptions, wearPolicy, type DeviceFlags } from "../device-flags.js";
import { hardwareLine } from "../../energy/component-names.js";

interface TrainFlags extends DeviceFlags {
  draws?: string;
  update?: string;
  pulse?: string;
  device?: string;
  weights?: string;
  config?: string;
  dataset?: string;
  downsample?: string;
  layers?: string;
  labels?: string;
  classes?: string;
  samples?: string;
  testSamples?: string;
  epochs?: string;
  seed?: string;
  out: string;
  json?: boolean;
  temperature?: string;
  progress?: boolean;
  resume?: string;
  influx?: string;
  influxCredentials?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command("train")
    .description("train a network with Equilibrium Propagation on a device; measure joules; bracket the bits learned")
    .option("--device <uri>", `device URI (sim:, sim:PRESET?rows=&cols=&seed=, serial:PATH, firmata:PATH, twin:FILE)`)
    .addOption(new Option("--weights <store>", "weight store: crossbar (on the device) or ideal (floats in memory)").choices(["ideal", "crossbar"]))
    .option("--config <file>", "training config JSON (validated; a run's config.json re-runs that run)")
    .option("--dataset <spec>", "mnist, mnist:14x14, mnist:7x7, idx:DIR, csv:PATH, toy:2d (a dataset named here trains on its whole split unless --samples says otherwise)")
    .addOption(new Option("--downsample <side>", "average-pool images: none (28×28), 14x14 or 7x7").choices(["none", "14x14", "7x7"]))
    .option("--layers <sizes>", "hidden layer sizes, comma-separated (e.g. 16, 500 or 256,64); none (the quick job's default: 49-10) for inputs straight to outputs")
    .option("--labels <mode>", "real, random, teacher or teacher:p")
    .option("--classes <C>", "number of classes")
    .option("--samples <n>", "training samples")
    .option("--test-samples <n>", "test samples")
    .option("--epochs <k>", "epochs")
    .option("--seed <s>", "seed (labels, initial weights, device draws)")
    .addOption(new Option("--update <protocol>", "how updates become pulses on crossbar weights").choices(["dense", "stochastic", "threshold"]))
    .addOption(new Option("--pulse <choice>", "crossbar update pulse: default, or minimum-energy (measured first: least joules per siemens at ΔG = 5% of the range)").choices(["default", "minimum-energy"]))
    .option("--draws <K>", "train K label draws (seeds s … s+K−1), each until its labels are memorized, and pool them into one bracket")
    .option("--out <dir>", "parent folder of run directories", "./runs")
    .option("--json", "print one JSON object on stdout (no progress)")
    .option("--temperature <kelvin>", "temperature for the Landauer floor")
    .option("--no-progress", "no progress output on stderr")
    .option("--resume <run-dir>", "continue an aborted or killed run from its last checkpoint (its own config; --epochs may extend it)")
    .option("--influx <url>", "also ship the telemetry journal (telemetry.lp) to InfluxDB 1.x at http://HOST:8086/DATABASE")
    .option("--influx-credentials <file>", "InfluxDB credentials file (default: INFLUX_USERNAME/INFLUX_PASSWORD from the environment)");
  deviceFlagOptions(cmd).action(async (flags: TrainFlags) => {
    // With --json every ending answers on stdout: the summary, or what failed (and where its run directory is).
    const seen: RunSeen = { runDir: null };
    try {
      await train(flags, seen);
    } catch (e) {
      if (flags.json) process.stdout.write(JSON.stringify(failureJson(e, seen.runDir)) + "\n");
      throw e;
    }
  });
}

/** What `mhil train --json` prints when the run does not succeed: the error line's message, the exit status and the run directory. */
export function failureJson(e: unknown, runDir: string | null): { status: "refused" | "failed" | "aborted"; exit_code: number; error: string; run_dir: string | null } {
  const o = outcomeOf(e);
  const dir = e instanceof RunAbortedError ? e.runDir : runDir;
  // Refused: input the user can fix (exit 2), turned down before a run directory was made.
  const status = e instanceof RunAbortedError ? "aborted" : dir === null && o.exitCode === 2 ? "refused" : "failed";
  return { status, exit_code: o.exitCode, error: o.message, run_dir: dir };
}

/** The run directory of the run under way, once it has one (with --draws: the current draw's). */
interface RunSeen {
  runDir: string | null;
}

async function train(flags: TrainFlags, seen: RunSeen): Promise<void> {
  const draws = flags.draws !== undefined ? integerFlag("--draws", flags.draws, 1) : 1;
  if (flags.resume && flags.draws !== undefined) throw new UserError("--draws: resume each draw's run directory (DIR/draw-k) on its own; --resume and --draws do not combine");
  const resume = flags.resume ? readResumePoint(flags.resume) : undefined;
  const { config, deviceUri } = resume ? resumeConfig(flags, resume) : resolveConfig(flags);
  // Every run journals its telemetry; --influx also ships it (a bad URL is refused here, before the run starts).
  const telemetry = runTelemetryFactory({ ...(flags.influx !== undefined ? { influxUrl: flags.influx } : {}), ...(flags.influxCredentials !== undefined ? { credentialsFile: flags.influxCredentials } : {}) });
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (ac.signal.aborted) {
      if (flags.json) process.stdout.write(JSON.stringify({ status: "aborted", exit_code: 130, error: `second ${sig}: exiting now`, run_dir: seen.runDir }) + "\n");
      process.stderr.write(`\nmhil: second ${sig}: exiting now\n`);
      process.exit(130);
    }
    process.stderr.write(`\nmhil: ${sig}: stopping at the next safe point (again to exit at once)\n`);
    ac.abort(new Error(sig === "SIGINT" ? "SIGINT (Ctrl+C)" : sig));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const progress = flags.json || flags.progress === false ? null : makeProgress(Boolean(process.stderr.isTTY));
  const onProgress = (e: ProgressEvent) => {
    if (e.kind === "start") seen.runDir = e.runDir;
    // A choice made for the user is said even without progress output (on stderr: stdout stays the summary).
    if (e.kind === "note") process.stderr.write(`mhil: ${e.text}\n`);
    else progress?.update(e);
  };
  try {
    // Wear is counted per device serial across runs and commands (only a crossbar store pulses a device).
    const wear = wearPolicy(flags);
    const runOptions = { config, deviceUri, outDir: flags.out, signal: ac.signal, onProgress, telemetry, wear, stopOnTrip: flags.stopOnTrip === true, ...(resume ? { resume } : {}) };
    const summary = draws > 1 ? await runLabelDraws(runOptions, draws) : await runTraining(runOptions);
    progress?.done();
    process.stdout.write(flags.json ? JSON.stringify(summary) + "\n" : formatSummary(summary));
  } finally {
    progress?.done();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** File settings, then quick defaults for what the file leaves out, then flags; validated once as a whole. */
function resolveConfig(flags: TrainFlags): { config: TrainConfig; deviceUri: string } {
  let raw: Record<string, unknown> = {};
  let fileDevice: string | null = null;
  let source = "command line";
  if (flags.config) {
    const file = readConfigFile(flags.config);
    parseTrainConfig(file.config, flags.config); // the file alone must be valid: errors name the file and key
    raw = file.config;
    fileDevice = file.deviceUri;
    source = `${flags.config} with command-line options`;
  }
  const merged: Record<string, unknown> = { ...quickDefaultsFor(flags), ...(flags.draws !== undefined ? MEMORIZE_DEFAULTS : {}), ...raw };
  if (flags.weights) merged.weights = flags.weights;
  if (flags.dataset) merged.dataset = flags.dataset;
  if (flags.downsample) {
    const variant = /^mnist:(\d+x\d+)$/.exec(String(merged.dataset));
    if (variant && flags.dataset !== undefined && variant[1] !== flags.downsample) {
      throw new UserError(`--downsample ${flags.downsample}: --dataset ${flags.dataset} already sets ${variant[1]}; name one (e.g. --dataset mnist --downsample ${flags.downsample})`);
    }
    if (variant) merged.dataset = "mnist"; // the quick job's mnist:7x7, resized by the flag
    merged.downsample = flags.downsample;
  }
  if (flags.layers !== undefined) {
    merged.layers = layersFlag(flags.layers);
    if (raw.learningRates === undefined) merged.learningRates = ratesFor(merged.layers as number[]);
  }
  if (flags.labels) merged.labels = flags.labels;
  if (flags.classes) merged.classes = configIntegerFlag("--classes", flags.classes, "classes");
  if (flags.samples) merged.samples = configIntegerFlag("--samples", flags.samples, "samples");
  if (flags.testSamples) merged.testSamples = configIntegerFlag("--test-samples", flags.testSamples, "testSamples");
  if (flags.epochs) merged.epochs = configIntegerFlag("--epochs", flags.epochs, "epochs");
  if (flags.seed) merged.seed = configIntegerFlag("--seed", flags.seed, "seed");
  if (flags.update) merged.crossbar = { ...(merged.crossbar as Record<string, unknown> | undefined), update: flags.update };
  if (flags.pulse) merged.crossbar = { ...(merged.crossbar as Record<string, unknown> | undefined), pulse: flags.pulse };
  if (flags.temperature) merged.temperatureKelvin = numberFlag("--temperature", flags.temperature);
  // Defaults that depend on other settings (persistent particles only on ideal weights): src/run/train-defaults.ts.
  const config = resolveTrainConfig(merged, source);
  return { config, deviceUri: flags.device ?? fileDevice ?? DEFAULT_DEVICE_URI };
}

/** A resumed run keeps its own config; only --epochs (to extend it) and --device (the board moved) apply. */
function resumeConfig(flags: TrainFlags, resume: ResumePoint): { config: TrainConfig; deviceUri: string } {
  const ignored = (["weights", "config", "dataset", "downsample", "layers", "labels", "classes", "samples", "testSamples", "seed", "temperature", "update"] as const).filter((k) => flags[k] !== undefined);
  if (ignored.length > 0) throw new UserError(`--resume keeps the run's own config; drop ${ignored.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")}`);
  const raw = { ...resume.config, ...(flags.epochs ? { epochs: configIntegerFlag("--epochs", flags.epochs, "epochs") } : {}) };
  const config = parseTrainConfig(raw, join(resume.runDir, "config.json"));
  if (config.epochs < resume.epochs.length) throw new UserError(`${resume.runDir}: ${resume.epochs.length} epochs done of ${config.epochs}; --epochs cannot undo them`);
  return { config, deviceUri: flags.device ?? resume.deviceUri };
}

/**
 * The quick job's settings, less what a flag replaces: a dataset or size the user names trains on its whole
 * split (the schema's 8,000/2,000 for the mnist package) rather than the quick job's 2,000/1,000.
 */
function quickDefaultsFor(flags: TrainFlags): Record<string, unknown> {
  if (flags.dataset === undefined && flags.downsample === undefined) return QUICK_TRAIN_DEFAULTS;
  const { samples: _s, testSamples: _t, ...rest } = QUICK_TRAIN_DEFAULTS;
  return rest;
}

/** `--layers 500`, `--layers 256,64`, `--layers none`: hidden sizes, each an integer ≥ 1. */
function layersFlag(text: string): number[] {
  if (text.trim() === "none" || text.trim() === "") return [];
  return text.split(",").map((part) => {
    const v = Number(part.trim());
    if (!Number.isInteger(v) || v < 1) throw new UserError(`--layers ${text}: "${part.trim()}" is not a layer size (integers ≥ 1, comma-separated, or none)`);
    return v;
  });
}

/** One learning rate per weight layer: the quick job's 0.2 at the input, halved at each layer above it. */
function ratesFor(layers: readonly number[]): number[] {
  return Array.from({ length: layers.length + 1 }, (_, k) => 0.2 / 2 ** k);
}

function integerFlag(name: string, text: string, min?: number): number {
  const v = Number(text);
  if (!Number.isInteger(v)) throw new UserError(`${name} ${text}: must be an integer`);
  if (min !== undefined && v < min) throw new UserError(`${name} ${text}: must be an integer ≥ ${min}`);
  return v;
}

/** An integer flag that sets a config key: at least the schema's minimum for that key, named by the flag. */
function configIntegerFlag(name: string, text: string, key: "classes" | "samples" | "testSamples" | "epochs" | "seed"): number {
  return integerFlag(name, text, TrainConfigSchema.shape[key].unwrap().minValue ?? undefined);
}

function numberFlag(name: string, text: string): number {
  const v = Number(text);
  if (!Number.isFinite(v)) throw new UserError(`${name} ${text}: must be a number`);
  return v;
}

/** A cli-progress bar on a terminal; otherwise one line per epoch on stderr. */
function makeProgress(tty: boolean): { update: (e: ProgressEvent) => void; done: () => void } {
  let bar: SingleBar | null = null;
  let finished = false;
  const joules = (j: number) => `${j.toExponential(3)} J`;
  return {
    update(e) {
      if (e.kind === "start") {
        process.stderr.write(`run ${e.runDir}\n${e.description}\n`);
        return;
      }
      if (e.kind === "evaluate") {
        bar?.stop();
        bar = null;
        process.stderr.write("evaluating on the train and test sets…\n");
        return;
      }
      if (e.kind === "epoch") {
        if (!tty) {
          const r = e.result;
          process.stderr.write(`epoch ${r.epoch}/${e.epochs}  loss ${r.trainLoss.toFixed(4)}  acc ${r.trainAccuracy.toFixed(3)}  device ${joules(e.deviceJoules)} so far\n`);
        }
        return;
      }
      if (!tty || e.kind !== "batch") return;
      const total = e.epochs * e.batches;
      const value = (e.epoch - 1) * e.batches + e.batch;
      const payload = { ep: `${e.epoch}/${e.epochs}`, loss: e.loss.toFixed(4), acc: e.accuracy.toFixed(3), joules: joules(e.deviceJoules) };
      if (!bar) {
        bar = new SingleBar({
          stream: process.stderr,
          format: "epoch {ep} |{bar}| {percentage}% | loss {loss} | acc {acc} | device {joules} so far | eta {eta_formatted}",
          hideCursor: true,
          etaBuffer: 50,
        });
        bar.start(total, value, payload);
      } else bar.update(value, payload);
    },
    done() {
      if (finished) return;
      finished = true;
      bar?.stop();
    },
  };
}

const fmt = (v: number | null, digits = 4) => (v === null ? "n/a" : Math.abs(v) !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6) ? v.toExponential(digits - 1) : v.toPrecision(digits));

/** "E_learn ÷ 119 bits (fano, lower end) = 1.2e-5 J/bit": each figure named by the bound it divides by. */
function perBitLine(f: { value: number | null; bits: number }, end: { method: string; bound?: string }, unit: string): string {
  const name = end.bound ?? end.method.split(/\s*=|,|\s\(/)[0]!.trim();
  return `E_learn ÷ ${fmt(f.bits)} bits (${name}) = ${fmt(f.value)}${unit ? ` ${unit}` : ""}`;
}

/** The human-readable end-of-run report. */
export function formatSummary(s: TrainingSummary): string {
  const e = s.energy_joules;
  const b = s.bits_learned;
  const lines = [
    "",
    `run directory   ${s.run_dir}`,
    `experiment      ${s.dataset}; network ${s.network}, ${s.weights} weights on ${s.weights === "ideal" ? "host memory" : s.device_uri}; ${s.epochs} epochs, seed ${s.seed}, ${s.wall_seconds.toFixed(1)} s`,
    `accuracy        train ${fmt(s.accuracy.train)}   test ${fmt(s.accuracy.test)}`,
    `energy          E_learn ${fmt(e.learning)} J (${e.groups.learning.join(", ")})   overhead ${fmt(e.overhead)} J (${e.groups.overhead.join(", ")})   device total ${fmt(e.total)} J`,
    `  by activity   ${Object.entries(e.by_activity).map(([k, v]) => `${k} ${fmt(v)}`).join("  ")}`,
    `  by component  total    ${hardwareLine(e.by_component, fmt)}`,
    `                E_learn  ${hardwareLine(e.by_component_learning, fmt)}`,
    `  contract      ${Object.entries(e.by_physical_component).map(([k, v]) => `${k} ${fmt(v)}`).join("  ")}`,
    `  beside it     board power ${e.board_power === null ? "unavailable" : `${fmt(e.board_power)} J`}; host CPU ${e.host_cpu === null ? `unavailable (${e.host_cpu_unavailable_reason})` : `${fmt(e.host_cpu)} J`}`,
    ...(e.restore > 0 ? [`                restoring checkpoints on resume ${fmt(e.restore)} J (re-writing the weights on the device)`] : []),
    ...(e.interrupted > 0 ? [`                interrupted attempts ${fmt(e.interrupted)} J (spent after their checkpoint before a kill or abort, then redone on resume)`] : []),
    `bits learned    lower ${fmt(b.lower.bits)}  — ${b.lower.method}`,
    `                estimate ${b.estimate ? `${fmt(b.estimate.bits)}  — ${b.estimate.method}` : "n/a"}`,
    `                upper ${fmt(b.upper.bits)}  — ${b.upper.method}`,
    ...b.all.filter((x) => !x.applies).map((x) => `                (not applied: ${x.name} — ${x.why})`),
    ...b.notes.map((n) => `  note: ${n}`),
    `joules per bit  ${perBitLine(s.joules_per_bit.lower_end, b.lower, "J/bit")}   ${perBitLine(s.joules_per_bit.upper_end, b.upper, "J/bit")}`,
    `Landauer ×      ${perBitLine(s.landauer_multiple.lower_end, b.lower, "")}   ${perBitLine(s.landauer_multiple.upper_end, b.upper, "")}   (E_learn ÷ k_B·T·ln 2 ÷ bits, T = ${s.temperature_kelvin} K)`,
    "",
  ];
  return lines.join("\n");
}
