// Known-answer tests of the simulated crossbar: products, read and pulse energies, spreads, thresholds, determinism.
import { describe, expect, it } from "vitest";
import { SimulatedCrossbar, type SimulatedCrossbarOptions } from "../../sim/crossbar/simulated-crossbar.js";
import { PRESETS } from "../../sim/devices/presets.js";
import type { DeviceParams } from "../../sim/devices/params.js";
import { IDEAL_PERIPHERALS } from "../../sim/crossbar/peripherals.js";
import { openCrossbar } from "../../src/backends/open.js";

const ideal = PRESETS.ideal!;
const device = (over: Partial<DeviceParams> = {}): DeviceParams => ({ ...ideal.device, ...over });
const idealXbar = (over: Partial<SimulatedCrossbarOptions> = {}) =>
  new SimulatedCrossbar({ rows: 16, cols: 24, seed: 5, device: device(), peripherals: { ...IDEAL_PERIPHERALS }, ...over });
/** float32 summation bound γ_n for n terms, plus the float32 rounding of G and V. */
const f32Bound = (n: number) => (n + 2) * 2 ** -24;

describe("products with ideal devices", () => {
  it("forward is Gᵀ·V and transposed is G·V to float32 tolerance, for every vector of a batch", async () => {
    for (const [rows, cols] of [[16, 24], [7, 5], [64, 64], [33, 130]] as const) {
      const xb = idealXbar({ rows, cols });
      const G = xb.trueConductances();
      for (const direction of ["forward", "transposed"] as const) {
        const nIn = direction === "forward" ? rows : cols, nOut = direction === "forward" ? cols : rows;
        const vectors = 3;
        const volts = Float64Array.from({ length: nIn * vectors }, (_, i) => 0.4 * Math.cos(0.37 * i * i + 1));
        const got = (await xb.mvm({ direction, volts, vectors })).value;
        for (let k = 0; k < vectors; k++) {
          for (let j = 0; j < nOut; j++) {
            let exact = 0, scale = 0;
            for (let i = 0; i < nIn; i++) {
              const g = direction === "forward" ? G[i * cols + j]! : G[j * cols + i]!;
              exact += volts[k * nIn + i]! * g;
              scale += Math.abs(volts[k * nIn + i]! * g);
            }
            expect(Math.abs(got[k * nOut + j]! - exact)).toBeLessThanOrEqual(f32Bound(nIn) * scale);
          }
        }
      }
    }
  });

  it("a one-hot input returns one row (forward) or one column (transposed) of G times the volts", async () => {
    const xb = idealXbar();
    const G = xb.trueConductances();
    const v = new Float64Array(16);
    v[3] = 0.25;
    const row = (await xb.mvm({ direction: "forward", volts: v })).value;
    const near = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(2 ** -23 * Math.abs(want));
    for (let j = 0; j < 24; j++) near(row[j]!, 0.25 * G[3 * 24 + j]!);
    const u = new Float64Array(24);
    u[7] = -0.5;
    const col = (await xb.mvm({ direction: "transposed", volts: u })).value;
    for (let i = 0; i < 16; i++) near(col[i]!, -0.5 * G[i * 24 + 7]!);
  });
});

