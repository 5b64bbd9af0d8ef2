// Must show (energy): each ledger component equals the sum of what the backend reported, the total equals the
// sum of the components, and a backend that reports twice the programming energy shows exactly twice the
// programming energy with every other component unchanged (same seeded run). Programming energy is every
// program() answer: training updates (activity "program") and the initialisation pulses, which the trainer
// books under "reset/initialisation" with the reset() and calibration reads.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Crossbar, EnergyBreakdown, Measured, MvmRequest, Pulse } from "../../src/hal/crossbar.js";
import { addEnergy, zeroEnergy } from "../../src/hal/crossbar.js";
import { openCrossbar } from "../../src/backends/open.js";
import { ACTIVITIES, PHYSICAL, type LedgerSnapshot } from "../../src/energy/ledger.js";
import { parseTrainConfig } from "../../src/train/config.js";
import { runTraining } from "../../src/run/train-run.js";

type Method = "readCell" | "readArray" | "mvm" | "program" | "reset";

/** A real backend, observed: sums the energy of every answer by method; scales what program() reports. */
class ObservedCrossbar implements Crossbar {
  readonly reported: Record<Method, EnergyBreakdown> = { readCell: zeroEnergy(), readArray: zeroEnergy(), mvm: zeroEnergy(), program: zeroEnergy(), reset: zeroEnergy() };
  constructor(private readonly inner: Crossbar, private readonly programEnergyScale = 1) {}
  private seen<T>(method: Method, m: Measured<T>): Measured<T> {
    addEnergy(this.reported[method], m.energy);
    return m;
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
const config = parseTrainConfig(
  { dataset: "mnist:7x7", samples: 60, testSamples: 20, layers: [8], batchSize: 10, epochs: 1, T1: 8, T2: 3, evalSteps: 20, weights: "crossbar", seed: 3 },
  "energy test",
);

async function observedRun(scale: number): Promise<{ observed: ObservedCrossbar; ledger: LedgerSnapshot; total: number }> {
  const observed = new ObservedCrossbar(await openCrossbar(DEVICE), scale);
  try {
    const s = await runTraining({ config, deviceUri: DEVICE, outDir: out, crossbar: observed });
    const energy = JSON.parse(readFileSync(join(s.run_dir, "energy.json"), "utf8"));
    expect(energy.total_joules).toBe(s.energy_joules.total);
    return { observed, ledger: energy.snapshot as LedgerSnapshot, total: energy.total_joules };
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
    // Every program() answer is either a training update ("program") or an initialisation pulse (inside "reset").
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
    // Reset/initialisation holds the initialisation pulses: it grows by exactly their energy once more, nothing else.
    const p = single.observed.reported.program;
    const programAnswered = p.cell + p.halfSelected + p.peripheral;
    const initPulses = programAnswered - activityTotal(single.ledger, "program");
    const grew = activityTotal(doubled.ledger, "reset") - activityTotal(single.ledger, "reset");
    expect(Math.abs(grew - initPulses)).toBeLessThanOrEqual(1e-12 * activityTotal(single.ledger, "reset"));
    // So the device total grows by exactly the programming energy the backend reported once.
    expect(Math.abs(doubled.total - single.total - programAnswered)).toBeLessThanOrEqual(1e-12 * doubled.total);
    expect(doubled.observed.reported.program.cell).toBe(2 * p.cell);
  }, 120_000);
});
