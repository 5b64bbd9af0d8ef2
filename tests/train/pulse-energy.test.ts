// The pulse-energy procedure: joules per siemens over amplitude and width at a fixed ΔG, on the simulated
// devices. Known answers from the switching law the simulator uses (step ∝ ((V − V_th)/(V_nom − V_th))^a ·
// (w/w_nom)^b, energy ∝ V²·G·w): nothing below threshold; for a = b = 1, E/ΔG ∝ V²/(V − V_th) and does
// not depend on the width; so the least energy is at 2·V_th, or at the amplitude limit when that is lower.
import { describe, expect, it } from "vitest";
import { EnergyLedger } from "../../src/energy/ledger.js";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { runRecall } from "../../src/run/recall-run.js";
import { parseMemoryConfig } from "../../src/train/memory/memory-config.js";
import { measurePulseEnergy } from "../../src/train/pulse-energy.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";

const device = (uri: string) => simCrossbarFromUri(parseDeviceUri(uri));

describe("energy per conductance change against the pulse shape", () => {
  it("ideal device (V_th = 1 V, a = b = 1, ideal periphery): no switching below threshold, E/ΔG ∝ V²/(V − V_th), flat in width", async () => {
    const ledger = new EnergyLedger();
    const r = await measurePulseEnergy(device("sim:ideal?rows=8&cols=8"), {
      targetFraction: 0.02,
      volts: [0.9, 1.25, 1.5, 2.0],
      widthsSeconds: [1e-7, 1e-6],
      record: (m) => ledger.record("characterise", m),
    });
    expect(r.rangeSiemens).toBeCloseTo(99e-6, 7); // 1–100 µS
    const at = (v: number, w: number) => r.points.find((p) => p.volts === v && p.widthSeconds === w)!;
    expect(at(0.9, 1e-7).joulesPerSiemens).toBeNull();
    expect(at(0.9, 1e-6).reachedTarget).toBe(false);
    // 1.25 V against 2 V: (1.25²/0.25)/(2²/1) = 1.5625, within the spread the mean conductance adds (±10%).
    const ratio = at(1.25, 1e-7).joulesPerSiemens! / at(2.0, 1e-7).joulesPerSiemens!;
    expect(ratio).toBeGreaterThan(1.5625 * 0.9);
    expect(ratio).toBeLessThan(1.5625 * 1.1);
    // Flat in width: ten times longer pulses, a tenth as many, the same joules per siemens (±10%: the last
    // round's energy is taken in proportion to its pulses, while G, and with it the energy, rises within it).
    const widthRatio = at(1.5, 1e-6).joulesPerSiemens! / at(1.5, 1e-7).joulesPerSiemens!;
    expect(widthRatio).toBeGreaterThan(0.9);
    expect(widthRatio).toBeLessThan(1.1);
    expect(at(1.5, 1e-7).pulses).toBe(20); // 1.98 µS in steps of 1e-7 S at the nominal amplitude and width
    expect(at(1.5, 1e-6).pulses).toBe(2);
    expect(r.minimum!.volts).toBe(2.0); // 2·V_th, the device's limit
    // Every device answer the procedure got is booked: more than the pulses it measured (resets, reads too).
    const measured = r.points.reduce((s, p) => s + p.joules, 0);
    expect(ledger.activityJoules("characterise")).toBeGreaterThan(measured);
  });

  it.each(["reram", "taox"])("%s: the least joules per siemens is at the amplitude limit (2·V_th lies beyond it)", async (preset) => {
    const r = await measurePulseEnergy(device(`sim:${preset}?rows=16&cols=16`), { targetFraction: 0.05 });
    const id = await device(`sim:${preset}?rows=4&cols=4`).identify();
    expect(r.minimum).not.toBeNull();
    expect(r.minimum!.volts).toBeCloseTo(id.limits.maxProgramVoltsPositive, 12);
    expect(r.minimum!.deltaSiemens).toBeGreaterThanOrEqual(r.targetDeltaSiemens);
    for (const p of r.points) if (p.reachedTarget) expect(p.joulesPerSiemens!).toBeGreaterThanOrEqual(r.minimum!.joulesPerSiemens!);
  });

  it("mhil recall --pulse minimum-energy writes with the measured shape, books the procedure as overhead, stores the same bits", async () => {
    const uri = "sim:reram?rows=64&cols=128";
    const run = (pulse: "default" | "minimum-energy") => runRecall({ config: parseMemoryConfig({ weights: "crossbar", units: 64, patterns: 3, pulse }), deviceUri: uri, crossbar: device(uri) });
    const plain = await run("default");
    const lean = await run("minimum-energy");
    const shape = lean.pulse.trade_off!.minimum!;
    expect(lean.pulse).toMatchObject({ choice: "minimum-energy", volts: shape.volts, width_seconds: shape.widthSeconds });
    expect(plain.pulse.trade_off).toBeNull();
    expect(lean.energy_joules.overhead).toBeGreaterThan(plain.energy_joules.overhead);
    // Equal information: both recall every pattern exactly.
    expect(lean.bits_stored.estimate).toBe(plain.bits_stored.estimate);
    expect(lean.bits_stored.estimate).toBe(3 * 64);
    // Fewer, larger pulses, and the least energy per siemens is not at the longest width: a pulse coarser than
    // one update's change is charged in full.
    expect(lean.storage.pulses).toBeLessThan(plain.storage.pulses);
    expect(shape.widthSeconds).toBeLessThan(10e-6);
    expect(lean.pulse.trade_off!.targetDeltaSiemens / lean.pulse.trade_off!.rangeSiemens).toBeCloseTo(2 / 64, 12);
  });
});