describe("energy and time from physics", () => {
  const costs = { dacJoulesPerConversion: 3e-13, adcJoulesPerConversion: 7e-13, settlingSeconds: 2e-7, pulseGapSeconds: 4e-8 };

  it("a read spends Σ V²·G·t in the cells and one conversion per driven and sensed line", async () => {
    const xb = idealXbar({ peripherals: { ...IDEAL_PERIPHERALS, ...costs } });
    const G = xb.trueConductances();
    const V = 0.3, t = costs.settlingSeconds;
    const cell = await xb.readCell(2, 5, V);
    expect(cell.value / G[2 * 24 + 5]!).toBeCloseTo(1, 14);
    expect(cell.energy.cell).toBeCloseTo(V * V * G[2 * 24 + 5]! * t, 25);
    expect(cell.energy.peripheral).toBeCloseTo(3e-13 + 7e-13, 25);
    expect(cell.durationSeconds).toBe(t);
    const all = await xb.readArray(V);
    const sumG = G.reduce((a, b) => a + b, 0);
    expect(all.energy.cell / (V * V * sumG * t)).toBeCloseTo(1, 12);
    expect(all.energy.halfSelected).toBe(0);
    expect(all.energy.peripheral).toBeCloseTo(16 * 3e-13 + 16 * 24 * 7e-13, 22);
    expect(all.durationSeconds).toBeCloseTo(16 * t, 18);
  });

  it("a product spends Σ_i V_i²·Σ_j G_ij·t per vector; the clock advances by its duration", async () => {
    const xb = idealXbar({ peripherals: { ...IDEAL_PERIPHERALS, ...costs } });
    const G = xb.trueConductances();
    const volts = Float64Array.from({ length: 32 }, (_, i) => (i % 5) * 0.07 - 0.1);
    const before = xb.elapsedSeconds;
    const m = await xb.mvm({ direction: "forward", volts, vectors: 2 });
    let joules = 0;
    for (let k = 0; k < 2; k++) for (let i = 0; i < 16; i++) for (let j = 0; j < 24; j++) joules += volts[k * 16 + i]! ** 2 * G[i * 24 + j]! * costs.settlingSeconds;
    expect(m.energy.cell / joules).toBeCloseTo(1, 12);
    expect(m.energy.peripheral).toBeCloseTo(2 * (16 * 3e-13 + 24 * 7e-13), 22);
    expect(m.durationSeconds).toBeCloseTo(2 * costs.settlingSeconds, 18);
    expect(xb.elapsedSeconds - before).toBeCloseTo(m.durationSeconds, 18);
  });

  /** ∫₀^w V·I dt with I = V·G(t), G ramping linearly g0 → g1 over [0, tEnd], by composite Simpson (independent of the sim). */
  function simpsonPulseJoules(V: number, g0: number, g1: number, tEnd: number): number {
    const n = 1000;
    const h = tEnd / n;
    const f = (t: number) => V * (V * (g0 + ((g1 - g0) * t) / tEnd));
    let s = f(0) + f(tEnd);
    for (let k = 1; k < n; k++) s += (k % 2 ? 4 : 2) * f(k * h);
    return (s * h) / 3;
  }

  it("a pulse spends ∫V·I dt with G changing during the pulse, and moves G by step·rate", async () => {
    const d = device();
    const xb = idealXbar({ peripherals: { ...IDEAL_PERIPHERALS, ...costs } });
    const V = 1.8, w = 300e-9, i = 3 * 24 + 4;
    const rate = ((V - d.thresholdVoltsPositive) / (d.nominalVoltsPositive - d.thresholdVoltsPositive)) * (w / d.nominalPulseWidthSeconds);
    let expected = 0;
    let g = xb.trueConductances()[i]!;
    const G0 = xb.trueConductances();
    for (let k = 0; k < 3; k++) {
      const g1 = Math.min(g + d.stepSiemens * rate, xb.population.gMax[i]!);
      expected += simpsonPulseJoules(V, g, g1, w);
      g = g1;
    }
    const m = await xb.program([{ kind: "cell", row: 3, col: 4, volts: V, widthSeconds: w, count: 3 }]);
    expect(xb.trueConductances()[i]).toBeCloseTo(g, 15);
    expect(m.energy.cell / expected).toBeCloseTo(1, 9);
    expect(m.value).toEqual({ pulsesApplied: 3, complianceTrips: 0 });
    // V/2 (the default cell scheme): row 3 and column 4 see V/2; the rest 0 V. Sub-threshold, so unchanged.
    let half = 0;
    for (let c = 0; c < 24; c++) if (c !== 4) half += G0[3 * 24 + c]!;
    for (let r = 0; r < 16; r++) if (r !== 3) half += G0[r * 24 + 4]!;
    expect(m.energy.halfSelected / (3 * (V / 2) ** 2 * w * half)).toBeCloseTo(1, 9);
    expect(m.energy.peripheral).toBeCloseTo(3 * (16 + 24) * 3e-13, 22);
    expect(m.durationSeconds).toBeCloseTo(3 * (w + costs.pulseGapSeconds), 18);
  });

  it("compliance cuts a pulse where V·G reaches the limit; the energy integral stops there", async () => {
    const V = 2.0, w = 1e-6;
    const probe = idealXbar();
    const i = 0;
    const g0 = probe.trueConductances()[i]!;
    const gc = g0 + 0.3e-6; // the compliance conductance, reached during the pulse
    const xb = idealXbar({ device: device({ complianceAmperes: V * gc }) });
    const d = device();
    const rate = ((V - d.thresholdVoltsPositive) / (d.nominalVoltsPositive - d.thresholdVoltsPositive)) * (w / d.nominalPulseWidthSeconds);
    const g1Free = g0 + d.stepSiemens * rate;
    expect(g1Free).toBeGreaterThan(gc);
    const tCut = (w * (gc - g0)) / (g1Free - g0);
    const m = await xb.program([{ kind: "cell", row: 0, col: 0, volts: V, widthSeconds: w, count: 1 }]);
    expect(m.value.complianceTrips).toBe(1);
    expect(xb.trueConductances()[i]).toBeCloseTo(gc, 18);
    const expected = simpsonPulseJoules(V, g0, g0 + ((g1Free - g0) * tCut) / w, tCut);
    expect(m.energy.cell / expected).toBeCloseTo(1, 9);
  });

  it("V/3 row-parallel: selected cells see V, the rest of the array V/3 (half-selected energy over all other cells)", async () => {
    const xb = idealXbar({ peripherals: { ...IDEAL_PERIPHERALS, ...costs } });
    const G0 = xb.trueConductances();
    const V = -1.5, w = 100e-9;
    const selected = [1, 5, 6], counts = [2, 0, 1];
    const m = await xb.program([{ kind: "row", line: 2, selected, counts, volts: V, widthSeconds: w, scheme: "V/3" }]);
    // Round 1 selects columns 1 and 6, round 2 only column 1. Every other cell conducts (V/3)²·G·w each round,
    // with the conductance it has then: in round 2, cell (2,6) has already moved (one step down).
    const G1 = xb.trueConductances();
    expect(G1[2 * 24 + 6]).toBeCloseTo(G0[2 * 24 + 6]! - ideal.device.stepSiemens, 18);
    const sumAll = G0.reduce((a, b) => a + b, 0);
    const round1 = sumAll - G0[2 * 24 + 1]! - G0[2 * 24 + 6]!;
    const round2 = sumAll - G0[2 * 24 + 1]! - G0[2 * 24 + 6]! + G1[2 * 24 + 6]!;
    expect(m.energy.halfSelected / ((V / 3) ** 2 * w * (round1 + round2))).toBeCloseTo(1, 10);
    expect(m.value.pulsesApplied).toBe(3);
    expect(m.energy.peripheral).toBeCloseTo(2 * (16 + 24) * 3e-13, 22);
    expect(G1[2 * 24 + 1]).toBeLessThan(G0[2 * 24 + 1]!);
    expect(G1[2 * 24 + 6]).toBeLessThan(G0[2 * 24 + 6]!);
    expect(G1[2 * 24 + 5]).toBe(G0[2 * 24 + 5]);
  });
});

