// metrics.csv as a subscriber: one row per completed epoch. At the start it is written afresh from the epochs
// the checkpoint holds, so rows a killed attempt wrote past its last checkpoint go without being read back.
import { join } from "node:path";
import { ACTIVITIES } from "../../energy/ledger.js";
import { epochColumns, type EpochFigures, type RunEvent, type RunSink } from "../run-events.js";
import { MetricsCsv } from "../run-dir.js";

export const METRIC_COLUMNS = [
  "epoch", "train_loss", "train_accuracy", "updates", "pulses", "weight_path_l1", "prequential_bits", "samples",
  "device_joules_total", "device_joules_learning", "device_joules_overhead", ...ACTIVITIES.map((a) => `joules_${a}` as const),
  "host_cpu_joules", "wall_seconds", "stopped",
] as const;

export class MetricsSink implements RunSink {
  private csv: MetricsCsv | null = null;

  on(e: RunEvent): void {
    if (e.kind === "start") this.csv = new MetricsCsv(join(e.start.runDir, "metrics.csv"), METRIC_COLUMNS, e.start.history.map(metricsRow));
    else if (e.kind === "epoch") this.csv?.row(metricsRow(e.epoch));
  }
}

export function metricsRow(f: EpochFigures): Record<string, number | boolean | null> {
  const e = f.energy;
  return {
    ...epochColumns(f),
    device_joules_learning: e.learning_joules,
    device_joules_overhead: e.overhead_joules,
    ...Object.fromEntries(ACTIVITIES.map((a) => [`joules_${a}`, e.by_activity_joules[a]])),
    wall_seconds: f.wallSeconds,
    stopped: false,
  };
}
