// One training run, start to stop: opens the device through the one stack, trains epoch by epoch, and says what
// happened as run events; the run directory's files (records.jsonl, metrics.csv, energy.json, the telemetry
// journal) are the sinks subscribed to them (src/run/run-sinks.ts).
import { DeviceEvents } from "../backends/device-events.js";
import { HostEnergyMeter } from "../energy/host-power.js";
import { DeviceStream } from "./device-stream.js";
import { abortRun, failRun, finishRun } from "./end-run.js";
import { trainEpochs } from "./epoch-loop.js";
import { openTraining, type OpenTraining } from "./open-training.js";
import type { RunContext, RunTrainingOptions } from "./run-context.js";
import { runSinks, subscribeTelemetry } from "./run-sinks.js";
import { startRun } from "./start-run.js";
import { PRIMARY_KEYS } from "./streams.js";
import type { TrainingSummary } from "./summary.js";

export { RUN_SCHEMA_VERSION } from "./checkpoint.js";
export { RunAbortedError } from "./end-run.js";
export type { RunTrainingOptions } from "./run-context.js";
export type { ProgressEvent } from "./sinks/progress-sink.js";
export type { TrainingSummary } from "./summary.js";
export type { TelemetryFactory, TelemetryLike } from "./telemetry.js";

/**
 * Runs one training to completion. Validation (config, dataset, device URI) happens before the run
 * directory is created, so a refused input leaves no directory; from then on every exit writes a
 * stop record: success, aborted (signal) or failed (the error's message), and the device is left safe.
 */
export async function runTraining(asked: RunTrainingOptions): Promise<TrainingSummary> {
  let opts = asked;
  const started = performance.now();
  const host = new HostEnergyMeter(opts.powercapRoot);
  host.start();
  // The driver's messages (a serial link lost, another device), wear warnings and trips become device events.
  const device = new DeviceStream(opts.deviceEvents ?? new DeviceEvents());
  let training: OpenTraining | null = null;
  let run: RunContext;
  try {
    training = await openTraining(opts, device.events);
    if (training.deviceUri !== opts.deviceUri) {
      const net = training.session.weightStore.sizes.join("-");
      opts.onProgress?.({ kind: "note", text: `the simulated array is sized to the network ${net}: --device ${training.deviceUri} (name rows= and cols= to fix its size)` });
    }
    opts = { ...opts, deviceUri: training.deviceUri }; // recorded as opened, so a resume opens the same array
    const start = startRun(opts, training);
    run = { opts, training, start, bus: runSinks(opts, training, host), device, host, wallSeconds: () => (performance.now() - started) / 1000, epochs: [...start.history] };
  } catch (e) {
    // Refused before the run directory (or while making it): nothing to record, the device closed.
    host.stop();
    device.close();
    await training?.stack?.close().catch(() => undefined);
    throw e;
  }
  // From here every exit writes a stop record.
  try {
    run.bus.emit({ kind: "start", start: run.start });
    run.bus.emit({ kind: "descriptor", stream: "primary", dataKeys: PRIMARY_KEYS });
    run.device.attach(run.bus);
    await subscribeTelemetry(run.bus, opts, run.start, training);
    await trainEpochs(run);
    return opts.signal?.aborted ? await abortRun(run) : await finishRun(run);
  } catch (e) {
    await failRun(run, e);
    throw e;
  } finally {
    host.stop();
    device.close();
    try {
      await run.bus.close();
    } finally {
      await training.stack?.close();
    }
  }
}