describe("switching: threshold, amplitude, width, half-select disturb", () => {
  it("a sub-threshold pulse changes nothing, however long or repeated (but it conducts)", async () => {
    const xb = await openCrossbar("sim:reram?rows=16&cols=16&seed=2") as SimulatedCrossbar;
    const before = xb.trueConductances();
    const d = PRESETS.reram!.device;
    const m = await xb.program([
      { kind: "cell", row: 1, col: 1, volts: d.thresholdVoltsPositive, widthSeconds: d.maxPulseWidthSeconds, count: 1000 },
      { kind: "cell", row: 2, col: 2, volts: -d.thresholdVoltsNegative * 0.99, widthSeconds: d.maxPulseWidthSeconds, count: 1000 },
      { kind: "row", line: 3, selected: [0, 4, 9], counts: [5, 5, 5], volts: 0.5, widthSeconds: 1e-6, scheme: "V/2" },
    ]);
    expect(Buffer.from(xb.trueConductances().buffer).equals(Buffer.from(before.buffer))).toBe(true);
    expect(m.energy.cell).toBeGreaterThan(0);
  });

  it("a larger or longer pulse moves more: ΔG = step·((|V|−Vth)/(Vnom−Vth))^a·(w/wNom)^b", async () => {
    const d = device({ amplitudeExponent: 2, widthExponent: 0.5 });
    const xb = idealXbar({ device: d });
    const delta = async (row: number, volts: number, w: number) => {
      const g0 = xb.trueConductances()[row * 24]!;
      await xb.program([{ kind: "cell", row, col: 0, volts, widthSeconds: w, count: 1 }]);
      return xb.trueConductances()[row * 24]! - g0;
    };
    const small = await delta(0, 1.5, 100e-9);
    const larger = await delta(1, 2.0, 100e-9);
    const longer = await delta(2, 1.5, 400e-9);
    expect(small).toBeCloseTo(d.stepSiemens, 15);
    expect(larger).toBeCloseTo(d.stepSiemens * 4, 15); // ((2−1)/(1.5−1))² = 4
    expect(longer).toBeCloseTo(d.stepSiemens * 2, 15); // (400/100)^0.5 = 2
    expect(await delta(3, -2.0, 100e-9)).toBeCloseTo(-d.stepSiemens * 4, 15);
  });

  it("V/2 above threshold disturbs half-selected cells; V/3 at the same amplitude does not", async () => {
    const d = device({ thresholdVoltsPositive: 0.8, thresholdVoltsNegative: 0.8, nominalVoltsPositive: 1.5, nominalVoltsNegative: 1.5 });
    for (const [scheme, disturbs] of [["V/2", true], ["V/3", false]] as const) {
      const xb = idealXbar({ device: d });
      const before = xb.trueConductances();
      await xb.program([{ kind: "row", line: 4, selected: [2], counts: [1], volts: 2.0, widthSeconds: 100e-9, scheme }]);
      const after = xb.trueConductances();
      const halfOnRow = 4 * 24 + 9, halfOnCol = 7 * 24 + 2, unselected = 7 * 24 + 9;
      expect(after[4 * 24 + 2]).toBeGreaterThan(before[4 * 24 + 2]!);
      expect(after[halfOnRow]! > before[halfOnRow]!).toBe(disturbs);
      expect(after[halfOnCol]! > before[halfOnCol]!).toBe(disturbs);
      expect(after[unselected]).toBe(before[unselected]);
    }
  });

  it("stuck devices never move; worn-out devices stop after their endurance", async () => {
    const stuck = idealXbar({ device: device({ stuckAtMaxProbability: 1 }) });
    const g = stuck.trueConductances();
    for (let i = 0; i < g.length; i++) expect(g[i]).toBe(stuck.population.gMax[i]);
    await stuck.program([{ kind: "cell", row: 0, col: 0, volts: -2, widthSeconds: 1e-6, count: 10 }]);
    expect(stuck.trueConductances()[0]).toBe(g[0]);
    const worn = idealXbar({ device: device({ endurancePulses: 5, initialConductance: "gMin" }) });
    await worn.program([{ kind: "cell", row: 0, col: 0, volts: 1.5, widthSeconds: 100e-9, count: 5 }]);
    const g5 = worn.trueConductances()[0]!;
    expect(g5).toBeCloseTo(worn.population.gMin[0]! + 5 * ideal.device.stepSiemens, 15);
    await worn.program([{ kind: "cell", row: 0, col: 0, volts: 1.5, widthSeconds: 100e-9, count: 5 }]);
    expect(worn.trueConductances()[0]).toBe(g5);
  });
});

