// energy.json as a subscriber: the ledger now (summary, RAPL host energy beside it, the snapshot), rewritten whole
// at the start, after batches (at most every BATCH_WRITE_MS), at each epoch and at the stop. A resume reads the
// killed attempt's last one for what it spent after its checkpoint (src/run/resume.ts): the ledger's own
// figure, not a sink's copy of it.
import { join } from "node:path";
import type { EnergyLedger } from "../../energy/ledger.js";
import type { HostEnergyMeter } from "../../energy/host-power.js";
import type { RunEvent, RunSink } from "../run-events.js";
import { writeJsonFile } from "../run-dir.js";

/** A kill loses at most this much of an attempt's spending from energy.json (a file write per batch costs ~0.2 ms). */
export const BATCH_WRITE_MS = 100;

/** What earlier attempts of a resumed run spent beside the total, as this attempt knows it. */
export interface BesideTotal {
  /** Device joules attempts spent after their checkpoints before a kill or abort (redone on resume). */
  interruptedJoules: number;
  /** Device joules resumes spent putting checkpoints back on the device, this attempt's included. */
  restoreJoules: number;
}

export class EnergySink implements RunSink {
  private file = "";
  private lastWrite = 0;

  constructor(private readonly ledger: EnergyLedger, private readonly host: HostEnergyMeter, private readonly beside: BesideTotal) {}

  on(e: RunEvent): void {
    if (e.kind === "start") this.file = join(e.start.runDir, "energy.json");
    if (e.kind === "start" || e.kind === "epoch" || e.kind === "stop") this.write();
    else if (e.kind === "batch" && performance.now() - this.lastWrite >= BATCH_WRITE_MS) this.write();
  }

  private write(): void {
    this.lastWrite = performance.now();
    writeJsonFile(this.file, {
      ...this.ledger.summary(),
      host_cpu: this.host.reading(),
      snapshot: this.ledger.snapshot(),
      interrupted_joules: this.beside.interruptedJoules,
      restore_joules: this.beside.restoreJoules,
    });
  }
}
