// Device parameters: the named, SI-unit configuration every device model, preset and fitted calibration shares.
import { UserError } from "../../src/hal/user-error.js";

/** Which pulse-response model a device follows (see models.ts). */
export type DeviceModelKind = "ideal" | "linearStep" | "softBounds" | "expStep";

export const DEVICE_MODEL_KINDS: readonly DeviceModelKind[] = ["ideal", "linearStep", "softBounds", "expStep"];

/** How the devices of a fresh array start. */
export type InitialConductance = "gMin" | "gMax" | "uniform";

/**
 * One device type. Presets are instances of this; a calibration fit produces exactly this shape.
 * Spreads are relative standard deviations (0.2 = 20 %). Voltages are magnitudes unless said otherwise.
 */
export interface DeviceParams {
  model: DeviceModelKind;
  /** Lower conductance bound (fully RESET). */
  gMinSiemens: number;
  /** Upper conductance bound (fully SET). */
  gMaxSiemens: number;
  /** Mean conductance change of one nominal pulse (nominal volts and width), before asymmetry and nonlinearity. */
  stepSiemens: number;
  /** Up/down asymmetry a: a potentiating step is step·(1+a), a depressing one step·(1−a). In (−1, 1). */
  upDownAsymmetry: number;
  /** Device-to-device relative spread of the step size (each device draws its own up and down step once). */
  stepSpreadD2d: number;
  /** Device-to-device spread of the bounds, relative to the range gMax − gMin (each device draws its own bounds once). */
  boundsSpreadD2d: number;
  /** Cycle-to-cycle write noise: relative standard deviation of every single step. */
  writeNoiseC2c: number;
  /** Read noise: relative standard deviation of a conductance on every read. */
  readNoise: number;
  /** Probability that a device is stuck at its gMin (never switches). */
  stuckAtMinProbability: number;
  /** Probability that a device is stuck at its gMax (never switches). */
  stuckAtMaxProbability: number;
  /** No change below these amplitudes (SET polarity, RESET polarity magnitude). */
  thresholdVoltsPositive: number;
  thresholdVoltsNegative: number;
  /** The pulse that moves exactly one mean step: its amplitude (each polarity) and width. */
  nominalVoltsPositive: number;
  nominalVoltsNegative: number;
  nominalPulseWidthSeconds: number;
  /**
   * Switching rate of a pulse, in nominal steps: ((|V|−Vth)/(Vnom−Vth))^amplitudeExponent · (w/wNom)^widthExponent,
   * and 0 when |V| ≤ Vth. A larger or longer pulse moves more.
   */
  amplitudeExponent: number;
  widthExponent: number;
  /** ExpStep nonlinearity: the step shrinks as exp(−gammaUp·x) going up and exp(−gammaDown·(1−x)) going down, x = (G−gMin)/(gMax−gMin). */
  gammaUp: number;
  gammaDown: number;
  /** Pulses a device survives; after that it stops switching (stuck where it is). */
  endurancePulses: number;
  initialConductance: InitialConductance;
  /** Device limits (checked before anything is applied). */
  maxReadVolts: number;
  maxProgramVoltsPositive: number;
  maxProgramVoltsNegative: number;
  minPulseWidthSeconds: number;
  maxPulseWidthSeconds: number;
  complianceAmperes: number;
}

/** A bad device parameter: names the field and the value. Nothing was built. */
export class DeviceParamsError extends UserError {
  constructor(readonly field: string, readonly value: unknown, detail: string) {
    super(`${field} = ${typeof value === "number" && Number.isNaN(value) ? "NaN" : JSON.stringify(value)}: ${detail}`);
  }
}

const NUMERIC_FIELDS = [
  "gMinSiemens", "gMaxSiemens", "stepSiemens", "upDownAsymmetry", "stepSpreadD2d", "boundsSpreadD2d", "writeNoiseC2c",
  "readNoise", "stuckAtMinProbability", "stuckAtMaxProbability", "thresholdVoltsPositive", "thresholdVoltsNegative",
  "nominalVoltsPositive", "nominalVoltsNegative", "nominalPulseWidthSeconds", "amplitudeExponent", "widthExponent",
  "gammaUp", "gammaDown", "endurancePulses", "maxReadVolts", "maxProgramVoltsPositive", "maxProgramVoltsNegative",
  "minPulseWidthSeconds", "maxPulseWidthSeconds", "complianceAmperes",
] as const satisfies readonly (keyof DeviceParams)[];