describe("spreads recovered statistically", () => {
  const spreadDevice = device({
    model: "linearStep", gMinSiemens: 0, gMaxSiemens: 1, stepSiemens: 1e-6, initialConductance: "gMin",
    stepSpreadD2d: 0.2, writeNoiseC2c: 0.1,
  });
  const rows = 64, cols = 64;
  const allColumns = Array.from({ length: cols }, (_, c) => c);
  async function pulseAll(xb: SimulatedCrossbar, count: number): Promise<Float64Array> {
    const before = xb.trueConductances();
    await xb.program(Array.from({ length: rows }, (_, r) => ({ kind: "row" as const, line: r, selected: allColumns, counts: allColumns.map(() => count), volts: 1.5, widthSeconds: 100e-9, scheme: "V/3" as const })));
    const after = xb.trueConductances();
    return after.map((g, i) => g - before[i]!);
  }
  const std = (a: Float64Array) => {
    const m = a.reduce((x, y) => x + y, 0) / a.length;
    return { mean: m, sd: Math.sqrt(a.reduce((x, y) => x + (y - m) ** 2, 0) / (a.length - 1)) };
  };

  it("device-to-device spread of the step: sd/mean of each device's mean step over 100 pulses ≈ 0.2", async () => {
    const xb = new SimulatedCrossbar({ rows, cols, seed: 11, device: spreadDevice, peripherals: { ...IDEAL_PERIPHERALS } });
    const d = await pulseAll(xb, 100);
    const { mean, sd } = std(d);
    expect(mean / 100).toBeCloseTo(1e-6, 7);
    // c2c adds 0.1/√100 = 0.01 in quadrature: √(0.2² + 0.01²) = 0.2002. Standard error ≈ 0.2/√8192 ≈ 0.0022.
    expect(sd / mean).toBeGreaterThan(0.2002 - 0.01);
    expect(sd / mean).toBeLessThan(0.2002 + 0.01);
  });

  it("cycle-to-cycle write noise: two single pulses on the same devices differ by ≈ 0.1 of a step", async () => {
    const xb = new SimulatedCrossbar({ rows, cols, seed: 12, device: spreadDevice, peripherals: { ...IDEAL_PERIPHERALS } });
    const d1 = await pulseAll(xb, 1);
    const d2 = await pulseAll(xb, 1);
    // r = (Δ2 − Δ1)/(Δ1 + Δ2) ≈ 0.1·(ε2 − ε1)/2 per device, whatever its own step: sd(r)·√2 estimates the c2c spread.
    const r = d1.map((a, i) => (d2[i]! - a) / (a + d2[i]!));
    const est = std(r).sd * Math.SQRT2;
    expect(est).toBeGreaterThan(0.1 - 0.006);
    expect(est).toBeLessThan(0.1 + 0.006);
  });
});

