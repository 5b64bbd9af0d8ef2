// Known answers of the energy model: access devices (K, 1T1R), line and gate-line charging, thermal read noise at T,
// the energy table's arithmetic, and the finer split partitioning the contract's three parts.
import { describe, expect, it } from "vitest";
import { SimulatedCrossbar, type SimulatedCrossbarOptions } from "../../sim/crossbar/simulated-crossbar.js";
import { IDEAL_PERIPHERALS } from "../../sim/crossbar/peripherals.js";
import { unselectedCellAmperes } from "../../sim/crossbar/access-device.js";
import { DEFAULT_ARRAY, type ArrayParams } from "../../sim/crossbar/array-params.js";
import { ADC_WALDEN_JOULES_PER_STEP, adcJoules, tiaJoules } from "../../sim/crossbar/energy-table.js";
import { PRESETS } from "../../sim/devices/presets.js";
import { ENERGY_COMPONENTS } from "../../src/hal/crossbar.js";
import { BOLTZMANN_J_PER_K } from "../../src/hal/units.js";

const ideal = PRESETS.ideal!;
const xbar = (over: Partial<SimulatedCrossbarOptions> = {}) =>
  new SimulatedCrossbar({ rows: 1, cols: 2, seed: 5, device: ideal.device, peripherals: { ...IDEAL_PERIPHERALS }, ...over });
const access = (over: Partial<ArrayParams>): ArrayParams => ({ ...DEFAULT_ARRAY, ...over });

describe("access devices: half-selected current", () => {
  // A 1×2 array, cell (0,0) pulsed under threshold with V/2: row 0 at V, column 0 at 0, column 1 at V/2, so
  // cell (0,1) is half-selected at V/2. Its energy over the pulse is (V/2)·I_half·w.
  const V = 0.9, w = 1e-6; // the ideal device's threshold is 1 V: nothing switches

  it("at V/2 a cell draws its full-select current divided by K (K = 10 and K = 1000)", async () => {
    for (const K of [10, 1000]) {
      const xb = xbar({ array: { access: "1S1R", halfSelectNonlinearity: K } });
      const g1 = xb.trueConductances()[1]!;
      const m = await xb.program([{ kind: "cell", row: 0, col: 0, volts: V, widthSeconds: w, count: 1 }]);
      const halfAmperes = m.energy.halfSelected / ((V / 2) * w);
      expect(halfAmperes / ((g1 * V) / K)).toBeCloseTo(1, 12);
      expect(unselectedCellAmperes(access({ access: "1S1R", halfSelectNonlinearity: K }), g1, V / 2, V) / ((g1 * V) / K)).toBeCloseTo(1, 12);
    }
  });

  it("K = 2 is Ohmic; at V/3 the power law gives I(V)/3^log2(K)", () => {
    const g = 40e-6, V = 1.2;
    expect(unselectedCellAmperes(access({ halfSelectNonlinearity: 2 }), g, V / 2, V)).toBeCloseTo(g * V / 2, 20);
    const K = 100;
    expect(unselectedCellAmperes(access({ halfSelectNonlinearity: K }), g, V / 3, V) / ((g * V) / 3 ** Math.log2(K))).toBeCloseTo(1, 12);
    expect(unselectedCellAmperes(access({ halfSelectNonlinearity: K }), g, -V / 3, V)).toBeLessThan(0);
  });

  it("is exactly zero on a 1T1R array, and no unselected cell is disturbed even above threshold", async () => {
    const device = { ...ideal.device, thresholdVoltsPositive: 0.8, thresholdVoltsNegative: 0.8 };
    const make = (a: Partial<ArrayParams>) => new SimulatedCrossbar({ rows: 4, cols: 4, seed: 5, device, peripherals: { ...IDEAL_PERIPHERALS }, array: a });
    const pulse = { kind: "row", line: 1, selected: [2], counts: [2], volts: 2, widthSeconds: 1e-7, scheme: "V/2" } as const;
    // 2 V row-parallel V/2: half-selected cells see 1 V, above the 0.8 V threshold: a passive array is disturbed.
    const passive = make({});
    const p0 = passive.trueConductances();
    await passive.program([pulse]);
    expect(passive.trueConductances()[1 * 4 + 0]).toBeGreaterThan(p0[1 * 4 + 0]!);
    const xb = make({ access: "1T1R" });
    const before = xb.trueConductances();
    const m = await xb.program([pulse]);
    expect(m.energy.halfSelected).toBe(0);
    const after = xb.trueConductances();
    for (let i = 0; i < 16; i++) if (i !== 1 * 4 + 2) expect(after[i]).toBe(before[i]);
    expect(after[6]).toBeGreaterThan(before[6]!);
    expect(unselectedCellAmperes(access({ access: "1T1R" }), 1e-4, 0.5, 1)).toBe(0);
  });
});