/** The parameters in their documented order (model first), e.g. for printing. */
export function orderedDeviceParams(p: DeviceParams): DeviceParams {
  const keys = ["model", ...NUMERIC_FIELDS.slice(0, 20), "initialConductance", ...NUMERIC_FIELDS.slice(20)] as (keyof DeviceParams)[];
  return Object.fromEntries(keys.map((k) => [k, p[k]])) as unknown as DeviceParams;
}

/** Checks every field; throws DeviceParamsError naming the first bad one (prefixed by `at`, e.g. "device."). */
export function validateDeviceParams(p: DeviceParams, at = "device."): DeviceParams {
  if (p === null || typeof p !== "object") throw new DeviceParamsError(at.replace(/\.$/, ""), p, "must be an object of device parameters");
  if (!DEVICE_MODEL_KINDS.includes(p.model)) throw new DeviceParamsError(`${at}model`, p.model, `must be one of ${DEVICE_MODEL_KINDS.join(", ")}`);
  for (const f of NUMERIC_FIELDS) {
    const v = p[f];
    // The asymmetry is signed (checked in (−1, 1) below): a device whose depressing steps are the larger has a < 0.
    if (typeof v !== "number" || Number.isNaN(v) || (v < 0 && f !== "upDownAsymmetry")) throw new DeviceParamsError(`${at}${f}`, v, "must be a number ≥ 0");
    if (!Number.isFinite(v) && f !== "endurancePulses") throw new DeviceParamsError(`${at}${f}`, v, "must be finite");
  }
  const bad = (f: keyof DeviceParams, detail: string): never => {
    throw new DeviceParamsError(`${at}${f}`, p[f], detail);
  };
  if (!(p.gMinSiemens < p.gMaxSiemens)) bad("gMinSiemens", `must be below gMaxSiemens (${p.gMaxSiemens})`);
  if (!(p.gMaxSiemens > 0)) bad("gMaxSiemens", "must be > 0");
  if (!(Math.abs(p.upDownAsymmetry) < 1)) bad("upDownAsymmetry", "must be in (−1, 1)");
  for (const f of ["stuckAtMinProbability", "stuckAtMaxProbability"] as const) if (p[f] > 1) bad(f, "must be a probability in [0, 1]");
  if (p.stuckAtMinProbability + p.stuckAtMaxProbability > 1) bad("stuckAtMaxProbability", "stuck probabilities must sum to ≤ 1");
  if (!(p.nominalVoltsPositive > p.thresholdVoltsPositive)) bad("nominalVoltsPositive", `must exceed thresholdVoltsPositive (${p.thresholdVoltsPositive})`);
  if (!(p.nominalVoltsNegative > p.thresholdVoltsNegative)) bad("nominalVoltsNegative", `must exceed thresholdVoltsNegative (${p.thresholdVoltsNegative})`);
  if (!(p.nominalPulseWidthSeconds > 0)) bad("nominalPulseWidthSeconds", "must be > 0");
  if (!(p.minPulseWidthSeconds > 0)) bad("minPulseWidthSeconds", "must be > 0");
  if (!(p.maxPulseWidthSeconds >= p.minPulseWidthSeconds)) bad("maxPulseWidthSeconds", `must be ≥ minPulseWidthSeconds (${p.minPulseWidthSeconds})`);
  if (!(p.maxReadVolts > 0)) bad("maxReadVolts", "must be > 0");
  if (!(p.complianceAmperes > 0)) bad("complianceAmperes", "must be > 0");
  if (!(p.endurancePulses > 0)) bad("endurancePulses", "must be > 0");
  if (!["gMin", "gMax", "uniform"].includes(p.initialConductance)) bad("initialConductance", 'must be "gMin", "gMax" or "uniform"');
  return p;
}

/**
 * Switching rate of one pulse in nominal steps (0 below threshold). Positive volts potentiate.
 * rate = ((|V|−Vth)/(Vnom−Vth))^amplitudeExponent · (w/wNom)^widthExponent.
 */
export function switchingRate(p: DeviceParams, volts: number, widthSeconds: number): number {
  const up = volts > 0;
  const mag = Math.abs(volts);
  const vth = up ? p.thresholdVoltsPositive : p.thresholdVoltsNegative;
  if (!(mag > vth)) return 0;
  const vnom = up ? p.nominalVoltsPositive : p.nominalVoltsNegative;
  return Math.pow((mag - vth) / (vnom - vth), p.amplitudeExponent) * Math.pow(widthSeconds / p.nominalPulseWidthSeconds, p.widthExponent);
}
