// The pulse-energy trade-off: device energy per unit conductance change as a function of the update pulse's
// amplitude and width, measured at a fixed ΔG on any backend, and the pulse that spends the least.
//
// For every (V, w) on a grid within the device's limits: the sample cells are RESET to their floor (not
// counted), then SET pulses of that shape go out as row-parallel requests (the shape the trainer's updates
// use, half-select included) in rounds of 1, 2, 4, … pulses per cell, each followed by a read, until the mean
// ΔG reaches the target or the pulse budget is spent. Joules per siemens = the pulses' measured energy (all
// components: selected and half-selected cells, periphery) ÷ (cells · mean ΔG). Reads and RESETs are the
// procedure's cost, not the pulse's, and are not in it.
// Why a minimum can exist: a pulse's energy grows about as V²·G·w while its step grows as ((V − V_th)/…)^a·w^b
// (threshold switching), so E/ΔG ∝ V²·w^(1−b)/(V − V_th)^a, least at V = 2·V_th/(2 − a) for a < 2, above
// the threshold; per-pulse periphery costs favour fewer, larger pulses.
import type { Crossbar, DeviceIdentity, HalfSelectScheme, Measured, Pulse } from "../hal/crossbar.js";

export interface PulseEnergyOptions {
  /** Mean ΔG each shape must reach, as a fraction of the sampled cells' measured range (floor to ceiling). */
  targetFraction: number;
  /** Amplitudes and widths tried (default: 6 from ½ to 1 of the SET limit; 5 log-spaced over the width limits). */
  volts?: number[];
  widthsSeconds?: number[];
  /** Cells sampled: the first `side` rows × `side` columns (default 8, or the array). */
  side?: number;
  /** Most pulses per cell before a shape is given up (default 512). */
  maxPulses?: number;
  /** Hears every device answer the procedure gets (to book its joules, e.g. as characterisation overhead). */
  record?: (m: Measured<unknown>) => void;
}

export interface PulseEnergyPoint {
  volts: number;
  widthSeconds: number;
  /** Pulses per cell applied. */
  pulses: number;
  /** Mean ΔG reached, siemens. */
  deltaSiemens: number;
  /** The pulses' measured joules over all sampled cells. */
  joules: number;
  /** joules ÷ (cells · ΔG); null when the shape moved nothing. */
  joulesPerSiemens: number | null;
  reachedTarget: boolean;
}

export interface PulseEnergyResult {
  model: string;
  /** The sampled cells' mean range (ceiling − floor) and the target ΔG taken from it, siemens. */
  rangeSiemens: number;
  targetDeltaSiemens: number;
  cells: number;
  points: PulseEnergyPoint[];
  /** The shape with the least joules per siemens among those that reached the target. */
  minimum: PulseEnergyPoint | null;
}

const RESET_BURSTS = 4;
const BURST = 16;

