// Writes a small, realistic run's worth of telemetry through the public API (every measurement, every field type).
import type { Telemetry } from "../../src/telemetry/index.js";
import { integer } from "../../src/telemetry/index.js";

export interface RunShape {
  epochs: number;
  batches: number;
  /** Wait this long between epochs, so the points spread over time (dashboard buckets). */
  epochGapMs?: number;
}

export async function writeRun(t: Telemetry, shape: RunShape): Promise<void> {
  let deviceJoules = 0;
  let pulses = 0;
  for (let epoch = 1; epoch <= shape.epochs; epoch++) {
    const byEpoch = { freeRead: 0, nudgedRead: 0, program: 0, verifyRead: 0, reset: 0 };
    for (let batch = 1; batch <= shape.batches; batch++) {
      const e = { freeRead: 1.5e-12 * batch, nudgedRead: 1.25e-12, program: 3e-11 + epoch * 1e-13, verifyRead: 2e-13, reset: 0 };
      const total = e.freeRead + e.nudgedRead + e.program + e.verifyRead + e.reset;
      for (const k of Object.keys(e) as Array<keyof typeof e>) byEpoch[k] += e[k];
      deviceJoules += total;
      pulses += 7;
      t.trainBatch({ epoch, batch, energyJoulesByActivity: e, totalJoules: total, loss: 1 / (epoch * batch), accuracy: Math.min(1, 0.1 * batch), pulses: 7, deviceJoulesSoFar: deviceJoules });
    }
    const total = Object.values(byEpoch).reduce((a, b) => a + b, 0);
    t.trainEpoch({ epoch, energyJoulesByActivity: byEpoch, totalJoules: total, trainAccuracy: 0.5 + epoch / 100, testAccuracy: 0.4 + epoch / 100, loss: 1 / epoch, pulses: 7 * shape.batches, deviceJoulesSoFar: deviceJoules });
    t.deviceHealth({ epoch, conductanceMeanSiemens: 5e-5, conductanceStdSiemens: 1e-6 * epoch, conductanceP05Siemens: 1e-6, conductanceP95Siemens: 9.9e-5, stuckCells: epoch % 3, pulseCount: pulses, safe: true });
    t.point("calibration_sweep", { phase: "calibrate" }, { volts: 0.1 * epoch, cell_row: integer(epoch), note: 'say "hi", a\\b', ok: epoch % 2 === 0 });
    if (shape.epochGapMs) await new Promise((r) => setTimeout(r, shape.epochGapMs));
  }
  t.bits({ epoch: shape.epochs, lowerBits: 12.5, estimateBits: 40, upperBits: 100, joulesPerBitLower: deviceJoules / 100, joulesPerBitUpper: deviceJoules / 12.5, lowerMethod: "fano", upperMethod: "n log2 C" });
}

/** How many points writeRun appends. */
export function runPointCount(shape: RunShape): number {
  return shape.epochs * (shape.batches + 3) + 1;
}
