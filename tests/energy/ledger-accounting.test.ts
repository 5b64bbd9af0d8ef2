// Must show (energy): each ledger component equals the sum of what the backend reported, the total equals the
// sum of the components, and a backend that reports twice the programming energy shows exactly twice the
// programming energy with every other component unchanged (same seeded run). Programming energy is every
// program() answer: training updates (activity "program"), refresh, and the characterisation and
// initialisation pulses, which the trainer books as overhead with the reset() and calibration reads.
// And the energy boundary: a backend reporting twice the energy of everything before training starts
// (reset, characterisation, initial weights) doubles that overhead and leaves E_learn exactly as it was; scoring
// the trained network (evaluate) is overhead too, so a larger test split leaves E_learn as it was.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Crossbar, EnergyBreakdown, Measured, MvmRequest, Pulse } from "../../src/hal/crossbar.js";
import { addEnergy, zeroEnergy } from "../../src/hal/crossbar.js";
import { openCrossbar } from "../../src/backends/open.js";
import { ACTIVITIES, LEARNING_ACTIVITIES, OVERHEAD_ACTIVITIES, PHYSICAL, type LedgerSnapshot } from "../../src/energy/ledger.js";
import { parseTrainConfig } from "../../src/train/config.js";
import { runTraining } from "../../src/run/train-run.js";

type Method = "readCell" | "readArray" | "mvm" | "program" | "reset";

/** A real backend, observed: sums the energy of every answer by method; scales what program() reports. */
class ObservedCrossbar implements Crossbar {
  readonly reported: Record<Method, EnergyBreakdown> = { readCell: zeroEnergy(), readArray: zeroEnergy(), mvm: zeroEnergy(), program: zeroEnergy(), reset: zeroEnergy() };
  /** Scales every answer while true (set by the test until training starts). */
  scaleEverything = 1;
  constructor(private readonly inner: Crossbar, private readonly programEnergyScale = 1) {}
  private seen<T>(method: Method, m: Measured<T>): Measured<T> {
    const k = this.scaleEverything;
    const scaled = k === 1 ? m : { ...m, energy: { cell: m.energy.cell * k, halfSelected: m.energy.halfSelected * k, peripheral: m.energy.peripheral * k } };
    addEnergy(this.reported[method], scaled.energy);
    return scaled;
  }
  identify() {
    return this.inner.identify();
  }
  async readCell(row: number, col: number, v?: number) {
    return this.seen("readCell", await this.inner.readCell(row, col, v));
  }
  async readArray(v?: number) {
    return this.seen("readArray", await this.inner.readArray(v));
  }
  async mvm(r: MvmRequest) {
    return this.seen("mvm", await this.inner.mvm(r));
  }
  async program(p: Pulse[]) {
    const m = await this.inner.program(p);
    const s = this.programEnergyScale;
    return this.seen("program", { ...m, energy: { cell: m.energy.cell * s, halfSelected: m.energy.halfSelected * s, peripheral: m.energy.peripheral * s } });
  }
  async reset() {
    return this.seen("reset", await this.inner.reset());
  }
  isSafe() {
    return this.inner.isSafe();
  }
  close() {
    return this.inner.close();
  }
}

