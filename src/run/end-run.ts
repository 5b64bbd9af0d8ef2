// How an attempt ends: success (evaluated, summarized), aborted by its signal, or failed by an error. Each
// leaves every line grounded and exactly one stop event, which records.jsonl writes last.
import { join } from "node:path";
import type { RunContext } from "./run-context.js";
import { writeJsonFile } from "./run-dir.js";
import { besideTotal } from "./start-run.js";
import { summarizeRun } from "./summarize-run.js";
import type { TrainingSummary } from "./summary.js";
import { UserError } from "../hal/user-error.js";

/** The run was stopped by its abort signal; the run directory holds a stop record with status "aborted". */
export class RunAbortedError extends UserError {
  constructor(readonly runDir: string, readonly reason: string, readonly epochsCompleted: number) {
    super(`run aborted (${reason}) after ${epochsCompleted} complete epoch(s); run directory ${runDir} (stop record: aborted)`, 130);
  }
}

/** Evaluates on the train and test sets, writes summary.json and the success stop. */
export async function finishRun(run: RunContext): Promise<TrainingSummary> {
  const { session, ledger } = run.training;
  run.bus.emit({ kind: "evaluate" });
  const train = await session.evaluate("train");
  const test = session.dataset.testY.length > 0 ? await session.evaluate("test") : null;
  run.host.stop();
  const summary = summarizeRun({
    config: session.config, deviceUri: run.opts.deviceUri, runDir: run.start.runDir, session, ledger, hostMeter: run.host,
    epochs: run.epochs.map((f) => f.result), train, test, wallSeconds: run.wallSeconds(), ...besideTotal(run.opts, run.training),
  });
  writeJsonFile(join(run.start.runDir, "summary.json"), summary);
  run.bus.emit({ kind: "stop", status: "success", reason: `completed ${run.epochs.length} epoch(s)`, summary });
  return summary;
}

/** Grounds the lines, writes the aborted stop and throws RunAbortedError. */
export async function abortRun(run: RunContext): Promise<never> {
  const signal = run.opts.signal!;
  const reason = String(signal.reason instanceof Error ? signal.reason.message : (signal.reason ?? "aborted"));
  await groundLines(run);
  run.host.stop();
  run.bus.emitFinal({ kind: "stop", status: "aborted", reason, summary: null });
  throw new RunAbortedError(run.start.runDir, reason, run.epochs.length);
}

/** After an error: a refused device is a device event; the lines are grounded if the device still answers; the failed stop. */
export async function failRun(run: RunContext, e: unknown): Promise<void> {
  if (run.bus.stopped) return;
  const message = (e as Error)?.message ?? String(e);
  if ((e as Error)?.name === "DeviceMismatchError") run.device.push({ kind: "device_refused", message });
  await groundLines(run).catch(() => undefined); // the device may be the failure; closing it still tries to leave it safe
  run.host.stop();
  run.bus.emitFinal({ kind: "stop", status: "failed", reason: message, summary: null });
}

/** Every line grounded, the reset's joules in the ledger (overhead). */
async function groundLines(run: RunContext): Promise<void> {
  const stack = run.training.stack;
  if (stack) run.training.ledger.record("reset", await stack.crossbar.reset());
}
