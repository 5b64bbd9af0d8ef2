// The device conductances a run ended with: its last checkpoint's session.store.conductancesSiemens (plain
// numbers, siemens; src/train/crossbar-store.ts checkpoint()). A run on ideal weights has a store of kind
// "ideal" and no conductances; the report says how many runs were of each kind.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** What one run's last checkpoint holds. */
export type RunConductances =
  | { kind: "crossbar"; checkpoint: string; siemens: number[] }
  | { kind: "ideal"; checkpoint: string }
  | { kind: "none"; why: string };

const CHECKPOINT = /^epoch-(\d+)\.json$/;

/** The checkpoint with the highest epoch, e.g. "checkpoints/epoch-6.json", or null. */
export function lastCheckpoint(runDir: string): string | null {
  const dir = join(runDir, "checkpoints");
  if (!existsSync(dir)) return null;
  const epochs = readdirSync(dir)
    .map((f) => CHECKPOINT.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]));
  return epochs.length > 0 ? `checkpoints/epoch-${Math.max(...epochs)}.json` : null;
}

export function readRunConductances(runDir: string): RunConductances {
  const checkpoint = lastCheckpoint(runDir);
  if (!checkpoint) return { kind: "none", why: "no checkpoint" };
  let store: Record<string, unknown>;
  try {
    const cp = JSON.parse(readFileSync(join(runDir, checkpoint), "utf8")) as { session?: { store?: Record<string, unknown> } };
    store = cp.session?.store ?? {};
  } catch (e) {
    return { kind: "none", why: `${checkpoint} unreadable (${(e as Error).message})` };
  }
  if (store.kind === "ideal") return { kind: "ideal", checkpoint };
  const g = store.conductancesSiemens;
  if (!Array.isArray(g)) return { kind: "none", why: `${checkpoint} has no session.store.conductancesSiemens` };
  return { kind: "crossbar", checkpoint, siemens: g.filter((x): x is number => typeof x === "number" && Number.isFinite(x)) };
}

/** Conductances of the runs read, grouped (e.g. by protocol), and how many runs had none and why. */
export interface ConductanceSample {
  /** Group → every conductance of its runs, siemens. */
  siemens: Record<string, number[]>;
  /** Runs whose conductances were read. */
  crossbarRuns: number;
  idealRuns: number;
  /** Runs without a readable checkpoint or without conductances in it. */
  runsWithout: number;
  /** Runs looked at, and the runs there were: fewer when the sweep is larger than MAX_RUNS_READ. */
  runsRead: number;
  runsTotal: number;
}

/** Reading one checkpoint costs ~5 ms; a sample of this many runs draws the histogram of any sweep. */
export const MAX_RUNS_READ = 600;

export function sampleConductances(runs: readonly { dir: string; group: string }[]): ConductanceSample {
  const stride = Math.max(1, Math.ceil(runs.length / MAX_RUNS_READ));
  const sample = runs.filter((_, i) => i % stride === 0);
  const out: ConductanceSample = { siemens: {}, crossbarRuns: 0, idealRuns: 0, runsWithout: 0, runsRead: sample.length, runsTotal: runs.length };
  for (const run of sample) {
    const c = readRunConductances(run.dir);
    if (c.kind === "crossbar" && c.siemens.length > 0) {
      out.crossbarRuns++;
      (out.siemens[run.group] ??= []).push(...c.siemens);
    } else if (c.kind === "ideal") out.idealRuns++;
    else out.runsWithout++;
  }
  return out;
}

/** What the histogram shows, or why there is none: computed from the sample. */
export function conductanceNote(s: ConductanceSample): string {
  const devices = Object.values(s.siemens).reduce((a, g) => a + g.length, 0);
  const sampled = s.runsRead < s.runsTotal ? ` (1 in ${Math.ceil(s.runsTotal / s.runsRead)} of the ${s.runsTotal} runs)` : "";
  const others = [s.idealRuns ? `${s.idealRuns} run(s) trained ideal weights and have no device conductances` : "", s.runsWithout ? `${s.runsWithout} run(s) have no checkpoint with conductances` : ""].filter(Boolean);
  if (s.crossbarRuns === 0) {
    if (s.idealRuns === s.runsRead && s.runsRead > 0) return `all ${s.runsRead} run(s) read${sampled} trained ideal weights (their checkpoints hold a store of kind "ideal"): there are no device conductances to histogram`;
    return `no conductances in the last checkpoint of any of the ${s.runsRead} run(s) read${sampled}${others.length ? `: ${others.join("; ")}` : ""}`;
  }
  return `${devices} device conductances from the last checkpoint of ${s.crossbarRuns} of ${s.runsRead} run(s) read${sampled}${others.length ? `; ${others.join("; ")}` : ""}`;
}
