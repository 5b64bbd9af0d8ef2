// The board's circuit arithmetic: divider readings, and pulse stages that never over-drive a half-selected device.
import fc from "fast-check";
import { expect, test } from "vitest";
import { DEFAULT_BOARD_CONFIG } from "../../protocol/firmata/board-config.js";
import { adcVolts, branchReading, cellPulseStages, lineCode, restPattern, type LinePattern } from "../../drivers/firmata-board/circuit.js";

test("branchReading: a 10 kΩ memristor over a 22 kΩ sense resistor at 0.8 V", () => {
  // I = 0.8 / 32 kΩ = 25 µA; V_sense = 25 µA · 22 kΩ = 0.55 V; V_device = 0.25 V.
  const b = branchReading(0.8, 0, 0.55, 22_000);
  expect(b.amperes).toBeCloseTo(25e-6, 12);
  expect(b.deviceVolts).toBeCloseTo(0.25, 12);
  expect(b.siemens).toBeCloseTo(1e-4, 12);
  expect(b.memristorWatts).toBeCloseTo(25e-6 * 0.25, 15);
  expect(b.senseResistorWatts).toBeCloseTo(25e-6 * 25e-6 * 22_000, 15);
  // Negative branch (column raised): current flows back, conductance is still positive.
  const n = branchReading(0, 1, 0.45, 22_000);
  expect(n.amperes).toBeCloseTo(-25e-6, 12);
  expect(n.siemens).toBeCloseTo(25e-6 / 0.45, 12);
});

test("ADC and PWM codes", () => {
  expect(adcVolts(0, 10, 5)).toBe(0);
  expect(adcVolts(512, 10, 5)).toBeCloseTo(512.5 * 5 / 1024, 12);
  expect(lineCode(DEFAULT_BOARD_CONFIG.rowLines[0]!, 3.5, 5)).toEqual({ code: 179, volts: (179 / 255) * 5 });
  expect(lineCode(DEFAULT_BOARD_CONFIG.rowLines[0]!, 9, 5).code).toBe(255);
});

test("cell pulse stages: the selected branch ends at V; no other branch passes |V|/3, whatever order the board applies the messages", () => {
  const c = DEFAULT_BOARD_CONFIG;
  fc.assert(
    fc.property(fc.integer({ min: 0, max: c.rows - 1 }), fc.integer({ min: 0, max: c.cols - 1 }), fc.double({ min: -3.5, max: 3.5, noNaN: true }), (row, col, volts) => {
      const stages = cellPulseStages(c, row, col, volts);
      const final = stages[2];
      expect(final.rowVolts[row]! - final.colVolts[col]!).toBeCloseTo(volts, 12);
      // Walk up then down one line at a time, in message order: every intermediate state is in bounds.
      const states: LinePattern[] = [];
      let cur = restPattern(c);
      for (const target of [...stages, stages[1], stages[0], restPattern(c)]) {
        for (let r = 0; r < c.rows; r++) if (cur.rowVolts[r] !== target.rowVolts[r]) states.push((cur = { ...cur, rowVolts: cur.rowVolts.map((v, k) => (k === r ? target.rowVolts[r]! : v)) }));
        for (let k = 0; k < c.cols; k++) if (cur.colVolts[k] !== target.colVolts[k]) states.push((cur = { ...cur, colVolts: cur.colVolts.map((v, j) => (j === k ? target.colVolts[k]! : v)) }));
      }
      for (const s of states) {
        for (let r = 0; r < c.rows; r++) {
          for (let k = 0; k < c.cols; k++) {
            if (r === row && k === col) continue;
            expect(Math.abs(s.rowVolts[r]! - s.colVolts[k]!)).toBeLessThanOrEqual(Math.abs(volts) / 3 + 1e-12);
          }
        }
        for (const v of [...s.rowVolts, ...s.colVolts]) expect(v).toBeGreaterThanOrEqual(0);
      }
    }),
  );
});
