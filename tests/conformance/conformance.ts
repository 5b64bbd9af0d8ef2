// The shared Crossbar conformance suite: registers vitest tests that check the contract of src/hal/crossbar.ts
// on ANY backend (sim, twin, serial, firmata). A backend declares its tolerances and may test a subset of
// capabilities; everything it claims in identify().capabilities is tested.
//
//   import { crossbarConformance } from "../conformance/conformance.js";
//   crossbarConformance("serial over pty", () => openCrossbar(uri), { mvmRelativeTolerance: 0.08 });
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Crossbar, DeviceCapabilities, DeviceIdentity, EnergyBreakdown, Measured, Pulse } from "../../src/hal/crossbar.js";

export interface ConformanceOptions {
  /** mvm vs the product of readArray, as a fraction of each output's scale Σ_i |V_i|·G_ij (default 0.05). */
  mvmRelativeTolerance?: number;
  /** readCell vs readArray at the same cell, relative (default 0.05). */
  readRelativeTolerance?: number;
  /** Pulse used for the polarity tests (defaults: the largest allowed amplitudes, width √(min·max), 20 pulses). */
  pulse?: { positiveVolts?: number; negativeVolts?: number; widthSeconds?: number; count?: number };
  /** Cells pulsed by the polarity tests (default: up to 8 cells on the diagonal). Their summed G must move. */
  cells?: Array<[row: number, col: number]>;
  /** Narrow what is tested below what identify() claims (e.g. { parallelPulse: false }). */
  capabilities?: Partial<Omit<DeviceCapabilities, "halfSelectSchemes">>;
  /** Per-test timeout in ms (default 60 000). */
  timeoutMs?: number;
  /** Set false when isSafe() cannot be asked after close() (the suite then only checks close() resolves). */
  isSafeAfterClose?: boolean;
}

const BACKENDS = ["sim", "twin", "serial", "firmata"];

