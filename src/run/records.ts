// records.jsonl: a Bluesky-like document stream (start, descriptor, events, stop) linked by the start uid.
import { appendFileSync } from "node:fs";
import { randomUUID } from "node:crypto";

export type ExitStatus = "success" | "aborted" | "failed";

export interface StartDocument {
  type: "start";
  uid: string;
  time: number;
  time_iso: string;
  [key: string]: unknown;
}

export interface StopDocument {
  type: "stop";
  uid: string;
  run_start: string;
  time: number;
  time_iso: string;
  exit_status: ExitStatus;
  reason: string;
  num_events: Record<string, number>;
}

/**
 * Appends documents to one records.jsonl. The stop document is written exactly once: by stop(), or,
 * if the process exits first (an uncaught error, process.exit), by an exit hook with status "failed".
 * Only SIGKILL or power loss can leave a run without one.
 */
export class RunRecords {
  readonly startUid: string;
  private readonly file: string;
  private readonly counts: Record<string, number> = {};
  private readonly descriptors = new Map<string, string>();
  private stopped = false;
  private readonly exitHook = () => this.stopSync("failed", "the process exited before the run finished");

  /** `uid`: the start document's uid (default a fresh one). */
  constructor(file: string, start: Record<string, unknown>, uid: string = randomUUID()) {
    this.file = file;
    this.startUid = uid;
    this.append({ type: "start", uid: this.startUid, ...timeFields(), ...start });
    process.once("exit", this.exitHook);
  }

  /** Declares an event stream and the keys (with units) its events carry. */
  descriptor(name: string, dataKeys: Record<string, { dtype: string; units?: string; description?: string }>): void {
    const uid = randomUUID();
    this.descriptors.set(name, uid);
    this.counts[name] = 0;
    this.append({ type: "descriptor", uid, run_start: this.startUid, name, ...timeFields(), data_keys: dataKeys });
  }

  event(stream: string, data: Record<string, unknown>): void {
    const descriptor = this.descriptors.get(stream);
    if (!descriptor) throw new Error(`records: no descriptor for stream "${stream}"`);
    const seq = (this.counts[stream] = (this.counts[stream] ?? 0) + 1);
    this.append({ type: "event", uid: randomUUID(), descriptor, run_start: this.startUid, seq_num: seq, ...timeFields(), data });
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  stop(status: ExitStatus, reason: string): void {
    this.stopSync(status, reason);
  }

  private stopSync(status: ExitStatus, reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    process.removeListener("exit", this.exitHook);
    const doc: StopDocument = { type: "stop", uid: randomUUID(), run_start: this.startUid, ...timeFields(), exit_status: status, reason, num_events: { ...this.counts } };
    this.append(doc);
  }

  private append(doc: object): void {
    appendFileSync(this.file, JSON.stringify(doc) + "\n");
  }
}

function timeFields(): { time: number; time_iso: string } {
  const now = Date.now();
  return { time: now / 1000, time_iso: new Date(now).toISOString() };
}
