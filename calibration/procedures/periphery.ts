// The array around the devices, measured from what operations cost: one whole-array read and one single-cell pulse,
// each with the energy the backend reports (split by component when it splits it) and its duration. The twin is
// built from what these imply (fit-periphery.ts): converters, amplifiers, leakage, wires, the access device and
// timing, which set most of a training run's joules (reram: the ADC is 70 % of E_learn, half-selected cells 15 %).
import type { Crossbar, EnergyBreakdown } from "../../src/hal/crossbar.js";
import type { CellRef } from "../cells.js";
import { ProcedureCost } from "../energy-tally.js";

export interface PeripheryResult {
  /** readArray at the backend's own read voltage. */
  read: { durationSeconds: number; sumSiemens: number; energy: EnergyBreakdown };
  /** One pulse on one cell (the backend's single-cell half-select scheme), with the conductance it half-selects. */
  pulse: { row: number; col: number; volts: number; widthSeconds: number; durationSeconds: number; halfSelectedSiemens: number; energy: EnergyBreakdown };
  cost: ReturnType<ProcedureCost["toJSON"]>;
}

export async function measurePeriphery(xbar: Crossbar, cell: CellRef, volts: number, widthSeconds: number): Promise<PeripheryResult> {
  const id = await xbar.identify();
  const cost = new ProcedureCost();
  const r = await xbar.readArray();
  cost.add(r, "read");
  const g = r.value;
  let sum = 0, half = 0;
  for (let i = 0; i < g.length; i++) {
    sum += g[i]!;
    const row = Math.floor(i / id.cols), col = i % id.cols;
    if ((row === cell.row) !== (col === cell.col)) half += g[i]!;
  }
  const p = await xbar.program([{ kind: "cell", row: cell.row, col: cell.col, volts, widthSeconds, count: 1 }]);
  cost.add(p, "pulse", p.value.pulsesApplied);
  return {
    read: { durationSeconds: r.durationSeconds, sumSiemens: sum, energy: r.energy },
    pulse: { row: cell.row, col: cell.col, volts, widthSeconds, durationSeconds: p.durationSeconds, halfSelectedSiemens: half, energy: p.energy },
    cost: cost.toJSON(),
  };
}
