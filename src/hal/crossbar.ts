// The Crossbar contract: the one interface every backend (simulated array, serial
// controller, Firmata test board) implements and the trainer, calibration and CLI use.
import type { Amperes, Joules, Seconds, Siemens, Volts } from "./units.js";

/** Device limits. Checked on the host before anything reaches a device (see limits.ts). */
export interface DeviceLimits {
  /** Largest |V| allowed for reads and matrix-vector products. */
  maxReadVolts: Volts;
  /** Largest amplitude of a positive (potentiating, SET) programming pulse. */
  maxProgramVoltsPositive: Volts;
  /** Largest magnitude of a negative (depressing, RESET) programming pulse. */
  maxProgramVoltsNegative: Volts;
  minPulseWidthSeconds: Seconds;
  maxPulseWidthSeconds: Seconds;
  /** Most repetitions of one pulse in one request. */
  maxPulseCount: number;
  /** Current compliance: a pulse whose current exceeds this is cut short. */
  complianceAmperes: Amperes;
  /** Row/column driver resolution in bits (input codes). */
  dacBits: number;
  /** Current-sense converter resolution in bits (output codes). */
  adcBits: number;
}

export type HalfSelectScheme = "V/2" | "V/3";

/** What a backend can do; a board may declare a subset (conformance tests honour it). */
export interface DeviceCapabilities {
  readArray: boolean;
  mvmForward: boolean;
  mvmTransposed: boolean;
  /**
   * How mvm is computed, when a backend says: "analog" — the array forms the product physically
   * (Ohm and Kirchhoff); "reads" — the backend reads every conductance and multiplies on the host.
   */
  mvmMethod?: "analog" | "reads";
  /** Row- or column-parallel pulses with a half-select scheme. */
  parallelPulse: boolean;
  halfSelectSchemes: HalfSelectScheme[];
}

export type BackendKind = "sim" | "twin" | "serial" | "firmata";

export interface DeviceIdentity {
  backend: BackendKind;
  model: string;
  serial: string;
  firmwareVersion: string;
  protocolVersion: string;
  rows: number;
  cols: number;
  limits: DeviceLimits;
  capabilities: DeviceCapabilities;
  /** Endurance in pulses per cell, when the preset or calibration knows it. */
  endurancePulses?: number;
}

/**
 * The finer physical components a backend may split its energy into (optional: a backend that cannot split
 * answers only the three parts of EnergyBreakdown). Each belongs to exactly one of the three parts:
 * cell = cellSet + cellReset + cellRead; halfSelected = halfSelected; peripheral = the rest.
 */
export const ENERGY_COMPONENTS = [
  "cellSet", "cellReset", "cellRead", "halfSelected", "adc", "dac", "tia", "lineCharging", "gateLines", "leakage", "lineResistance",
] as const;
export type EnergyComponent = (typeof ENERGY_COMPONENTS)[number];

/** Energy a call spent, by component, in joules. */
export interface EnergyBreakdown {
  /** Selected cells: reads and programming pulses on the addressed devices. */
  cell: Joules;
  /** Half-selected cells disturbed by a parallel or V/2, V/3 scheme. */
  halfSelected: Joules;
  /**
   * Everything outside the cells: converters (DAC/ADC), transimpedance amplifiers, charging the row, column and
   * gate lines, leakage, and the lines' own resistance.
   */
  peripheral: Joules;
  /** Optional: the same joules split finer (a partition of cell + halfSelected + peripheral). */
  components?: Partial<Record<EnergyComponent, Joules>>;
}

/** Every backend answer: the value, what it cost (measured), and how long it took. */
export interface Measured<T> {
  value: T;
  energy: EnergyBreakdown;
  durationSeconds: Seconds;
}

/** One cell, pulsed `count` times. Positive volts potentiate (raise G); negative depress. */
export interface CellPulse {
  kind: "cell";
  row: number;
  col: number;
  volts: Volts;
  widthSeconds: Seconds;
  count: number;
}

/**
 * Row-parallel: row `row` driven at +V/2 (or 2V/3), the selected columns at −V/2 (or −V/3),
 * so selected cells see V and half-selected cells see V/2 or V/3. Column-parallel is the transpose.
 * `volts` is the full voltage a selected cell sees; `counts[k]` is how many times the k-th
 * selected line is pulsed (0 allowed), so one parallel request carries a whole row of updates.
 */
