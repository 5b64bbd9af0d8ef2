// Sums what a procedure's backend calls measured, so every procedure reports its own joules and pulses.
import type { EnergyBreakdown, Measured } from "../src/hal/crossbar.js";

export class ProcedureCost {
  joules = 0;
  seconds = 0;
  reads = 0;
  pulses = 0;
  readonly energy: EnergyBreakdown = { cell: 0, halfSelected: 0, peripheral: 0 };

  add<T>(m: Measured<T>, kind: "read" | "pulse", pulses = 0): T {
    this.energy.cell += m.energy.cell;
    this.energy.halfSelected += m.energy.halfSelected;
    this.energy.peripheral += m.energy.peripheral;
    this.joules += m.energy.cell + m.energy.halfSelected + m.energy.peripheral;
    this.seconds += m.durationSeconds;
    if (kind === "read") this.reads++;
    this.pulses += pulses;
    return m.value;
  }

  toJSON(): { joules: number; seconds: number; reads: number; pulses: number } {
    return { joules: this.joules, seconds: this.seconds, reads: this.reads, pulses: this.pulses };
  }
}
