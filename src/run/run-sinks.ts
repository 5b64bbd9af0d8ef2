// The sinks of a run's events: records.jsonl (the commit, last), metrics.csv, energy.json, the caller's
// progress, and the telemetry journal once it is open.
import type { HostEnergyMeter } from "../energy/host-power.js";
import type { OpenTraining } from "./open-training.js";
import type { RunTrainingOptions } from "./run-context.js";
import { RunEventBus, type RunStart } from "./run-events.js";
import { EnergySink } from "./sinks/energy-sink.js";
import { MetricsSink } from "./sinks/metrics-sink.js";
import { ProgressSink } from "./sinks/progress-sink.js";
import { RecordsSink } from "./sinks/records-sink.js";
import { TelemetrySink } from "./sinks/telemetry-sink.js";
import { besideTotal, telemetryStart } from "./start-run.js";

/** The file sinks and the progress callback; records.jsonl hears every event last. */
export function runSinks(opts: RunTrainingOptions, t: OpenTraining, host: HostEnergyMeter): RunEventBus {
  const bus = new RunEventBus(new RecordsSink());
  bus.subscribe(new MetricsSink());
  bus.subscribe(new EnergySink(t.ledger, host, besideTotal(opts, t)));
  if (opts.onProgress) bus.subscribe(new ProgressSink(opts.onProgress));
  return bus;
}

/** Opens the run's telemetry (after the start record exists, so a refusal is a failed run) and subscribes it. */
export async function subscribeTelemetry(bus: RunEventBus, opts: RunTrainingOptions, start: RunStart, t: OpenTraining): Promise<void> {
  if (!opts.telemetry) return;
  bus.subscribe(new TelemetrySink(await opts.telemetry(start.runDir, start.runId, start.identity, telemetryStart(start, t))));
}