/** Registers the conformance tests for one backend under `describe(label)`. */
export function crossbarConformance(label: string, open: () => Promise<Crossbar>, options: ConformanceOptions = {}): void {
  const timeout = options.timeoutMs ?? 60_000;
  const mvmTol = options.mvmRelativeTolerance ?? 0.05;
  const readTol = options.readRelativeTolerance ?? 0.05;

  describe(`Crossbar conformance: ${label}`, () => {
    let xb: Crossbar;
    let id: DeviceIdentity;
    const can = (k: keyof Omit<DeviceCapabilities, "halfSelectSchemes">) => id.capabilities[k] && options.capabilities?.[k] !== false;

    beforeAll(async () => {
      xb = await open();
      id = await xb.identify();
    }, timeout);
    afterAll(async () => {
      await xb?.close();
    }, timeout);

    const pulseVolts = (sign: 1 | -1) =>
      sign > 0 ? (options.pulse?.positiveVolts ?? id.limits.maxProgramVoltsPositive) : -(options.pulse?.negativeVolts ?? id.limits.maxProgramVoltsNegative);
    const pulseWidth = () => options.pulse?.widthSeconds ?? Math.sqrt(id.limits.minPulseWidthSeconds * id.limits.maxPulseWidthSeconds);
    const pulseCount = () => Math.min(options.pulse?.count ?? 20, id.limits.maxPulseCount);
    const testCells = (): Array<[number, number]> =>
      options.cells ?? Array.from({ length: Math.min(8, id.rows, id.cols) }, (_, k) => [k, k] as [number, number]);

    /** Mean of `n` reads of each test cell, summed, with the standard error of that sum (0 for a noiseless backend). */
    async function summedG(cells: Array<[number, number]>, n = 4): Promise<{ mean: number; stdErr: number }> {
      let total = 0;
      let variance = 0;
      for (const [r, c] of cells) {
        const reads: number[] = [];
        for (let k = 0; k < n; k++) reads.push(checkMeasured(await xb.readCell(r, c)).value);
        const m = reads.reduce((a, b) => a + b, 0) / n;
        total += m;
        variance += reads.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1) / n;
      }
      return { mean: total, stdErr: Math.sqrt(variance) };
    }

    /** The summed G moved by more than 4 standard errors in the expected direction. */
    function expectMoved(from: { mean: number; stdErr: number }, to: { mean: number; stdErr: number }, sign: 1 | -1, what: string): void {
      const noise = 4 * Math.hypot(from.stdErr, to.stdErr);
      expect(sign * (to.mean - from.mean), `${what}: summed G ${from.mean} → ${to.mean} (noise ${noise})`).toBeGreaterThan(noise);
    }

    async function readArrayValue(): Promise<Float64Array> {
      return checkMeasured(await xb.readArray()).value;
    }

    /** Asserts `attempt` is refused with a LimitError naming `field`, and that the array did not change. */
    async function expectRefused(attempt: () => Promise<unknown>, field: RegExp): Promise<void> {
      const before1 = await readArrayValue();
      const before2 = await readArrayValue();
      let err: unknown = null;
      try {
        await attempt();
      } catch (e) {
        err = e;
      }
      expect(err, "the request must be refused").toBeInstanceOf(Error);
      expect((err as Error).name).toBe("LimitError");
      expect((err as Error).message).toMatch(field);
      const after = await readArrayValue();
      // Nothing applied: the before→after difference is no larger than read noise (two reads of an untouched array).
      // Checked over the whole array (L1) and cell by cell (max), so one changed cell shows.
      let noise = 0;
      let moved = 0;
      let noiseMax = 0;
      let movedMax = 0;
      let worst = -1;
      for (let i = 0; i < after.length; i++) {
        const n = Math.abs(before2[i]! - before1[i]!);
        const d = Math.abs(after[i]! - before2[i]!);
        noise += n;
        moved += d;
        noiseMax = Math.max(noiseMax, n);
        if (d > movedMax) [movedMax, worst] = [d, i];
      }
      expect(moved, "summed change over the array").toBeLessThanOrEqual(2 * noise + 1e-15 * after.length);
      expect(movedMax, `cell ${worst} (row ${Math.floor(worst / id.cols)}, col ${worst % id.cols}) changed`).toBeLessThanOrEqual(3 * noiseMax + 1e-15);
    }

    it("identify() describes the device", async () => {
      expect(BACKENDS).toContain(id.backend);
      for (const k of ["model", "serial", "firmwareVersion", "protocolVersion"] as const) {
        expect(typeof id[k]).toBe("string");
        expect(id[k].length).toBeGreaterThan(0);
      }
      expect(Number.isInteger(id.rows) && id.rows > 0).toBe(true);
      expect(Number.isInteger(id.cols) && id.cols > 0).toBe(true);
      const L = id.limits;
      for (const k of ["maxReadVolts", "maxProgramVoltsPositive", "maxProgramVoltsNegative", "minPulseWidthSeconds", "maxPulseWidthSeconds", "complianceAmperes"] as const) {
        expect(Number.isFinite(L[k]) && L[k] > 0, `limits.${k} = ${L[k]}`).toBe(true);
      }
      expect(L.maxPulseWidthSeconds).toBeGreaterThanOrEqual(L.minPulseWidthSeconds);
      for (const k of ["maxPulseCount", "dacBits", "adcBits"] as const) expect(Number.isInteger(L[k]) && L[k] >= 1, `limits.${k}`).toBe(true);
      const C = id.capabilities;
      for (const k of ["readArray", "mvmForward", "mvmTransposed", "parallelPulse"] as const) expect(typeof C[k]).toBe("boolean");
      for (const s of C.halfSelectSchemes) expect(["V/2", "V/3"]).toContain(s);
      // identify() is stable.
      expect(await xb.identify()).toEqual(id);
    }, timeout);

    it("readArray() returns rows × cols plausible conductances, and readCell agrees with it", async () => {
      if (!can("readArray")) return;
      const m = checkMeasured(await xb.readArray());
      expect(m.value).toBeInstanceOf(Float64Array);
      expect(m.value.length).toBe(id.rows * id.cols);
      let max = 0;
      for (const g of m.value) {
        expect(Number.isFinite(g)).toBe(true);
        max = Math.max(max, g);
      }
      expect(max).toBeGreaterThan(0);
      expect(max).toBeLessThan(1); // below 1 S (1 Ω): a memristor, not a wire
      for (const g of m.value) expect(g).toBeGreaterThanOrEqual(-0.05 * max);
      const [r, c] = [id.rows - 1, id.cols - 1];
      const cell = checkMeasured(await xb.readCell(r, c)).value;
      const fromArray = m.value[r * id.cols + c]!;
      expect(Math.abs(cell - fromArray)).toBeLessThanOrEqual(readTol * Math.max(Math.abs(fromArray), 0.05 * max) + 1e-15);
    }, timeout);

    for (const direction of ["forward", "transposed"] as const) {
      it(`mvm ${direction} matches the product of the read conductances (I = ${direction === "forward" ? "Gᵀ·V" : "G·V"}), also in a batch`, async () => {
        if (!can(direction === "forward" ? "mvmForward" : "mvmTransposed") || !can("readArray")) return;
        const G = await readArrayValue();
        const nIn = direction === "forward" ? id.rows : id.cols;
        const nOut = direction === "forward" ? id.cols : id.rows;
        const vectors = 3;
        const volts = new Float64Array(vectors * nIn);
        // Deterministic, mixed-sign inputs within half the read limit.
        for (let i = 0; i < volts.length; i++) volts[i] = 0.5 * id.limits.maxReadVolts * Math.sin(1.7 * i + 0.3);
        const m = checkMeasured(await xb.mvm({ direction, volts, vectors }));
        expect(m.value).toBeInstanceOf(Float64Array);
        expect(m.value.length).toBe(vectors * nOut);
        for (let k = 0; k < vectors; k++) {
          for (let j = 0; j < nOut; j++) {
            let expected = 0;
            let scale = 0;
            for (let i = 0; i < nIn; i++) {
              const g = direction === "forward" ? G[i * id.cols + j]! : G[j * id.cols + i]!;
              expected += volts[k * nIn + i]! * g;
              scale += Math.abs(volts[k * nIn + i]! * g);
            }
            const got = m.value[k * nOut + j]!;
            expect(Math.abs(got - expected), `vector ${k} output ${j}: got ${got}, expected ${expected}`).toBeLessThanOrEqual(mvmTol * scale + 1e-15);
          }
        }
        // One vector alone gives the same answer as in the batch (within the same tolerance).
        const single = checkMeasured(await xb.mvm({ direction, volts: volts.slice(nIn, 2 * nIn) }));
        for (let j = 0; j < nOut; j++) {
          let scale = 0;
          for (let i = 0; i < nIn; i++) scale += Math.abs(volts[nIn + i]! * (direction === "forward" ? G[i * id.cols + j]! : G[j * id.cols + i]!));
          expect(Math.abs(single.value[j]! - m.value[nOut + j]!)).toBeLessThanOrEqual(2 * mvmTol * scale + 1e-15);
        }
      }, timeout);
    }

    it("a positive pulse raises G and a negative pulse lowers it", async () => {
      const cells = testCells();
      const width = pulseWidth();
      const count = pulseCount();
      const train = (sign: 1 | -1): Pulse[] => cells.map(([row, col]) => ({ kind: "cell", row, col, volts: pulseVolts(sign), widthSeconds: width, count }));
      // Start from the middle of the range so both directions have room to move.
      checkMeasured(await xb.program(train(-1)));
      const g0 = await summedG(cells);
      const up = checkMeasured(await xb.program(train(1)));
      expect(up.value.pulsesApplied).toBe(cells.length * count);
      const g1 = await summedG(cells);
      expectMoved(g0, g1, 1, "positive pulses");
      const down = checkMeasured(await xb.program(train(-1)));
      expect(down.value.pulsesApplied).toBe(cells.length * count);
      const g2 = await summedG(cells);
      expectMoved(g1, g2, -1, "negative pulses");
      expect(up.energy.cell).toBeGreaterThan(0);
    }, timeout);

    it("row- and column-parallel pulses move the selected cells in the pulse's direction", async () => {
      if (!can("parallelPulse") || id.capabilities.halfSelectSchemes.length === 0) return;
      const n = Math.min(4, id.rows, id.cols);
      const sel = Array.from({ length: n }, (_, k) => k);
      const width = pulseWidth();
      const count = pulseCount();
      for (const scheme of id.capabilities.halfSelectSchemes) {
        for (const kind of ["row", "column"] as const) {
          const line = 0;
          const cells = sel.map((x) => (kind === "row" ? [line, x] : [x, line]) as [number, number]);
          const pulse = (sign: 1 | -1): Pulse => ({ kind, line, selected: sel, counts: sel.map(() => count), volts: pulseVolts(sign), widthSeconds: width, scheme });
          checkMeasured(await xb.program([pulse(-1)]));
          const g0 = await summedG(cells);
          const up = checkMeasured(await xb.program([pulse(1)]));
          expect(up.value.pulsesApplied).toBe(n * count);
          const g1 = await summedG(cells);
          expectMoved(g0, g1, 1, `${scheme} ${kind}-parallel positive pulses`);
          if (id.rows * id.cols > n) expect(up.energy.halfSelected, `${scheme} ${kind}: half-selected cells conduct`).toBeGreaterThan(0);
        }
      }
    }, timeout);

    it("refuses over-limit, malformed and out-of-range requests with a LimitError and leaves the array unchanged", async () => {
      const L = id.limits;
      const w = pulseWidth();
      // Each refused batch starts with valid, large pulse trains (one up, one down): a partial application would show.
      const lastRow = id.rows - 1;
      const bigUp: Pulse = { kind: "cell", row: lastRow, col: 0, volts: pulseVolts(1), widthSeconds: w, count: L.maxPulseCount };
      const bigDown: Pulse = { kind: "cell", row: lastRow, col: id.cols - 1, volts: pulseVolts(-1), widthSeconds: w, count: L.maxPulseCount };
      const cell = (p: Partial<Pulse & { kind: "cell" }>): Pulse => ({ kind: "cell", row: 0, col: 1 % id.cols, volts: pulseVolts(1), widthSeconds: w, count: 1, ...p } as Pulse);
      await expectRefused(() => xb.program([bigUp, bigDown, cell({ volts: L.maxProgramVoltsPositive * 1.5 + 0.1 })]), /volts/);
      await expectRefused(() => xb.program([bigUp, bigDown, cell({ volts: -(L.maxProgramVoltsNegative * 1.5 + 0.1) })]), /volts/);
      await expectRefused(() => xb.program([bigUp, bigDown, cell({ volts: Number.NaN })]), /volts.*NaN|NaN/);
      await expectRefused(() => xb.program([bigUp, bigDown, cell({ widthSeconds: -w })]), /width/i);
      await expectRefused(() => xb.program([bigUp, bigDown, cell({ row: id.rows })]), /row/);
      await expectRefused(() => xb.program([bigUp, bigDown, cell({ col: -1 })]), /col/);
      await expectRefused(() => xb.program([bigUp, bigDown, cell({ count: L.maxPulseCount + 1 })]), /count/i);
      await expectRefused(() => xb.readCell(id.rows, 0), /row/);
      await expectRefused(() => xb.readCell(0, Number.NaN), /col/);
      await expectRefused(() => xb.readCell(0, 0, L.maxReadVolts * 2 + 0.1), /readVolts|maxReadVolts/);
      const over = new Float64Array(id.rows).fill(0);
      over[id.rows - 1] = L.maxReadVolts * 2 + 0.1;
      await expectRefused(() => xb.mvm({ direction: "forward", volts: over }), /volts/);
      const nan = new Float64Array(id.cols).fill(0);
      nan[0] = Number.NaN;
      await expectRefused(() => xb.mvm({ direction: "transposed", volts: nan }), /volts/);
      await expectRefused(() => xb.mvm({ direction: "forward", volts: new Float64Array(id.rows + 1) }), /length/);
    }, timeout);

    it("every answer reports energy ≥ 0 by component and a duration > 0", async () => {
      const all: Array<Measured<unknown>> = [];
      all.push(await xb.readCell(0, 0));
      if (can("readArray")) all.push(await xb.readArray());
      if (can("mvmForward")) all.push(await xb.mvm({ direction: "forward", volts: new Float64Array(id.rows).fill(0.5 * id.limits.maxReadVolts) }));
      if (can("mvmTransposed")) all.push(await xb.mvm({ direction: "transposed", volts: new Float64Array(id.cols).fill(0.5 * id.limits.maxReadVolts) }));
      all.push(await xb.program([{ kind: "cell", row: 0, col: 0, volts: pulseVolts(1), widthSeconds: pulseWidth(), count: 1 }]));
      all.push(await xb.reset());
      for (const m of all) checkMeasured(m);
      // Reading conducts: a read at a non-zero voltage spends energy in the cells.
      expect(all[0]!.energy.cell).toBeGreaterThan(0);
    }, timeout);

    it("reset() grounds every line: isSafe() is true, also after a second reset", async () => {
      checkMeasured(await xb.reset());
      expect(await xb.isSafe()).toBe(true);
      checkMeasured(await xb.reset());
      expect(await xb.isSafe()).toBe(true);
    }, timeout);

    it("close() leaves a fresh device safe", async () => {
      const other = await open();
      await other.identify();
      await other.close();
      if (options.isSafeAfterClose !== false) expect(await other.isSafe()).toBe(true);
    }, timeout);
  });
}

/** Checks the shape every answer shares and returns it. */
export function checkMeasured<T>(m: Measured<T>): Measured<T> {
  expect(m).toBeTypeOf("object");
  checkEnergy(m.energy);
  expect(Number.isFinite(m.durationSeconds) && m.durationSeconds > 0, `durationSeconds = ${m.durationSeconds}`).toBe(true);
  return m;
}

function checkEnergy(e: EnergyBreakdown): void {
  for (const k of ["cell", "halfSelected", "peripheral"] as const) {
    expect(Number.isFinite(e[k]) && e[k] >= 0, `energy.${k} = ${e[k]}`).toBe(true);
  }
}
