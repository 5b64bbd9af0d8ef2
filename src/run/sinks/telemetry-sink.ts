// The telemetry journal as a subscriber: each batch and epoch (and the device's health) as points, the bits
// bracket at a successful stop. The points' keys and baseline come from the start (src/run/telemetry.ts).
import type { RunEvent, RunSink } from "../run-events.js";
import type { TelemetryLike } from "../telemetry.js";

export class TelemetrySink implements RunSink {
  constructor(private readonly telemetry: TelemetryLike) {}

  on(e: RunEvent): void {
    const t = this.telemetry;
    if (e.kind === "batch") {
      const b = e.batch;
      t.trainBatch({ epoch: b.epoch, batch: b.batch, batches: b.batches, loss: b.loss, accuracy: b.accuracy, deviceJoules: b.deviceJoules, pulses: b.pulses });
    } else if (e.kind === "epoch") {
      const { result: r, energy } = e.epoch;
      t.trainEpoch({
        epoch: r.epoch, trainLoss: r.trainLoss, trainAccuracy: r.trainAccuracy, updates: r.updates, pulses: r.pulses, weightPathL1: r.weightPathL1, prequentialBits: r.prequentialBits,
        deviceJoules: energy.total_joules, joulesByActivity: energy.by_activity_joules, hostCpuJoules: e.epoch.hostCpuJoules, wallSeconds: e.epoch.wallSeconds,
      });
      if (e.health) t.deviceHealth({ safe: e.health.safe, deviceSeconds: e.health.deviceSeconds, pulses: e.epoch.pulsesSoFar, ...(e.epoch.link ? { link: e.epoch.link } : {}) });
    } else if (e.kind === "stop" && e.summary) {
      const s = e.summary;
      t.bits({
        lowerBits: s.bits_learned.lower.bits,
        lowerMethod: s.bits_learned.lower.method,
        estimateBits: s.bits_learned.estimate?.bits ?? null,
        upperBits: s.bits_learned.upper.bits,
        upperMethod: s.bits_learned.upper.method,
        joulesPerBitLowerEnd: s.joules_per_bit.lower_end.value,
        joulesPerBitUpperEnd: s.joules_per_bit.upper_end.value,
      });
    }
  }

  close(): Promise<void> {
    return this.telemetry.close();
  }
}