describe("line and gate-line charging", () => {
  const c = 2e-15, V = 0.25;

  it("one row drive costs C·V², C = cols × the capacitance per cell", async () => {
    const xb = new SimulatedCrossbar({ rows: 3, cols: 5, seed: 1, device: ideal.device, peripherals: { ...IDEAL_PERIPHERALS }, array: { lineCapacitanceFaradsPerCell: c } });
    const m = await xb.readCell(1, 2, V);
    expect(m.energy.components!.lineCharging).toBeCloseTo(5 * c * V * V, 30);
    const all = await xb.readArray(V);
    expect(all.energy.components!.lineCharging! / (3 * 5 * c * V * V)).toBeCloseTo(1, 12);
  });

  it("a V/2 row pulse charges the row to V and every other line to V/2; the selected column stays at 0", async () => {
    const rows = 3, cols = 5, Vp = 0.8;
    const xb = new SimulatedCrossbar({ rows, cols, seed: 1, device: ideal.device, peripherals: { ...IDEAL_PERIPHERALS }, array: { lineCapacitanceFaradsPerCell: c } });
    const m = await xb.program([{ kind: "row", line: 0, selected: [1], counts: [1], volts: Vp, widthSeconds: 1e-7, scheme: "V/2" }]);
    const rowC = cols * c, colC = rows * c;
    const want = rowC * Vp ** 2 + (rows - 1) * rowC * (Vp / 2) ** 2 + (cols - 1) * colC * (Vp / 2) ** 2;
    expect(m.energy.components!.lineCharging! / want).toBeCloseTo(1, 12);
  });

  it("1T1R: each word line switched on costs cols·C_gate·V_wl²", async () => {
    const cg = 0.5e-15, vwl = 1.6;
    const xb = new SimulatedCrossbar({ rows: 3, cols: 5, seed: 1, device: ideal.device, peripherals: { ...IDEAL_PERIPHERALS }, array: { access: "1T1R", gateCapacitanceFaradsPerCell: cg, wordLineVolts: vwl } });
    expect((await xb.readCell(0, 0, 0.2)).energy.components!.gateLines! / (5 * cg * vwl * vwl)).toBeCloseTo(1, 12);
    const m = await xb.program([{ kind: "column", line: 2, selected: [0, 2], counts: [1, 1], volts: 0.5, widthSeconds: 1e-7, scheme: "V/2" }]);
    expect(m.energy.components!.gateLines! / (2 * 5 * cg * vwl * vwl)).toBeCloseTo(1, 12);
  });
});

