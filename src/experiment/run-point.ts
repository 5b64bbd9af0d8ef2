// One sweep point: an ordinary training run in runsDir/<point name>, with the budget the grid gave it, on the
// device stack every command opens (wear counted per device serial in $MHIL_STATE_DIR, else ~/.local/state)
// and with the training defaults every command gets (src/run/train-defaults.ts).
import { dirname } from "node:path";
import type { Crossbar } from "../hal/crossbar.js";
import { applyTrainingDefaults } from "../run/train-defaults.js";
import { runTraining } from "../run/train-run.js";
import { WearStore } from "../wear/store.js";
import { runTelemetryFactory } from "../telemetry/runAdapter.js";
import type { PointJob } from "./point-job.js";
import { runRecallPoint } from "./recall-points.js";
import { mergeOverrides } from "./sweep-config.js";
import { readSweepDirConfig } from "./sweep-runner.js";

/** `device`: a backend the caller opened and keeps (tests); by default the point opens the sweep's device URI. */
export async function runPoint(job: PointJob, device?: { crossbar?: Crossbar; wear?: WearStore; stopOnTrip?: boolean }, signal?: AbortSignal): Promise<void> {
  if (job.recall) return runRecallPoint({ ...job, recall: job.recall }, { ...device, wear: device?.wear ?? new WearStore() });
  const config = applyTrainingDefaults(job.config!, pointSettings(job));
  await runTraining({
    config,
    deviceUri: job.deviceUri,
    outDir: job.runsDir,
    runDirName: job.point.name,
    wear: { store: device?.wear ?? new WearStore() },
    ...(device?.crossbar ? { crossbar: device.crossbar } : {}),
    ...(device?.stopOnTrip ? { stopOnTrip: true } : {}),
    ...(signal ? { signal } : {}),
    ...(job.telemetry ? { telemetry: pointTelemetry(job) } : {}),
  });
}

/** Journals the point's telemetry tagged with its host and shard; ships it when the sweep was given --influx. */
function pointTelemetry(job: PointJob) {
  const t = job.telemetry!;
  return runTelemetryFactory({
    placement: { host: t.host, shard: t.shard },
    ...(t.influxUrl !== undefined ? { influxUrl: t.influxUrl } : {}),
    ...(t.credentialsFile !== undefined ? { credentialsFile: t.credentialsFile } : {}),
  });
}

/**
 * The settings the sweep config itself gives this point (its base, then its protocol's), before the schema's
 * defaults: a dependent default applies only where the sweep left the setting open. The job's config was
 * validated from them by the sweep (pointTrainConfig).
 */
function pointSettings(job: PointJob): Record<string, unknown> {
  const sweep = readSweepDirConfig(dirname(job.runsDir));
  const protocol = sweep.grid.protocols?.find((q) => q.name === job.point.protocol);
  return protocol ? mergeOverrides(sweep.base, protocol.base) : sweep.base;
}
