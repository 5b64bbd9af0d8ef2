// The start of an attempt: the run directory (created with its config snapshot, or a resumed run's, reused) and
// the start every sink gets: the run's id and time origin, kept by every attempt, and what a resume continues.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { RUN_SCHEMA_VERSION } from "./checkpoint.js";
import type { OpenTraining } from "./open-training.js";
import { gitProvenance } from "./provenance.js";
import type { RunTrainingOptions } from "./run-context.js";
import { createRunDir, writeJsonFile } from "./run-dir.js";
import type { RunStart } from "./run-events.js";
import type { BesideTotal } from "./sinks/energy-sink.js";
import type { TelemetryStart } from "./telemetry.js";

export function startRun(opts: RunTrainingOptions, t: OpenTraining): RunStart {
  const { resume } = opts;
  // The session's config: what was trained, with a default network sized to the device (network-fit.ts).
  const config = t.session.config;
  const identity = t.stack?.identity ?? null;
  const git = gitProvenance();
  const dataset = t.session.dataset;
  const attemptUid = randomUUID();
  const common = { config, deviceUri: opts.deviceUri, identity, dataset: dataset.description, trainSamples: dataset.trainY.length, git, attemptUid };
  if (resume) {
    const resumedFrom = { runStart: resume.previousStart, checkpoint: resume.checkpointName, interruptedJoules: resume.interruptedJoules, restoreJoules: t.restoreJoules, restored: t.session.restored };
    return { ...common, runDir: resume.runDir, runId: resume.runId, timeOriginMicros: resume.timeOriginMicros, resumedFrom, history: resume.checkpoint.epochs };
  }
  const runDir = createRunDir(opts.outDir, opts.runDirName);
  const created = new Date();
  writeJsonFile(join(runDir, "config.json"), {
    schema_version: RUN_SCHEMA_VERSION,
    config,
    device_uri: opts.deviceUri,
    backend: identity ?? { backend: "ideal", note: "weights: ideal (float weights in memory); no device opened" },
    git_commit: git.commit,
    git_dirty: git.dirty,
    dataset: dataset.description,
    node_version: process.version,
    created_iso: created.toISOString(),
    run_id: attemptUid,
  });
  return { ...common, runDir, runId: attemptUid, timeOriginMicros: created.getTime() * 1000, resumedFrom: null, history: [] };
}

/** Where the run's telemetry starts: its time origin, and a resumed run's figures at the checkpoint. */
export function telemetryStart(start: RunStart, t: OpenTraining): TelemetryStart {
  const done = start.history;
  if (done.length === 0) return { timeOriginMicros: start.timeOriginMicros, baseline: { epoch: 0, deviceJoules: 0, joulesByActivity: {}, pulses: 0 } };
  const s = t.ledger.summary();
  return {
    timeOriginMicros: start.timeOriginMicros,
    baseline: { epoch: done.length, deviceJoules: s.total_joules, joulesByActivity: s.by_activity_joules, pulses: done.at(-1)!.pulsesSoFar },
  };
}

/** What the run's attempts spent beside the total, as this attempt knows it (summed over every resume). */
export function besideTotal(opts: RunTrainingOptions, t: OpenTraining): BesideTotal {
  const r = opts.resume;
  return { interruptedJoules: (r?.interruptedJoulesBefore ?? 0) + (r?.interruptedJoules ?? 0), restoreJoules: (r?.restoreJoulesBefore ?? 0) + t.restoreJoules };
}