describe("thermal read noise at T", () => {
  const G = 50e-6, V = 0.2, bandwidth = 5e6, n = 20000;
  /** Sample variance of n reads of the current of one cell of conductance G at temperature T. */
  async function readVariance(kelvin: number): Promise<number> {
    const xb = new SimulatedCrossbar({
      rows: 1, cols: 1, seed: 11, device: { ...ideal.device, gMinSiemens: G * 0.999, gMaxSiemens: G * 1.001, initialConductance: "gMin" },
      peripherals: { ...IDEAL_PERIPHERALS, readBandwidthHertz: bandwidth }, temperatureKelvin: kelvin,
    });
    const g = xb.trueConductances()[0]!;
    let s = 0, s2 = 0;
    for (let k = 0; k < n; k++) {
      const amperes = (await xb.readCell(0, 0, V)).value * V - g * V;
      s += amperes;
      s2 += amperes * amperes;
    }
    return (s2 - (s * s) / n) / (n - 1);
  }

  it("the current variance is 4·k_B·T·G·Δf at 77 K and at 300 K, within sampling error", async () => {
    for (const kelvin of [77, 300]) {
      const want = 4 * BOLTZMANN_J_PER_K * kelvin * G * bandwidth;
      const got = await readVariance(kelvin);
      // A sample variance of n normal draws has relative standard error sqrt(2/(n−1)) ≈ 1%: allow 4 of them.
      expect(Math.abs(got / want - 1)).toBeLessThan(4 * Math.sqrt(2 / (n - 1)));
    }
  });

  it("a product's output carries 4·k_B·T·ΣG·Δf of its line, and nothing at T = 0", async () => {
    const rows = 6, cols = 3, vectors = 20000;
    const make = (kelvin: number) => new SimulatedCrossbar({ rows, cols, seed: 4, device: ideal.device, peripherals: { ...IDEAL_PERIPHERALS, readBandwidthHertz: bandwidth }, temperatureKelvin: kelvin });
    const xb = make(300);
    const G = xb.trueConductances();
    const out = (await xb.mvm({ direction: "forward", volts: new Float64Array(rows * vectors), vectors })).value;
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let i = 0; i < rows; i++) sum += G[i * cols + j]!;
      let s2 = 0;
      for (let k = 0; k < vectors; k++) s2 += out[k * cols + j]! ** 2;
      expect(Math.abs(s2 / vectors / (4 * BOLTZMANN_J_PER_K * 300 * sum * bandwidth) - 1)).toBeLessThan(4 * Math.sqrt(2 / vectors));
    }
    const cold = (await make(0).mvm({ direction: "forward", volts: new Float64Array(rows), vectors: 1 })).value;
    expect([...cold]).toEqual([0, 0, 0]);
  });
});

describe("the energy table and the split", () => {
  it("the ADC costs the Walden FoM × 2^ENOB (ENOB = bits − 1); the TIA V_DD·(bits+1)·ln2·C/(gm/I_D)", () => {
    expect(adcJoules(12)).toBeCloseTo(ADC_WALDEN_JOULES_PER_STEP * 2048, 25);
    expect(tiaJoules(12, 1.35e-12)).toBeCloseTo((1.0 * 13 * Math.LN2 * 1.35e-12) / 15, 25);
    const reram = PRESETS.reram!;
    expect(reram.peripherals.adcJoulesPerConversion).toBe(adcJoules(12));
    for (const p of Object.values(PRESETS)) for (const row of p.energyTable) expect(row.source.length, `${p.name}: ${row.quantity}`).toBeGreaterThan(10);
  });

  it("every answer's components partition its three parts (cell, half-selected, peripheral)", async () => {
    const p = PRESETS.reram!;
    const xb = new SimulatedCrossbar({ rows: 8, cols: 8, seed: 2, device: p.device, peripherals: p.peripherals, array: p.array });
    const answers = [
      await xb.readCell(1, 1),
      await xb.readArray(),
      await xb.mvm({ direction: "transposed", volts: new Float64Array(8).fill(0.1) }),
      await xb.program([{ kind: "row", line: 2, selected: [0, 3], counts: [2, 1], volts: 1.2, widthSeconds: 100e-9, scheme: "V/2" }]),
      await xb.program([{ kind: "cell", row: 4, col: 4, volts: -1.2, widthSeconds: 100e-9, count: 3 }]),
    ];
    for (const m of answers) {
      const c = m.energy.components!;
      // A product's parts are sums of its vectors' parts on a binary grid (energy-grid.ts: a call's joules do not
      // depend on how its vectors were grouped); its components are not rounded: the two agree to ~1e-13.
      const partition = (sum: number, part: number) => (m === answers[2] ? expect(Math.abs(sum / part - 1)).toBeLessThan(2e-13) : expect(sum).toBeCloseTo(part, 25));
      expect(Object.keys(c).sort()).toEqual([...ENERGY_COMPONENTS].sort());
      partition(c.cellSet! + c.cellReset! + c.cellRead!, m.energy.cell);
      expect(c.halfSelected).toBe(m.energy.halfSelected);
      partition(c.adc! + c.dac! + c.tia! + c.lineCharging! + c.gateLines! + c.leakage! + c.lineResistance!, m.energy.peripheral);
      expect(c.leakage! / ((8 + 8) * p.peripherals.leakageWattsPerLine! * m.durationSeconds)).toBeCloseTo(1, 12);
    }
    expect(answers[3]!.energy.components!.cellSet).toBeGreaterThan(0);
    expect(answers[4]!.energy.components!.cellReset).toBeGreaterThan(0);
    expect(answers[4]!.energy.components!.cellSet).toBe(0);
  });
});