export async function measurePulseEnergy(device: Crossbar, o: PulseEnergyOptions): Promise<PulseEnergyResult> {
  const crossbar = heard(device, o.record);
  const id = await crossbar.identify();
  const L = id.limits;
  const side = Math.min(o.side ?? 8, id.rows, id.cols);
  const volts = o.volts ?? Array.from({ length: 6 }, (_, k) => L.maxProgramVoltsPositive * (0.5 + 0.1 * k));
  const widths = o.widthsSeconds ?? logSpaced(L.minPulseWidthSeconds, L.maxPulseWidthSeconds, 5);
  const maxPulses = o.maxPulses ?? 512;
  const readVolts = L.maxReadVolts;
  // The range: floor after RESET bursts, ceiling after SET bursts at the positive limit and the longest width.
  await resetCells(crossbar, id, side);
  const floor = await sampleRead(crossbar, id, side, readVolts);
  for (let b = 0; b < RESET_BURSTS; b++) await crossbar.program(rowPulses(id, side, Math.min(BURST, L.maxPulseCount), L.maxProgramVoltsPositive, L.maxPulseWidthSeconds));
  const ceiling = await sampleRead(crossbar, id, side, readVolts);
  const rangeSiemens = mean(ceiling.map((g, k) => g - floor[k]!));
  const target = o.targetFraction * rangeSiemens;
  const points: PulseEnergyPoint[] = [];
  for (const v of volts) {
    for (const w of widths) {
      await resetCells(crossbar, id, side);
      const g0 = await sampleRead(crossbar, id, side, readVolts);
      let applied = 0;
      let joules = 0;
      let delta = 0;
      for (let round = 1; applied < maxPulses; round *= 2) {
        const n = Math.min(round, maxPulses - applied, L.maxPulseCount);
        const m = await crossbar.program(rowPulses(id, side, n, v, w));
        joules += m.energy.cell + m.energy.halfSelected + m.energy.peripheral;
        applied += n;
        const g = await sampleRead(crossbar, id, side, readVolts);
        delta = mean(g.map((x, k) => x - g0[k]!));
        if (delta >= target) break;
      }
      const cells = side * side;
      points.push({ volts: v, widthSeconds: w, pulses: applied, deltaSiemens: delta, joules, joulesPerSiemens: delta > 0 ? joules / (cells * delta) : null, reachedTarget: delta >= target });
    }
  }
  await crossbar.reset();
  const reached = points.filter((p) => p.reachedTarget && p.joulesPerSiemens !== null);
  const minimum = reached.reduce<PulseEnergyPoint | null>((best, p) => (best === null || p.joulesPerSiemens! < best.joulesPerSiemens! ? p : best), null);
  return { model: id.model, rangeSiemens, targetDeltaSiemens: target, cells: side * side, points, minimum };
}

/** The device with every answer passed to `record` as well. */
function heard(device: Crossbar, record: ((m: Measured<unknown>) => void) | undefined): Pick<Crossbar, "identify" | "program" | "readArray" | "reset"> {
  const tap = <T>(m: Measured<T>): Measured<T> => {
    record?.(m);
    return m;
  };
  return {
    identify: () => device.identify(),
    program: async (p) => tap(await device.program(p)),
    readArray: async (v) => tap(await device.readArray(v)),
    reset: async () => tap(await device.reset()),
  };
}

function logSpaced(from: number, to: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => from * (to / from) ** (k / (count - 1)));
}

function mean(a: number[]): number {
  return a.reduce((s, x) => s + x, 0) / a.length;
}

/** One row-parallel request per sampled row (half-select by the device's scheme), or cell pulses. */
function rowPulses(id: DeviceIdentity, side: number, count: number, volts: number, widthSeconds: number): Pulse[] {
  const scheme: HalfSelectScheme | null = id.capabilities.parallelPulse ? (id.capabilities.halfSelectSchemes.includes("V/2") ? "V/2" : id.capabilities.halfSelectSchemes[0] ?? null) : null;
  const cols = Array.from({ length: side }, (_, c) => c);
  const pulses: Pulse[] = [];
  for (let r = 0; r < side; r++) {
    if (scheme !== null) pulses.push({ kind: "row", line: r, selected: cols, counts: cols.map(() => count), volts, widthSeconds, scheme });
    else for (const c of cols) pulses.push({ kind: "cell", row: r, col: c, volts, widthSeconds, count });
  }
  return pulses;
}

/** RESET bursts at the negative limit and the longest width, down to the floor. */
async function resetCells(crossbar: Pick<Crossbar, "program">, id: DeviceIdentity, side: number): Promise<void> {
  const L = id.limits;
  for (let b = 0; b < RESET_BURSTS; b++) await crossbar.program(rowPulses(id, side, Math.min(BURST, L.maxPulseCount), -L.maxProgramVoltsNegative, L.maxPulseWidthSeconds));
}

async function sampleRead(crossbar: Pick<Crossbar, "readArray">, id: DeviceIdentity, side: number, readVolts: number): Promise<number[]> {
  const all = (await crossbar.readArray(readVolts)).value;
  const out: number[] = [];
  for (let r = 0; r < side; r++) for (let c = 0; c < side; c++) out.push(all[r * id.cols + c]!);
  return out;
}
