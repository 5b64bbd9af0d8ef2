// Write-verify programming: converge cells to target conductances within a tolerance, after ArC's
// ConvergeToState. Every unconverged cell is pulsed in one batch per round, then the array is read back.
// Per cell: pulse counts grow while nothing moves, then the amplitude ramps, then the width; after a
// move the next count is sized from the measured change per pulse; an overshoot backs the amplitude off.
// The one write-verify of the house: the crossbar store runs it after an update (crossbar.writeVerify),
// and it programs any set of targets on any backend (tests/calibration/write-verify.test.ts).
import type { CellPulse, Crossbar, Measured } from "../hal/crossbar.js";

export interface ConductanceTarget {
  row: number;
  col: number;
  siemens: number;
  /**
   * |ΔG| of one pulse at the first amplitude and width, when already known (the store's characterised
   * step): it sizes the first count, which otherwise starts at one pulse and grows until the device moves.
   */
  stepSiemens?: number;
  /** This target's own tolerance (its read noise grows with the conductance); default the options'. */
  toleranceSiemens?: number;
}

export interface WriteVerifyOptions {
  /** Done when |G − target| ≤ this, siemens. */
  toleranceSiemens: number;
  /** First amplitude tried, as a fraction of the polarity's program limit (default 0.6). */
  startFraction?: number;
  /** Amplitude ramp step, as a fraction of the limit (default 0.05). */
  stepFraction?: number;
  /** First pulse width (default: 10× the minimum width, within the range). */
  startWidthSeconds?: number;
  /** Reads averaged per verify (default 2). */
  readsPerVerify?: number;
  /** Rounds before giving up (default 200). */
  maxRounds?: number;
  /** Largest pulse count per round per cell (default min(64, maxPulseCount)). */
  maxCountPerRound?: number;
  /** Read voltage of the verify reads (default: the backend's own). */
  readVolts?: number;
}

export interface WriteVerifyCellResult extends ConductanceTarget {
  finalSiemens: number;
  converged: boolean;
  rounds: number;
  pulses: number;
}

export interface WriteVerifyResult {
  cells: WriteVerifyCellResult[];
  converged: number;
  pulses: number;
  programJoules: number;
  verifyJoules: number;
  joules: number;
  seconds: number;
}

/** Called with every backend answer, so a caller's ledger can record it under its own activity. */
export type MeasuredSink = (activity: "program" | "verifyRead", m: Measured<unknown>) => void;

interface CellState {
  t: ConductanceTarget;
  g: number;
  volts: number; // magnitude of the next pulse
  width: number;
  count: number;
  perPulse: number; // measured |ΔG| per pulse, 0 = unknown
  lastSign: number;
  rounds: number;
  pulses: number;
  /** Read within tolerance once; the next read must agree before the cell counts as done. */
  confirming: boolean;
  done: boolean;
}

