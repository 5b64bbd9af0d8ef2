// The pulse-energy trade-off: device energy per unit conductance change as a function of the update pulse's
// amplitude and width, measured at a fixed ΔG on any backend, and the pulse that spends the least.
//
// For every (V, w) on a grid within the device's limits: the sample cells (whole rows) are RESET to their floor (not
// counted), then SET pulses of that shape go out as row-parallel requests (the shape the trainer's updates
// use, half-select included) in rounds of 1, 2, 4, … pulses per cell, each followed by a read, until the mean
// ΔG reaches the target or the pulse budget is spent. Joules per siemens = the measured energy (all components:
// selected and half-selected cells, periphery) of the fewest whole pulses that reach the target ÷ (cells ·
// target): a pulse coarser than the change asked for is charged in full. Reads and RESETs are the procedure's
// cost, not the pulse's, and are not in it.
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
  /**
   * Cells sampled: every cell of the first `rows` rows (default 8, or the array), so that a row pulse selects a
   * whole row as a dense update does and the half-selected cells' share is the one training pays.
   */
  rows?: number;
  /** Most pulses per cell before a shape is given up (default 512). */
  maxPulses?: number;
  /** Hears every device answer the procedure gets (to book its joules, e.g. as characterisation overhead). */
  record?: (m: Measured<unknown>) => void;
}

export interface PulseEnergyPoint {
  volts: number;
  widthSeconds: number;
  /** Pulses per cell that reach the target (all applied when none did). */
  pulses: number;
  /** Mean ΔG reached by the last read, siemens. */
  deltaSiemens: number;
  /** Those pulses' measured joules over all sampled cells. */
  joules: number;
  /** joules ÷ (cells · target ΔG); when the target was not reached, ÷ (cells · ΔG); null when nothing moved. */
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
  const sample = { rows: Math.min(o.rows ?? 8, id.rows), cols: id.cols };
  const volts = o.volts ?? Array.from({ length: 6 }, (_, k) => L.maxProgramVoltsPositive * (0.5 + 0.1 * k));
  const widths = o.widthsSeconds ?? logSpaced(L.minPulseWidthSeconds, L.maxPulseWidthSeconds, 5);
  const maxPulses = o.maxPulses ?? 512;
  const readVolts = L.maxReadVolts;
  // The range: floor after RESET bursts, ceiling after SET bursts at the positive limit and the longest width.
  await resetCells(crossbar, id, sample);
  const floor = await sampleRead(crossbar, id, sample, readVolts);
  for (let b = 0; b < RESET_BURSTS; b++) await crossbar.program(rowPulses(id, sample, Math.min(BURST, L.maxPulseCount), L.maxProgramVoltsPositive, L.maxPulseWidthSeconds));
  const ceiling = await sampleRead(crossbar, id, sample, readVolts);
  const rangeSiemens = mean(ceiling.map((g, k) => g - floor[k]!));
  const target = o.targetFraction * rangeSiemens;
  const points: PulseEnergyPoint[] = [];
  for (const v of volts) {
    for (const w of widths) {
      await resetCells(crossbar, id, sample);
      const g0 = await sampleRead(crossbar, id, sample, readVolts);
      let applied = 0;
      let joules = 0;
      let delta = 0;
      // Whole pulses that first reach the target: the last round's pulses are taken in proportion, rounded up
      // (a round's ΔG and energy grow about linearly in its pulses; a pulse cannot be split).
      let needed = 0;
      let neededJoules = 0;
      for (let round = 1; applied < maxPulses; round *= 2) {
        const n = Math.min(round, maxPulses - applied, L.maxPulseCount);
        const m = await crossbar.program(rowPulses(id, sample, n, v, w));
        const e = m.energy.cell + m.energy.halfSelected + m.energy.peripheral;
        const g = await sampleRead(crossbar, id, sample, readVolts);
        const now = mean(g.map((x, k) => x - g0[k]!));
        if (now >= target) {
          const part = now > delta ? Math.min(n, Math.ceil((n * (target - delta)) / (now - delta))) : n;
          needed = applied + part;
          neededJoules = joules + (e * part) / n;
        }
        joules += e;
        applied += n;
        delta = now;
        if (needed > 0) break;
      }
      const cells = sample.rows * sample.cols;
      points.push({
        volts: v,
        widthSeconds: w,
        pulses: needed > 0 ? needed : applied,
        deltaSiemens: delta,
        joules: needed > 0 ? neededJoules : joules,
        // At the target: what overshoots it (a pulse coarser than the change asked for) is paid, not credited.
        joulesPerSiemens: needed > 0 ? neededJoules / (cells * target) : delta > 0 ? joules / (cells * delta) : null,
        reachedTarget: needed > 0,
      });
    }
  }
  await crossbar.reset();
  const reached = points.filter((p) => p.reachedTarget && p.joulesPerSiemens !== null);
  const minimum = reached.reduce<PulseEnergyPoint | null>((best, p) => (best === null || p.joulesPerSiemens! < best.joulesPerSiemens! ? p : best), null);
  return { model: id.model, rangeSiemens, targetDeltaSiemens: target, cells: sample.rows * sample.cols, points, minimum };
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
interface Sample {
  rows: number;
  cols: number;
}

function rowPulses(id: DeviceIdentity, sample: Sample, count: number, volts: number, widthSeconds: number): Pulse[] {
  const scheme: HalfSelectScheme | null = id.capabilities.parallelPulse ? (id.capabilities.halfSelectSchemes.includes("V/2") ? "V/2" : id.capabilities.halfSelectSchemes[0] ?? null) : null;
  const cols = Array.from({ length: sample.cols }, (_, c) => c);
  const pulses: Pulse[] = [];
  for (let r = 0; r < sample.rows; r++) {
    if (scheme !== null) pulses.push({ kind: "row", line: r, selected: cols, counts: cols.map(() => count), volts, widthSeconds, scheme });
    else for (const c of cols) pulses.push({ kind: "cell", row: r, col: c, volts, widthSeconds, count });
  }
  return pulses;
}

/** RESET bursts at the negative limit and the longest width, down to the floor. */
async function resetCells(crossbar: Pick<Crossbar, "program">, id: DeviceIdentity, sample: Sample): Promise<void> {
  const L = id.limits;
  for (let b = 0; b < RESET_BURSTS; b++) await crossbar.program(rowPulses(id, sample, Math.min(BURST, L.maxPulseCount), -L.maxProgramVoltsNegative, L.maxPulseWidthSeconds));
}

async function sampleRead(crossbar: Pick<Crossbar, "readArray">, id: DeviceIdentity, sample: Sample, readVolts: number): Promise<number[]> {
  const all = (await crossbar.readArray(readVolts)).value;
  const out: number[] = [];
  for (let r = 0; r < sample.rows; r++) for (let c = 0; c < sample.cols; c++) out.push(all[r * id.cols + c]!);
  return out;
}
