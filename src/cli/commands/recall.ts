// `mhil recall`: store P random patterns in an associative memory on ideal or crossbar weights, recall each
// from a corrupted cue; print the overlap, bit-error rate, bits stored with their bracket, E_learn, joules per
// bit and the Landauer multiple.
import type { Command } from "commander";
import { Option } from "commander";
import { UserError } from "../../hal/user-error.js";
import { runRecall } from "../../run/recall-run.js";
import type { RecallSummary } from "../../run/recall-summary.js";
import { readConfigFile } from "../../run/config-file.js";
import { MemoryConfigError, parseMemoryConfig, STORAGE_RULES, type MemoryConfig } from "../../train/memory/memory-config.js";
import { deviceFlagOptions, wearPolicy, type DeviceFlags } from "../device-flags.js";

interface RecallFlags extends DeviceFlags {
  weights?: string;
  device?: string;
  config?: string;
  units?: string;
  patterns?: string;
  corrupt?: string;
  rule?: string;
  gain?: string;
  seed?: string;
  temperature?: string;
  pulse?: string;
  json?: boolean;
}

/** A bad flag value: names the flag (exit 2, nothing run). */
export class RecallFlagError extends UserError {}

export function register(program: Command): void {
  const cmd = program
    .command("recall")
    .description("associative memory: store P random ±1 patterns of N units, recall each from a corrupted cue; bits stored and joules per bit")
    .addOption(new Option("--weights <store>", "ideal (floats in memory) or crossbar (on the device; the default when --device is given)").choices(["ideal", "crossbar"]))
    .option("--device <uri>", "device URI for crossbar weights (default: the simulated ReRAM preset sized to the network)")
    .option("--config <file>", "memory config JSON (src/train/memory/memory-config.ts); flags override it")
    .option("--units <N>", "units per pattern (default 200)")
    .option("--patterns <P>", "patterns stored (default 10)")
    .option("--corrupt <f>", "fraction of each cue's units flipped, 0 ≤ f < 0.5 (default 0.1)")
    .addOption(new Option("--rule <rule>", "storage: hebbian (outer products), learned (Hebbian, then the trainer's EqProp rule), modern (Ramsauer et al. 2020)").choices([...STORAGE_RULES]))
    .option("--gain <g>", "unit gain g (W = 2g·J; default 1)")
    .option("--seed <s>", "seed (patterns, cues, device draws; default 1)")
    .addOption(new Option("--pulse <choice>", "crossbar update pulse: default, or minimum-energy (measured first: least joules per siemens at ΔG = 5% of the range)").choices(["default", "minimum-energy"]))
    .option("--temperature <kelvin>", "temperature for the Landauer floor (default 300)")
    .option("--json", "print one JSON object on stdout");
  deviceFlagOptions(cmd).action(async (flags: RecallFlags) => {
    const { config, deviceUri } = resolveRecallConfig(flags);
    const summary = await runRecall({ config, deviceUri, wear: wearPolicy(flags), stopOnTrip: flags.stopOnTrip === true });
    process.stdout.write(flags.json ? JSON.stringify(summary) + "\n" : formatRecall(summary));
  });
}

