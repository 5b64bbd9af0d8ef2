// Deterministic point times. A training point's timestamp is its key, derived from the run (its creation time,
// the origin; its id is the `run` tag) and the point's (epoch, batch): a resumed run that redoes an epoch
// writes that epoch's points at the same times, so in InfluxDB they overwrite the killed attempt's instead of
// adding to them, and the journal needs no cutting back.

/** Each epoch owns one second of time after the origin; its batches are its first microseconds. */
export const EPOCH_SLOT_MICROS = 1_000_000;

/** The time of batch `batch` (1-based) of epoch `epoch`. */
export function batchTime(originMicros: number, epoch: number, batch: number): number {
  if (!Number.isInteger(batch) || batch < 1 || batch >= EPOCH_SLOT_MICROS - 1) {
    throw new RangeError(`telemetry: batch ${batch} of epoch ${epoch} has no key: at most ${EPOCH_SLOT_MICROS - 2} batches per epoch`);
  }
  return originMicros + epoch * EPOCH_SLOT_MICROS + batch;
}

/** The time of an epoch's own points (train_epoch, device_health, and bits after the last): the end of its slot. */
export function epochTime(originMicros: number, epoch: number): number {
  return originMicros + (epoch + 1) * EPOCH_SLOT_MICROS - 1;
}
