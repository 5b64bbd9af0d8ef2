// records.jsonl as a subscriber: the start, the descriptors, one primary event per committed epoch (written once
// its checkpoint is on disk: the event is what makes the checkpoint count on resume), the device events and
// the stop. It hears every event last (the bus's commit sink).
import { join } from "node:path";
import { epochColumns, type EpochFigures, type RunEvent, type RunSink, type RunStart } from "../run-events.js";
import type { RestoreReport } from "../../train/reprogram-drifted.js";
import { RunRecords } from "../records.js";

export class RecordsSink implements RunSink {
  private records: RunRecords | null = null;

  on(e: RunEvent): void {
    if (e.kind === "start") {
      this.records = new RunRecords(join(e.start.runDir, "records.jsonl"), startDocument(e.start), e.start.attemptUid);
      return;
    }
    const r = this.records;
    if (!r || r.isStopped) return; // nothing after the stop (a device event while closing)
    if (e.kind === "descriptor") r.descriptor(e.stream, e.dataKeys);
    else if (e.kind === "device") r.event("device", { kind: e.event.kind, message: e.event.message });
    else if (e.kind === "checkpoint") r.event("primary", { ...primaryData(e.epoch), checkpoint: e.name, ...(e.epoch.link ? { link: e.epoch.link } : {}) });
    else if (e.kind === "stop") r.stop(e.status, e.reason);
  }
}

function startDocument(s: RunStart): Record<string, unknown> {
  const id = s.identity;
  const from = s.resumedFrom;
  return {
    plan_name: "train",
    run_id: s.runId,
    run_dir: s.runDir,
    device_uri: s.deviceUri,
    weights: s.config.weights,
    backend: id ? { backend: id.backend, model: id.model, serial: id.serial, firmware: id.firmwareVersion } : { backend: "ideal" },
    git_commit: s.git.commit,
    seed: s.config.seed,
    epochs: s.config.epochs,
    dataset: s.dataset,
    label_mode: s.config.labels,
    ...(from ? { resumed_from: { run_start: from.runStart, checkpoint: from.checkpoint, interrupted_joules: from.interruptedJoules, restore_joules: from.restoreJoules, ...(from.restored ? { restore: restoreRecord(from.restored) } : {}) } } : {}),
  };
}

/** How a resume put the checkpoint back, in the records' snake case. */
function restoreRecord(r: RestoreReport): Record<string, unknown> {
  return {
    method: r.method,
    devices_compared: r.devicesCompared,
    drifted: r.drifted,
    reprogrammed: r.reprogrammed,
    unconverged: r.unconverged,
    pulses: r.pulses,
    tolerance_siemens: r.toleranceSiemens,
    tolerance_max_siemens: r.toleranceMaxSiemens,
    relative_read_sigma: r.relativeReadSigma,
    array_resets: r.method === "rewrite" ? 1 : 0,
  };
}

/** The primary stream's data keys (DataKeys of the "primary" descriptor, src/run/streams.ts). */
function primaryData(f: EpochFigures): Record<string, unknown> {
  return epochColumns(f);
}