describe("determinism", () => {
  async function session(uri: string): Promise<Float64Array[]> {
    const xb = await openCrossbar(uri);
    const out: Float64Array[] = [];
    out.push((await xb.readArray()).value);
    await xb.program([
      { kind: "cell", row: 1, col: 2, volts: 1.4, widthSeconds: 200e-9, count: 7 },
      { kind: "row", line: 3, selected: [0, 1, 5], counts: [3, 1, 2], volts: -1.5, widthSeconds: 100e-9, scheme: "V/2" },
    ]);
    out.push((await xb.mvm({ direction: "forward", volts: new Float64Array(32).fill(0.1), vectors: 1 })).value);
    out.push((await xb.mvm({ direction: "transposed", volts: new Float64Array(32).fill(-0.05) })).value);
    out.push((await xb.readArray()).value);
    out.push(Float64Array.of((await xb.readCell(1, 2)).value));
    await xb.close();
    return out;
  }
  const bytes = (x: Float64Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
  const same = (a: Float64Array[], b: Float64Array[]) => a.every((x, k) => bytes(x).equals(bytes(b[k]!)));

  it("the same seed reproduces every answer bit for bit; another seed does not", async () => {
    const a = await session("sim:reram?rows=32&cols=32&seed=7");
    const b = await session("sim:reram?rows=32&cols=32&seed=7");
    const c = await session("sim:reram?rows=32&cols=32&seed=8");
    expect(same(a, b)).toBe(true);
    expect(same(a, c)).toBe(false);
  });
});
