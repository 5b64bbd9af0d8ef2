// Line resistance (IR drop): the solver against nodal analysis written out by hand, energy conservation, the ideal-
// wire limit, 256×256, and products unchanged bit for bit when it is off.
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { LineResistanceSolver } from "../../sim/crossbar/ir-drop.js";
import { SimulatedCrossbar } from "../../sim/crossbar/simulated-crossbar.js";
import { IDEAL_PERIPHERALS } from "../../sim/crossbar/peripherals.js";
import { PRESETS } from "../../sim/devices/presets.js";

/** Solves A·x = b by Gaussian elimination with partial pivoting (dense, for the hand-sized networks). */
function gauss(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

describe("line resistance: the 2×2 array by hand", () => {
  // Nodes: row nodes u00 u01 u10 u11, column nodes d00 d01 d10 d11 (index 0..7). Rows are driven at their column-0
  // end through one segment r; columns end at the virtual ground (0 V) below row 1 through one segment r.
  const r = 50, g = 1 / r;
  const G = [1e-3, 2e-3, 0.5e-3, 4e-3]; // G00 G01 G10 G11 (large, so the drop is large)
  const V = [0.3, -0.2];
  const [u00, u01, u10, u11, d00, d01, d10, d11] = [0, 1, 2, 3, 4, 5, 6, 7];
  /** KCL at each node written out: Σ conductance·(neighbour − node) + source terms = 0, as A·x = b. */
  function handSystem(): { a: number[][]; b: number[] } {
    const a = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
    const b = new Array<number>(8).fill(0);
    const link = (p: number, q: number, c: number) => {
      a[p]![p]! += c; a[q]![q]! += c; a[p]![q]! -= c; a[q]![p]! -= c;
    };
    const toSource = (p: number, c: number, v: number) => {
      a[p]![p]! += c; b[p]! += c * v;
    };
    toSource(u00, g, V[0]!); link(u00, u01, g); // row 0: driver — u00 — u01
    toSource(u10, g, V[1]!); link(u10, u11, g); // row 1
    link(d00, d10, g); toSource(d10, g, 0); // column 0: d00 — d10 — virtual ground
    link(d01, d11, g); toSource(d11, g, 0); // column 1
    link(u00, d00, G[0]!); link(u01, d01, G[1]!); link(u10, d10, G[2]!); link(u11, d11, G[3]!); // the cells
    return { a, b };
  }

  it("the solver's column currents are the hand solution's g·d(1,j)", () => {
    const { a, b } = handSystem();
    const x = gauss(a, b);
    const want = [g * x[d10]!, g * x[d11]!];
    const s = new LineResistanceSolver(2, 2, r).solve(G, V, true);
    expect(s.outputs[0]! / want[0]!).toBeCloseTo(1, 10);
    expect(s.outputs[1]! / want[1]!).toBeCloseTo(1, 10);
    // The drop is real: the ideal-wire product is off by more than 10% here.
    expect(Math.abs(s.outputs[0]! / (G[0]! * V[0]! + G[2]! * V[1]!) - 1)).toBeGreaterThan(0.1);
    // Power: what the drivers deliver is dissipated in the cells and the wires.
    let cells = 0;
    for (const [p, q, k] of [[u00, d00, 0], [u01, d01, 1], [u10, d10, 2], [u11, d11, 3]] as const) cells += G[k]! * (x[p]! - x[q]!) ** 2;
    expect(s.cellWatts / cells).toBeCloseTo(1, 9);
    expect(s.sourceWatts / (s.cellWatts + s.wireWatts)).toBeCloseTo(1, 9);
    const source = V[0]! * g * (V[0]! - x[u00]!) + V[1]! * g * (V[1]! - x[u10]!);
    expect(s.sourceWatts / source).toBeCloseTo(1, 9);
  });

  it("a 1×1 array is the series circuit: I = V/(2r + 1/G), both directions", () => {
    const s = new LineResistanceSolver(1, 1, 10);
    const want = 0.2 / (20 + 1 / 1e-3);
    expect(s.solve([1e-3], [0.2], true).outputs[0]! / want).toBeCloseTo(1, 12);
    expect(s.solve([1e-3], [0.2], false).outputs[0]! / want).toBeCloseTo(1, 12);
  });
});

describe("line resistance: scale and limits", () => {
  const pseudo = (i: number) => (((Math.sin(i * 12.9898) * 43758.5453) % 1) + 1) % 1;

  it("solves 256×256 (131,072 nodes) in a few dozen iterations, conserving power, in both directions", () => {
    const n = 256;
    const g = Float64Array.from({ length: n * n }, (_, i) => 1e-6 + 99e-6 * pseudo(i));
    const v = Float64Array.from({ length: n }, (_, i) => 0.3 * Math.cos(i));
    const solver = new LineResistanceSolver(n, n, 0.49);
    for (const forward of [true, false]) {
      const s = solver.solve(g, v, forward);
      expect(s.iterations).toBeLessThan(100);
      expect(s.sourceWatts / (s.cellWatts + s.wireWatts)).toBeCloseTo(1, 8);
    }
  });

  it("with wires of vanishing resistance the products are Gᵀ·V and G·V", () => {
    const rows = 5, cols = 7;
    const g = Float64Array.from({ length: rows * cols }, (_, i) => 1e-6 + 99e-6 * pseudo(i));
    const solver = new LineResistanceSolver(rows, cols, 1e-6); // 1 µΩ beside cells of 10 kΩ–1 MΩ
    const vr = Float64Array.from({ length: rows }, (_, i) => 0.1 * (i - 2));
    const f = solver.solve(g, vr, true);
    for (let j = 0; j < cols; j++) {
      let ideal = 0;
      for (let i = 0; i < rows; i++) ideal += g[i * cols + j]! * vr[i]!;
      expect(f.outputs[j]! / ideal).toBeCloseTo(1, 5);
    }
    const vc = Float64Array.from({ length: cols }, (_, j) => 0.05 * (j - 3) + 0.01);
    const t = solver.solve(g, vc, false);
    for (let i = 0; i < rows; i++) {
      let ideal = 0;
      for (let j = 0; j < cols; j++) ideal += g[i * cols + j]! * vc[j]!;
      expect(t.outputs[i]! / ideal).toBeCloseTo(1, 5);
    }
  });

  it("on the array: irDrop moves the products and books the wires' dissipation; its energy balances", async () => {
    const common = { rows: 8, cols: 8, seed: 3, device: PRESETS.ideal!.device, peripherals: { ...IDEAL_PERIPHERALS } };
    const ideal = new SimulatedCrossbar(common);
    const dropped = new SimulatedCrossbar({ ...common, array: { irDrop: true, lineResistanceOhmsPerCell: 100 } });
    const volts = Float64Array.from({ length: 8 }, (_, i) => 0.3 - 0.05 * i);
    const a = await ideal.mvm({ direction: "forward", volts });
    const b = await dropped.mvm({ direction: "forward", volts });
    const solved = new LineResistanceSolver(8, 8, 100).solve(dropped.trueConductances(), Float32Array.from(volts), true);
    for (let j = 0; j < 8; j++) expect(b.value[j]).toBe(Math.fround(solved.outputs[j]!));
    expect(Math.abs(b.value[0]! / a.value[0]! - 1)).toBeGreaterThan(1e-3);
    expect(b.energy.components!.lineResistance! / (solved.wireWatts * dropped.peripherals.settlingSeconds)).toBeCloseTo(1, 12);
    expect(b.energy.cell / (solved.cellWatts * dropped.peripherals.settlingSeconds)).toBeCloseTo(1, 12);
    // Reads go through the lines too: readCell is one driven row's solved current over its volts.
    const cell = await dropped.readCell(2, 5, 0.2);
    const row = new LineResistanceSolver(8, 8, 100).solve(dropped.trueConductances(), [0, 0, 0.2, 0, 0, 0, 0, 0], true);
    expect(cell.value / (row.outputs[5]! / 0.2)).toBeCloseTo(1, 12);
    expect(cell.value).toBeLessThan(dropped.trueConductances()[2 * 8 + 5]!);
  });
});

describe("products with IR drop off", () => {
  // The SHA-256 of every product, read and final conductance of a fixed sequence on reram, taox and prezioso
  // 32×24 (forward and transposed batches, V/2 row and V/3 column pulses, readArray, readCell), computed with the
  // code before the energy model (commit 54f97bc). Off, the lines are ideal, and at T = 0 no thermal noise is
  // drawn: the same bits.
  const BEFORE = "b84e8a660926d047118c0919f8e07f9a3b4210e224ad0ac0171d40ac272cd791";

  it("are bit-identical to the products before the energy model (thermal noise off)", async () => {
    const h = createHash("sha256");
    const add = (a: ArrayLike<number>) => h.update(Buffer.from(Float64Array.from(a).buffer));
    for (const name of ["reram", "taox", "prezioso"]) {
      const p = PRESETS[name]!;
      const xb = new SimulatedCrossbar({ rows: 32, cols: 24, seed: 7, device: p.device, peripherals: p.peripherals, array: p.array, temperatureKelvin: 0 });
      expect(xb.array.irDrop).toBe(false);
      const vin = (n: number, k: number, s: number) => Float64Array.from({ length: n * k }, (_, i) => 0.25 * Math.sin(0.7 * i + s));
      const w = p.device.nominalPulseWidthSeconds;
      add((await xb.mvm({ direction: "forward", volts: vin(32, 5, 1), vectors: 5 })).value);
      add((await xb.mvm({ direction: "transposed", volts: vin(24, 3, 2), vectors: 3 })).value);
      await xb.program([
        { kind: "row", line: 3, selected: [1, 4, 9], counts: [2, 1, 3], volts: 1.25, widthSeconds: w, scheme: "V/2" },
        { kind: "column", line: 5, selected: [0, 7], counts: [1, 2], volts: -1.25, widthSeconds: w, scheme: "V/3" },
      ]);
      add((await xb.readArray()).value);
      add([(await xb.readCell(3, 4)).value]);
      add((await xb.mvm({ direction: "forward", volts: vin(32, 2, 3), vectors: 2 })).value);
      add(xb.trueConductances());
    }
    expect(h.digest("hex")).toBe(BEFORE);
  });
});