export async function programToTargets(xbar: Crossbar, targets: ConductanceTarget[], o: WriteVerifyOptions, sink: MeasuredSink = () => {}): Promise<WriteVerifyResult> {
  const id = await xbar.identify();
  const L = id.limits;
  const startFraction = o.startFraction ?? 0.6;
  const stepFraction = o.stepFraction ?? 0.05;
  const reads = o.readsPerVerify ?? 2;
  const maxRounds = o.maxRounds ?? 200;
  const maxCount = Math.min(o.maxCountPerRound ?? 64, L.maxPulseCount);
  const w0 = Math.min(L.maxPulseWidthSeconds, Math.max(L.minPulseWidthSeconds, o.startWidthSeconds ?? 10 * L.minPulseWidthSeconds));
  let programJoules = 0, verifyJoules = 0, seconds = 0;
  const joulesOf = (m: Measured<unknown>) => m.energy.cell + m.energy.halfSelected + m.energy.peripheral;

  const readAll = async (): Promise<Float64Array> => {
    let sum: Float64Array | null = null;
    for (let k = 0; k < reads; k++) {
      const m = o.readVolts === undefined ? await xbar.readArray() : await xbar.readArray(o.readVolts);
      sink("verifyRead", m);
      verifyJoules += joulesOf(m);
      seconds += m.durationSeconds;
      if (!sum) sum = Float64Array.from(m.value);
      else for (let i = 0; i < sum.length; i++) sum[i]! += m.value[i]!;
    }
    for (let i = 0; i < sum!.length; i++) sum![i]! /= reads;
    return sum!;
  };

  let g = await readAll();
  const cells: CellState[] = targets.map((t) => ({
    t, g: g[t.row * id.cols + t.col]!, volts: 0, width: w0, count: 1, perPulse: t.stepSiemens ?? 0, lastSign: 0, rounds: 0, pulses: 0, confirming: false, done: false,
  }));
  const limitFor = (sign: number) => (sign > 0 ? L.maxProgramVoltsPositive : L.maxProgramVoltsNegative);
  for (const c of cells) c.confirming = Math.abs(c.t.siemens - c.g) <= (c.t.toleranceSiemens ?? o.toleranceSiemens);

  for (let round = 0; round < maxRounds; round++) {
    const active = cells.filter((c) => !c.done);
    if (active.length === 0) break;
    const batch: CellPulse[] = [];
    for (const c of active) {
      if (c.confirming) continue;
      const err = c.t.siemens - c.g;
      const sign = err > 0 ? 1 : -1;
      const vmax = limitFor(sign);
      if (c.volts === 0 || sign !== c.lastSign) {
        if (c.lastSign !== 0 && sign !== c.lastSign) {
          // Overshoot: come back more gently.
          c.volts = Math.max(startFraction * vmax, c.volts - stepFraction * vmax);
        } else if (c.volts === 0) c.volts = startFraction * vmax;
        c.volts = Math.min(c.volts, vmax);
      }
      c.count = c.perPulse > 0 ? Math.max(1, Math.min(maxCount, Math.floor((0.7 * Math.abs(err)) / c.perPulse))) : c.count;
      c.lastSign = sign;
      batch.push({ kind: "cell", row: c.t.row, col: c.t.col, volts: sign * c.volts, widthSeconds: c.width, count: c.count });
    }
    if (batch.length > 0) {
      const m = await xbar.program(batch);
      sink("program", m);
      programJoules += joulesOf(m);
      seconds += m.durationSeconds;
    }
    g = await readAll();
    for (const c of active) {
      const before = c.g;
      c.g = g[c.t.row * id.cols + c.t.col]!;
      if (c.confirming) {
        c.confirming = false;
        const both = (before + c.g) / 2;
        if (Math.abs(c.t.siemens - both) <= (c.t.toleranceSiemens ?? o.toleranceSiemens)) {
          c.done = true;
          c.g = both;
          continue;
        }
        c.lastSign = 0; // not confirmed: start again from the confirmed reading's side
        c.volts = 0;
        continue;
      }
      c.rounds++;
      c.pulses += c.count;
      const moved = Math.abs(c.g - before);
      if (Math.abs(c.t.siemens - c.g) <= (c.t.toleranceSiemens ?? o.toleranceSiemens)) {
        // Within tolerance once may be read noise: confirm with the next round's read before accepting.
        c.confirming = true;
        continue;
      }
      if (moved < (c.t.toleranceSiemens ?? o.toleranceSiemens) / 4) {
        // Nothing visible happened: more pulses, then a larger amplitude, then a longer pulse.
        c.perPulse = 0;
        const vmax = limitFor(c.lastSign);
        if (c.count < maxCount) c.count = Math.min(maxCount, c.count * 2);
        else if (c.volts < vmax) c.volts = Math.min(vmax, c.volts + stepFraction * vmax);
        else if (c.width < L.maxPulseWidthSeconds) c.width = Math.min(L.maxPulseWidthSeconds, c.width * 2);
      } else {
        c.perPulse = moved / c.count;
        // Too slow to arrive within a few rounds at this amplitude: ramp it (fewer, stronger pulses).
        const vmax = limitFor(c.lastSign);
        if (c.perPulse * maxCount < Math.abs(c.t.siemens - c.g) && c.volts < vmax) {
          c.volts = Math.min(vmax, c.volts + stepFraction * vmax);
          c.perPulse = 0;
          c.count = Math.max(1, c.count >> 1);
        }
      }
    }
  }
  const results: WriteVerifyCellResult[] = cells.map((c) => ({ row: c.t.row, col: c.t.col, siemens: c.t.siemens, finalSiemens: c.g, converged: c.done, rounds: c.rounds, pulses: c.pulses }));
  return {
    cells: results,
    converged: results.filter((r) => r.converged).length,
    pulses: results.reduce((s, r) => s + r.pulses, 0),
    programJoules,
    verifyJoules,
    joules: programJoules + verifyJoules,
    seconds,
  };
}