export interface LinePulse {
  kind: "row" | "column";
  /** The driven line (a row index for "row", a column index for "column"). */
  line: number;
  /** Indices of the crossing lines that are selected, in increasing order. */
  selected: number[];
  counts: number[];
  volts: Volts;
  widthSeconds: Seconds;
  scheme: HalfSelectScheme;
}

export type Pulse = CellPulse | LinePulse;

export interface ProgramReport {
  /** Pulses actually applied to selected cells (a count of n applied n times counts n). */
  pulsesApplied: number;
  /** Pulses cut short because the current exceeded compliance. */
  complianceTrips: number;
}

export type MvmDirection = "forward" | "transposed";

export interface MvmRequest {
  /**
   * "forward": row voltages (length rows) → column currents (length cols), I = Gᵀ·V.
   * "transposed": column voltages (length cols) → row currents (length rows), I = G·V.
   */
  direction: MvmDirection;
  /** `vectors` input vectors, concatenated (vectors × input length). */
  volts: Float64Array;
  /** How many vectors are in `volts` (default 1). */
  vectors?: number;
  /**
   * Where a backend may write the currents (vectors × output length) and answer with as `value`, so a caller
   * that reads every product at once reuses one array (a fresh Float64Array per product churned ~0.7 GB of
   * buffers in the default training run). A backend may ignore it and answer a new array.
   */
  out?: Float64Array;
}

export interface Crossbar {
  identify(): Promise<DeviceIdentity>;
  /** One cell's conductance, read at `readVolts` (default a backend-chosen safe read voltage). */
  readCell(row: number, col: number, readVolts?: Volts): Promise<Measured<Siemens>>;
  /** The whole array's conductances, row-major (rows × cols). */
  readArray(readVolts?: Volts): Promise<Measured<Float64Array>>;
  /** Matrix-vector products; result is vectors × output length, amperes. */
  mvm(request: MvmRequest): Promise<Measured<Float64Array>>;
  /** A batch of programming pulses, applied in order. Refused whole if any pulse breaks a limit. */
  program(pulses: Pulse[]): Promise<Measured<ProgramReport>>;
  /** Ground every line (the safe state). Safe to call at any time and more than once. */
  reset(): Promise<Measured<void>>;
  /** True when every line is grounded, as the backend itself knows it. */
  isSafe(): Promise<boolean>;
  /** Put the device in its safe state and release the link. */
  close(): Promise<void>;
  /**
   * Only for backends whose state dies with the host process (the in-process simulator): the whole device
   * state, so a checkpoint can carry it and a resumed run continues on the same device bit for bit. A
   * real device keeps its state physically; its driver leaves these out and a resume re-writes the weights.
   */
  saveState?(): Promise<DeviceState>;
  /** Puts back a state saveState() returned on a device opened the same way (same URI and seed); costs nothing. */
  loadState?(state: DeviceState): Promise<void>;
  /**
   * Only for backends behind a link that can damage lines (the serial controller): what the link cost since
   * the device was opened (requests, lines sent, resends and why, timeouts, reconnects), as named counts.
   */
  linkStats?(): LinkCounters;
}

/** A link's counters by name (each a count since the device was opened). */
export type LinkCounters = Readonly<Record<string, number>>;

/** A backend's whole state as JSON (typed arrays base64-encoded by the backend). */
export interface DeviceState {
  /** Which backend wrote it and for what array, e.g. "sim:reram 64x64". */
  kind: string;
  data: Record<string, unknown>;
}

export const zeroEnergy = (): EnergyBreakdown => ({ cell: 0, halfSelected: 0, peripheral: 0 });

export const totalJoules = (e: EnergyBreakdown): number => e.cell + e.halfSelected + e.peripheral;

export function addEnergy(into: EnergyBreakdown, e: EnergyBreakdown): EnergyBreakdown {
  into.cell += e.cell;
  into.halfSelected += e.halfSelected;
  into.peripheral += e.peripheral;
  if (e.components) {
    const c = (into.components ??= {});
    for (const [k, v] of Object.entries(e.components) as [EnergyComponent, number][]) c[k] = (c[k] ?? 0) + v;
  }
  return into;
}
