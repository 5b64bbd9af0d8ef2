// The batch readout (mvm-readout.wat) senses a whole request in one call, in chunks of the engine's batch
// capacity, two lines at a time: odd line counts, chunk edges and converter settings must not change a bit.
import { describe, expect, it } from "vitest";
import { SimulatedCrossbar } from "../../sim/crossbar/simulated-crossbar.js";
import { IDEAL_PERIPHERALS } from "../../sim/crossbar/peripherals.js";
import { PRESETS } from "../../sim/devices/presets.js";

const volts = (n: number, s: number) => Float64Array.from({ length: n }, (_, i) => 0.2 * Math.sin(0.37 * i + s));

describe("batch readout", () => {
  it("gives Ohm's and Kirchhoff's laws on odd shapes with ideal converters and no noise", async () => {
    for (const [rows, cols] of [[7, 5], [3, 9], [1, 1], [13, 2]] as const) {
      const xb = new SimulatedCrossbar({ rows, cols, seed: 1, device: { ...PRESETS.reram!.device, readNoise: 0 }, peripherals: IDEAL_PERIPHERALS, temperatureKelvin: 0 });
      const g = xb.trueConductances();
      for (const direction of ["forward", "transposed"] as const) {
        const nIn = direction === "forward" ? rows : cols, nOut = direction === "forward" ? cols : rows;
        const v = volts(3 * nIn, rows + cols);
        const got = (await xb.mvm({ direction, volts: v, vectors: 3 })).value;
        expect(got.length).toBe(3 * nOut);
        for (let k = 0; k < 3; k++) {
          for (let j = 0; j < nOut; j++) {
            let want = 0, scale = 0;
            for (let i = 0; i < nIn; i++) {
              const gij = direction === "forward" ? g[i * cols + j]! : g[j * cols + i]!;
              want += v[k * nIn + i]! * gij;
              scale += Math.abs(v[k * nIn + i]! * gij);
            }
            // float32 conductances and sums: within n·2⁻²³ of Σ|v·G| (γ_n).
            expect(Math.abs(got[k * nOut + j]! - want)).toBeLessThanOrEqual((nIn + 2) * 2 ** -23 * scale);
          }
        }
      }
    }
  });

  it("senses one request of many vectors as the same vectors asked one at a time (chunks, odd lines, noise, converters)", async () => {
    // 4096 rows make the engine's batch small (2 MiB of staging ÷ 24 bytes ÷ 4096 lines = 21 vectors): 50 vectors span three chunks.
    for (const [rows, cols] of [[4096, 7], [9, 5]] as const) {
      for (const name of ["reram", "taox"]) {
        const p = PRESETS[name]!;
        const make = () => new SimulatedCrossbar({ rows, cols, seed: 5, device: p.device, peripherals: p.peripherals, temperatureKelvin: 300 });
        const whole = make(), single = make();
        for (const direction of ["forward", "transposed"] as const) {
          const nIn = direction === "forward" ? rows : cols, nOut = direction === "forward" ? cols : rows;
          const vectors = 50;
          const v = volts(vectors * nIn, 2);
          const a = await whole.mvm({ direction, volts: v, vectors });
          const b = new Float64Array(vectors * nOut);
          let joules = 0;
          for (let k = 0; k < vectors; k++) {
            const m = await single.mvm({ direction, volts: v.slice(k * nIn, (k + 1) * nIn) });
            b.set(m.value, k * nOut);
            joules += m.energy.components!.cellRead!;
          }
          expect(Array.from(a.value)).toEqual(Array.from(b));
          expect(Array.from(a.value.subarray(0, nOut))).not.toEqual(Array.from(a.value.subarray((vectors - 1) * nOut))); // inputs and noise differ per vector
          const cellJoules = a.energy.components!.cellRead!;
          expect(joules).toBeGreaterThan(0);
          expect(Math.abs(cellJoules - joules)).toBeLessThanOrEqual(1e-12 * joules); // one sum against fifty: rounding only
        }
      }
    }
  });

  it("writes into request.out when given (and answers it), refuses an out of the wrong length before sensing", async () => {
    const p = PRESETS.reram!;
    const make = () => new SimulatedCrossbar({ rows: 6, cols: 5, seed: 2, device: p.device, peripherals: p.peripherals });
    const a = make(), b = make();
    const v = volts(2 * 6, 1);
    const out = new Float64Array(2 * 5).fill(7);
    const m = await a.mvm({ direction: "forward", volts: v, vectors: 2, out });
    expect(m.value).toBe(out);
    expect(Array.from(out)).toEqual(Array.from((await b.mvm({ direction: "forward", volts: v, vectors: 2 })).value));
    await expect(a.mvm({ direction: "forward", volts: v, vectors: 2, out: new Float64Array(9) })).rejects.toThrow(/out\.length/);
    // The refused request drew no noise: both devices still give the same next product.
    expect(Array.from((await a.mvm({ direction: "transposed", volts: volts(5, 3) })).value)).toEqual(Array.from((await b.mvm({ direction: "transposed", volts: volts(5, 3) })).value));
  });

  it("skips undriven lines without changing a bit: +0 V inputs (skipped) give what −0 V inputs (computed) give", async () => {
    // Ideal converters, and the preset's DAC and ADC (a pair of ±0 V inputs skips the DAC's rounding too).
    for (const [rows, cols, peripherals] of [[64, 64, IDEAL_PERIPHERALS], [37, 50, IDEAL_PERIPHERALS], [37, 50, PRESETS.reram!.peripherals]] as const) {
      // Two devices alike, so the amplifier's noise (the preset's) draws alike for both products.
      const make = () => new SimulatedCrossbar({ rows, cols, seed: 4, device: { ...PRESETS.reram!.device, readNoise: 0 }, peripherals, temperatureKelvin: 0 });
      const xb = make(), twin = make();
      for (const direction of ["forward", "transposed"] as const) {
        const nIn = direction === "forward" ? rows : cols;
        const base = volts(nIn, 5);
        // Undriven runs of every length the kernels step by (a pair of rows, 4 and 16 columns), and single lines.
        // And a layer's block alone (undriven groups of sixteen before and after it: the transposed kernel's span).
        const scattered = (i: number) => (i >= 2 && i < 4) || (i >= 16 && i < 32) || i === 40 || i >= nIn - 5;
        const block = (i: number) => i < 20 || i >= 36;
        for (const undriven of [scattered, block]) {
          const plus = base.map((v, i) => (undriven(i) ? 0 : v));
          const minus = base.map((v, i) => (undriven(i) ? -0 : v));
          const a = (await xb.mvm({ direction, volts: plus })).value;
          const b = (await twin.mvm({ direction, volts: minus })).value;
          expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(true);
          expect(a.some((x) => x !== 0)).toBe(true);
        }
      }
    }
  });

  it("refuses volts beyond the read limit, or NaN, anywhere in a request before drawing any noise (one batch and several)", async () => {
    const p = PRESETS.reram!;
    for (const [rows, cols, vectors] of [[6, 5, 3], [4096, 7, 50]] as const) {
      const make = () => new SimulatedCrossbar({ rows, cols, seed: 3, device: p.device, peripherals: p.peripherals, temperatureKelvin: 300 });
      const a = make(), b = make();
      const max = a.identity.limits.maxReadVolts;
      for (const [at, bad] of [[vectors * rows - 1, max * 1.0001], [vectors * rows - 2, -max * 1.5], [rows + 1, Number.NaN]] as const) {
        const v = volts(vectors * rows, 7);
        v[at] = bad;
        await expect(a.mvm({ direction: "forward", volts: v, vectors })).rejects.toThrow(new RegExp(`volts\\[${at}\\]`));
      }
      // Exactly ±max is allowed; the refusals drew nothing: both devices give the same next products.
      const edge = volts(rows, 1).map((x, i) => (i % 2 ? max : -max) * Math.sign(x || 1));
      for (const xb of [a, b]) expect((await xb.mvm({ direction: "forward", volts: edge })).value.length).toBe(cols);
      const next = volts(cols, 3);
      expect(Array.from((await a.mvm({ direction: "transposed", volts: next })).value)).toEqual(Array.from((await b.mvm({ direction: "transposed", volts: next })).value));
    }
  });
});
