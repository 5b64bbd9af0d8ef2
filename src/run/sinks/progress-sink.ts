// The caller's progress callback (`mhil train`'s bar) as a subscriber: start, each batch, each committed epoch,
// and the evaluation.
import type { EpochResult } from "../../train/session.js";
import type { RunEvent, RunSink } from "../run-events.js";

export type ProgressEvent =
  | { kind: "start"; runDir: string; epochs: number; samples: number; description: string }
  | { kind: "batch"; epoch: number; epochs: number; batch: number; batches: number; loss: number; accuracy: number; deviceJoules: number }
  | { kind: "epoch"; epochs: number; result: EpochResult; deviceJoules: number }
  | { kind: "evaluate" }
  /** Something the run chose for the user that they should know (e.g. a simulated array sized to the network). */
  | { kind: "note"; text: string };

export class ProgressSink implements RunSink {
  private epochs = 0;

  constructor(private readonly onProgress: (e: ProgressEvent) => void) {}

  on(e: RunEvent): void {
    const p = this.onProgress;
    if (e.kind === "start") {
      this.epochs = e.start.config.epochs;
      p({ kind: "start", runDir: e.start.runDir, epochs: this.epochs, samples: e.start.trainSamples, description: e.start.dataset });
    } else if (e.kind === "batch") {
      const { epoch, epochs, batch, batches, loss, accuracy, deviceJoules } = e.batch;
      p({ kind: "batch", epoch, epochs, batch, batches, loss, accuracy, deviceJoules });
    } else if (e.kind === "checkpoint") {
      p({ kind: "epoch", epochs: this.epochs, result: e.epoch.result, deviceJoules: e.epoch.energy.total_joules });
    } else if (e.kind === "evaluate") p({ kind: "evaluate" });
  }
}
