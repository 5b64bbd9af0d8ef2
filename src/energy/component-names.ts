// How the hardware components of the energy are named to people (the CLI's summary and the report).
import type { HardwareComponent } from "./ledger.js";

export const HARDWARE_COMPONENT_NAMES: Readonly<Record<HardwareComponent, string>> = {
  cellSet: "device SET",
  cellReset: "device RESET",
  cellRead: "device read",
  halfSelected: "half-select",
  adc: "ADC",
  dac: "DAC",
  tia: "TIA",
  lineCharging: "line C·V²",
  gateLines: "gate lines",
  leakage: "leakage",
  lineResistance: "line IR",
  cellUnsplit: "device (not split)",
  peripheralUnsplit: "periphery (not split)",
};

/** "ADC 1.2e-3  half-select 4.5e-4 …", largest first; components at 0 J are named after "(0 J: …)". */
export function hardwareLine(split: Readonly<Record<string, number>>, fmt: (joules: number) => string): string {
  const named = Object.entries(split).map(([k, v]) => [HARDWARE_COMPONENT_NAMES[k as HardwareComponent] ?? k, v] as const);
  const spent = named.filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  const zero = named.filter(([, v]) => !(v > 0)).map(([n]) => n);
  return `${spent.map(([n, v]) => `${n} ${fmt(v)}`).join("  ")}${zero.length ? `  (0 J: ${zero.join(", ")})` : ""}`;
}
