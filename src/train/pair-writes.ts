// Writing conductance pairs outside the update itself: the initial (or a checkpoint's) weights, the refresh
// of pairs near saturation, and the write-verify after an update (write-verify.ts does the verifying).
//
// Weights: each pair RESET to its floors, then SET steps on one side so that G⁺ − G⁻ = W·gUnit.
// Refresh (ledger "refresh", learning): a pair whose device passes refreshThreshold of its range is read,
// both devices RESET to the floor, and the difference re-written on one side.
import type { Activity } from "../energy/ledger.js";
import { HARD_BURST, median, type ConductanceArray } from "./conductance-array.js";
import { forEachPair, type Block } from "./placement.js";
import { programToTargets, type ConductanceTarget } from "./write-verify.js";

/** Smallest common mode (fraction of the range, on the lower device) that makes a refresh worthwhile. */
const MIN_COMMON_MODE = 0.05;
/** Correcting rounds of the write-verify after an update: one, as crossbar.writeVerify promises. */
const VERIFY_ROUNDS = 1;

/**
 * Writes weights: each pair RESET to its floors, then SET steps on one side so that G⁺ − G⁻ = W·gUnit
 * (the floors' own difference included). A pair with a stuck device gets its partner driven to the
 * same bound (W ≈ 0) and is left alone afterwards.
 */
export async function writeWeights(array: ConductanceArray, blocks: readonly Block[], sizes: readonly number[], weights: Float64Array[], activity: Activity): Promise<void> {
  const { cal, dead } = array;
  const targets = new Map<number, number>();
  const raise = new Int32Array(array.cells);
  const mid = (c: number) => (cal.gLow[c]! + cal.gHigh[c]!) / 2;
  forEachPair(blocks, array.cols, (plus, b, i, j) => {
    if (dead[plus] || dead[plus + 1]) {
      const stuck = dead[plus] ? plus : plus + 1;
      if (cal.gLow[stuck]! > mid(array.partnerOf(stuck))) raise[array.partnerOf(stuck)] = 1;
      return;
    }
    const nOut = sizes[b.layer + 1]!;
    const floors = cal.gLow[plus]! - cal.gLow[plus + 1]!;
    targets.set(plus, weights[b.layer]![(b.inStart + i) * nOut + b.outStart + j]! * cal.gUnit - floors);
  });
  await rewritePairs(array, targets, activity);
  if (raise.some((v) => v > 0)) {
    await array.hardPulse(raise, array.id.limits.maxProgramVoltsPositive, cal.resetBursts * HARD_BURST, activity);
    for (let i = 0; i < raise.length; i++) if (raise[i]) array.shadow[i] = cal.gHigh[i]!;
  }
}

/** RESETs the given pairs to their floors and SETs one side to the target difference (siemens above the floors). */
export async function rewritePairs(array: ConductanceArray, targets: Map<number, number>, activity: Activity): Promise<void> {
  const { cal } = array;
  const cells = new Int32Array(array.cells);
  for (const plus of targets.keys()) {
    cells[plus] = 1;
    cells[plus + 1] = 1;
  }
  await array.hardPulse(cells, -array.resetVolts, cal.resetBursts * HARD_BURST, activity);
  const counts = new Int32Array(array.cells);
  for (const [plus, diff] of targets) {
    array.shadow[plus] = cal.gLow[plus]!;
    array.shadow[plus + 1] = cal.gLow[plus + 1]!;
    const cell = diff >= 0 ? plus : plus + 1;
    counts[cell] = Math.round(Math.abs(diff) / cal.step[cell]!);
  }
  await array.applyCounts(counts, activity);
}

/** Refreshes pairs whose shadow passed `threshold` of the range: read, RESET both, rewrite the difference. */
export async function refreshSaturated(array: ConductanceArray, blocks: readonly Block[], threshold: number): Promise<void> {
  const { gLow, gHigh } = array.cal;
  const { shadow, dead } = array;
  const candidates: number[] = [];
  forEachPair(blocks, array.cols, (plus) => {
    if (dead[plus] || dead[plus + 1]) return;
    const xp = (shadow[plus]! - gLow[plus]!) / (gHigh[plus]! - gLow[plus]!);
    const xm = (shadow[plus + 1]! - gLow[plus + 1]!) / (gHigh[plus + 1]! - gLow[plus + 1]!);
    // Only a pair with common mode to remove is worth refreshing: one side at the ceiling and the
    // other at the floor is a weight at its limit, and rewriting it would change nothing.
    if ((xp > threshold || xm > threshold) && Math.min(xp, xm) > MIN_COMMON_MODE) candidates.push(plus);
  });
  if (candidates.length === 0) return;
  const read = await array.read("refresh");
  for (let i = 0; i < read.length; i++) shadow[i] = read[i]!;
  const targets = new Map<number, number>();
  for (const plus of candidates) targets.set(plus, (read[plus]! - gLow[plus]!) - (read[plus + 1]! - gLow[plus + 1]!));
  await rewritePairs(array, targets, "refresh");
}

/**
 * Write-verify after an update (crossbar.writeVerify): the pulsed devices are read back and corrected once
 * towards the conductance the shadow intends for them (SET when short, RESET when over), then read again to
 * confirm (write-verify.ts, one round). Done within the store's resolution: half a median step, or twice
 * the read noise when that is larger. The shadow of those devices takes the final reading.
 */
export async function verifyWrites(array: ConductanceArray, counts: Int32Array, maxPulses: number): Promise<void> {
  const { cal, cols } = array;
  const targets: ConductanceTarget[] = [];
  for (let cell = 0; cell < counts.length; cell++) {
    if (counts[cell]! > 0) targets.push({ row: Math.floor(cell / cols), col: cell % cols, siemens: array.shadow[cell]!, stepSiemens: cal.step[cell]! });
  }
  if (targets.length === 0) return;
  const toleranceSiemens = Math.max(0.5 * median(targets.map((t) => t.stepSiemens!)), 2 * cal.readSigma);
  const result = await programToTargets(
    array.device,
    targets,
    { ...array.writeVerifyOptions(toleranceSiemens, VERIFY_ROUNDS), readsPerVerify: 1, maxCountPerRound: maxPulses },
    (activity, m) => array.record(activity, m),
  );
  for (const c of result.cells) array.shadow[c.row * cols + c.col] = c.finalSiemens;
}
