// The training loop: epoch after epoch until the configured count, the target accuracy, or the abort signal.
// It says what happened as run events (each batch, each epoch, each checkpoint) and writes only checkpoints.
import { yieldToEventLoop } from "../backends/responsive-crossbar.js";
import type { EpochResult, TrainingSession } from "../train/session.js";
import { RUN_SCHEMA_VERSION, writeCheckpoint } from "./checkpoint.js";
import type { RunContext } from "./run-context.js";
import { energyFigures, type EpochFigures } from "./run-events.js";

/** Trains the remaining epochs; an epoch cut short by the signal is not an epoch (no event, no checkpoint). */
export async function trainEpochs(run: RunContext): Promise<void> {
  const { session } = run.training;
  const config = session.config;
  const shouldStop = () => run.opts.signal?.aborted === true;
  // A run killed after the epoch that reached its target: the uninterrupted run stopped there.
  const last = run.epochs.at(-1);
  let reached = last ? await reachedTarget(session, last.result) : false;
  for (let epoch = run.epochs.length + 1; epoch <= config.epochs && !reached; epoch++) {
    await yieldToEventLoop(); // a signal that arrived during the last epoch is seen here at the latest
    if (shouldStop()) break;
    const result = await session.runEpoch((p) => {
      run.device.batchDone(p.epoch, p.batch, run.start.identity?.serial ?? "?");
      run.bus.emit({ kind: "batch", batch: { ...p, epochs: config.epochs, deviceJoules: run.training.ledger.deviceTotalJoules() } });
    }, shouldStop);
    if (result.stopped) break;
    await completeEpoch(run, result);
    reached = await reachedTarget(session, result);
  }
}

/** The epoch's figures to every sink, then its checkpoint, which records.jsonl commits. */
async function completeEpoch(run: RunContext, result: EpochResult): Promise<void> {
  const { session, ledger, rng, stack } = run.training;
  run.host.sample();
  const figures: EpochFigures = {
    result,
    energy: energyFigures(ledger),
    hostCpuJoules: run.host.reading().joules,
    wallSeconds: run.wallSeconds(),
    pulsesSoFar: (run.epochs.at(-1)?.pulsesSoFar ?? 0) + result.pulses,
  };
  const link = stack?.crossbar.linkStats?.();
  if (link) figures.link = { ...link };
  run.epochs.push(figures);
  const health = stack ? { safe: await stack.crossbar.isSafe(), deviceSeconds: ledger.deviceSeconds() } : null;
  run.bus.emit({ kind: "epoch", epoch: figures, health });
  const name = writeCheckpoint(run.start.runDir, {
    schema_version: RUN_SCHEMA_VERSION,
    run_start: run.start.attemptUid,
    epoch: result.epoch,
    session: await session.checkpoint(),
    ledger: ledger.snapshot(),
    rng: rng.getState(),
    epochs: run.epochs,
  });
  run.bus.emit({ kind: "checkpoint", name, epoch: figures });
}

/**
 * The config's stopAtTrainAccuracy, judged as the summary will judge it (relaxed from rest), and only once
 * the running accuracy says it may hold: the evaluation is itself relaxation reads on a device.
 */
async function reachedTarget(session: TrainingSession, result: EpochResult): Promise<boolean> {
  const target = session.config.stopAtTrainAccuracy;
  if (target === null || result.trainAccuracy < target) return false;
  return (await session.evaluate("train")).accuracy >= target;
}