/** The config the flags (over --config, over the defaults) describe, and the device URI crossbar weights use. */
export function resolveRecallConfig(flags: RecallFlags): { config: MemoryConfig; deviceUri: string } {
  const raw: Record<string, unknown> = flags.config ? { ...readConfigFile(flags.config).config } : {};
  if (flags.weights !== undefined) raw.weights = flags.weights;
  else if (flags.device !== undefined) raw.weights = "crossbar";
  if (raw.weights === "ideal" && flags.device !== undefined) throw new RecallFlagError(`--device ${flags.device}: ideal weights use no device (give --weights crossbar, or leave --device out)`);
  const setInt = (flag: string, key: string, text: string | undefined, min: number) => {
    if (text === undefined) return;
    const v = Number(text);
    if (!Number.isInteger(v) || v < min) throw new RecallFlagError(`${flag} ${text}: must be an integer ≥ ${min}`);
    raw[key] = v;
  };
  const setNumber = (flag: string, key: string, text: string | undefined, ok: (v: number) => boolean, want: string) => {
    if (text === undefined) return;
    const v = Number(text);
    if (text.trim() === "" || !Number.isFinite(v) || !ok(v)) throw new RecallFlagError(`${flag} ${text}: must be ${want}`);
    raw[key] = v;
  };
  setInt("--units", "units", flags.units, 2);
  setInt("--patterns", "patterns", flags.patterns, 1);
  setInt("--seed", "seed", flags.seed, 0);
  setNumber("--corrupt", "corrupt", flags.corrupt, (v) => v >= 0 && v < 0.5, "a fraction 0 ≤ f < 0.5");
  setNumber("--gain", "gain", flags.gain, (v) => v > 0, "a number > 0");
  setNumber("--temperature", "temperatureKelvin", flags.temperature, (v) => v > 0, "a temperature > 0 K");
  if (flags.rule !== undefined) raw.rule = flags.rule;
  if (flags.pulse !== undefined) raw.pulse = flags.pulse;
  let config: MemoryConfig;
  try {
    config = parseMemoryConfig(raw, flags.config ?? "recall flags");
  } catch (e) {
    if (e instanceof MemoryConfigError) throw new RecallFlagError(e.message, 2, { cause: e });
    throw e;
  }
  const sizes = config.rule === "modern" ? { rows: config.units, cols: 2 * config.patterns } : { rows: config.units, cols: 2 * config.units };
  return { config, deviceUri: flags.device ?? `sim:reram?rows=${sizes.rows}&cols=${sizes.cols}` };
}

function formatRecall(s: RecallSummary): string {
  const g = (v: number | null, d = 3) => (v === null ? "—" : v.toPrecision(d));
  const b = s.bits_stored;
  return [
    `${s.rule} memory, ${s.patterns} patterns of ${s.units} units (load P/N = ${g(s.load)}) on ${s.weights} weights${s.device_uri ? ` (${s.device_uri})` : ""}, cues ${g(s.corrupt * 100, 2)}% corrupted`,
    `overlap ${s.overlap.toFixed(4)} (min ${s.overlaps.min.toFixed(3)}; ${(s.overlaps.fraction_below_half * 100).toFixed(0)}% of patterns below 0.5)`,
    `bit-error rate ${g(s.bit_error_rate.value)} [${g(s.bit_error_rate.lower)}, ${g(s.bit_error_rate.upper)}] (${s.bit_error_rate.confidence * 100}%)`,
    ...(s.pulse.trade_off?.minimum ? [`minimum-energy pulse: ${g(s.pulse.trade_off.minimum.volts)} V, ${g(s.pulse.trade_off.minimum.widthSeconds)} s (${g(s.pulse.trade_off.minimum.joulesPerSiemens)} J/S at ΔG ${g(s.pulse.trade_off.targetDeltaSiemens)} S, of ${s.pulse.trade_off.points.length} shapes)`] : []),
    `bits stored ${b.estimate.toFixed(0)} [${b.lower.toFixed(0)}, ${b.upper.toFixed(0)}] = P·N·(1 − h2(ε)); beyond the cue at least ${b.weights_lower.toFixed(0)}`,
    s.weights === "ideal"
      ? `ideal weights: no device, so no device joules (E_learn 0 J; ${s.storage.updates} updates${s.storage.epochs ? `, ${s.storage.epochs} EqProp epochs` : ""})`
      : `E_learn ${g(s.energy_joules.learning)} J (${s.storage.pulses} pulses, ${s.storage.updates} updates${s.storage.epochs ? `, ${s.storage.epochs} EqProp epochs` : ""}); recall ${g(s.energy_joules.recall)} J; overhead ${g(s.energy_joules.overhead)} J`,
    ...(s.weights === "ideal" ? [] : [`joules per bit ${g(s.joules_per_bit.estimate)} [${g(s.joules_per_bit.upper_end)}, ${g(s.joules_per_bit.lower_end)}]; × Landauer ${g(s.landauer_multiple.estimate)}`]),
    "",
  ].join("\n");
}