const out = mkdtempSync(join(tmpdir(), "mhil-energy-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const DEVICE = "sim:reram?rows=64&cols=64&seed=5";
const configWith = (testSamples: number) =>
  parseTrainConfig(
    { dataset: "mnist:7x7", samples: 60, testSamples, layers: [8], batchSize: 10, epochs: 1, T1: 8, T2: 3, evalSteps: 20, weights: "crossbar", seed: 3 },
    "energy test",
  );

async function observedRun(scale: number, overheadScale = 1, testSamples = 20): Promise<{ observed: ObservedCrossbar; ledger: LedgerSnapshot; total: number; learning: number; overhead: number }> {
  const observed = new ObservedCrossbar(await openCrossbar(DEVICE), scale);
  observed.scaleEverything = overheadScale;
  try {
    const s = await runTraining({ config: configWith(testSamples), deviceUri: DEVICE, outDir: out, crossbar: observed, onProgress: (e) => void (e.kind === "start" && (observed.scaleEverything = 1)) });
    const energy = JSON.parse(readFileSync(join(s.run_dir, "energy.json"), "utf8"));
    expect(energy.total_joules).toBe(s.energy_joules.total);
    expect(energy.learning_joules).toBe(s.energy_joules.learning);
    return { observed, ledger: energy.snapshot as LedgerSnapshot, total: energy.total_joules, learning: s.energy_joules.learning, overhead: s.energy_joules.overhead };
  } finally {
    await observed.close();
  }
}

const sumOver = (parts: EnergyBreakdown[], c: keyof EnergyBreakdown) => parts.reduce((a, e) => a + e[c], 0);
const activityTotal = (l: LedgerSnapshot, a: (typeof ACTIVITIES)[number]) => {
  const e = l.byActivity[a].energy;
  return e.cell + e.halfSelected + e.peripheral;
};

describe("energy ledger against what the backend reported", () => {
  let single: Awaited<ReturnType<typeof observedRun>>;

  it("each physical component is the sum of the answers; the total is the sum of the components", async () => {
    single = await observedRun(1);
    const answers = Object.values(single.observed.reported);
    let components = 0;
    for (const c of PHYSICAL) {
      const ledgerC = ACTIVITIES.reduce((a, act) => a + single.ledger.byActivity[act].energy[c], 0);
      expect(ledgerC).toBeGreaterThan(0);
      expect(Math.abs(ledgerC - sumOver(answers, c))).toBeLessThanOrEqual(1e-12 * ledgerC);
      components += ledgerC;
    }
    expect(Math.abs(single.total - components)).toBeLessThanOrEqual(1e-12 * single.total);
    // Every program() answer is a training update ("program"), a refresh, or a characterisation or initialisation pulse (overhead).
    const programReported = single.observed.reported.program;
    const programAnswered = programReported.cell + programReported.halfSelected + programReported.peripheral;
    expect(activityTotal(single.ledger, "program")).toBeGreaterThan(0);
    expect(activityTotal(single.ledger, "program")).toBeLessThanOrEqual(programAnswered * (1 + 1e-12));
    // The reads: free and nudged relaxation are mvm answers; verify and initialisation reads are array reads.
    expect(activityTotal(single.ledger, "freeRead") + activityTotal(single.ledger, "nudgedRead")).toBeGreaterThan(0);
  }, 120_000);

  it("a backend reporting twice the programming energy: program doubles exactly, every other activity unchanged", async () => {
    const doubled = await observedRun(2);
    // Training updates: exactly twice. Relaxation and verify reads: exactly the same.
    for (const c of PHYSICAL) {
      expect(doubled.ledger.byActivity.program.energy[c], `program.${c}`).toBe(2 * single.ledger.byActivity.program.energy[c]);
      for (const a of ["freeRead", "nudgedRead", "verifyRead"] as const) expect(doubled.ledger.byActivity[a].energy[c], `${a}.${c}`).toBe(single.ledger.byActivity[a].energy[c]);
    }
    for (const a of ACTIVITIES) expect(doubled.ledger.byActivity[a].calls).toBe(single.ledger.byActivity[a].calls);
    // Refresh and the overhead hold the other pulses: together they grow by exactly their energy once more.
    const p = single.observed.reported.program;
    const programAnswered = p.cell + p.halfSelected + p.peripheral;
    const otherPulses = programAnswered - activityTotal(single.ledger, "program");
    const grewBy = (acts: readonly (typeof ACTIVITIES)[number][]) => acts.reduce((a, x) => a + activityTotal(doubled.ledger, x) - activityTotal(single.ledger, x), 0);
    const grew = grewBy(OVERHEAD_ACTIVITIES) + grewBy(["refresh"]);
    expect(Math.abs(grew - otherPulses)).toBeLessThanOrEqual(1e-12 * single.total);
    // So the device total grows by exactly the programming energy the backend reported once.
    expect(Math.abs(doubled.total - single.total - programAnswered)).toBeLessThanOrEqual(1e-12 * doubled.total);
    expect(doubled.observed.reported.program.cell).toBe(2 * p.cell);
  }, 120_000);

  it("twice the reset and initialisation energy: the overhead before training doubles, E_learn is unchanged to the bit", async () => {
    const heavy = await observedRun(1, 2);
    expect(heavy.learning).toBe(single.learning);
    for (const a of LEARNING_ACTIVITIES) expect(heavy.ledger.byActivity[a], a).toEqual(single.ledger.byActivity[a]);
    // Scoring the trained network comes after training starts: overhead, but not scaled.
    const scoring = activityTotal(single.ledger, "evaluate");
    expect(scoring).toBeGreaterThan(0);
    expect(activityTotal(heavy.ledger, "evaluate")).toBe(scoring);
    const beforeTraining = single.overhead - scoring;
    expect(beforeTraining).toBeGreaterThan(0);
    expect(Math.abs(heavy.overhead - scoring - 2 * beforeTraining)).toBeLessThanOrEqual(1e-12 * heavy.overhead);
    expect(Math.abs(heavy.total - (single.learning + 2 * beforeTraining + scoring))).toBeLessThanOrEqual(1e-12 * heavy.total);
  }, 120_000);

  it("scoring is overhead: twice the test split, E_learn the same to the bit and the scoring's joules grow by the added digits' reads", async () => {
    const wider = await observedRun(1, 1, 40);
    expect(wider.learning).toBe(single.learning);
    for (const a of LEARNING_ACTIVITIES) expect(wider.ledger.byActivity[a], a).toEqual(single.ledger.byActivity[a]);
    // Scoring 60 train + 20 test digits against 60 + 40: the reads per digit are alike, so about 100/80 as much.
    const ratio = activityTotal(wider.ledger, "evaluate") / activityTotal(single.ledger, "evaluate");
    expect(ratio).toBeGreaterThan(1.15);
    expect(ratio).toBeLessThan(1.35);
  }, 120_000);
});
