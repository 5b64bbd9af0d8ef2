// `mhil info --device URI`: opens any backend through the device stack, prints its identity, limits,
// capabilities and wear, and closes it.
import type { Command } from "commander";
import { openDeviceStack } from "../../backends/device-stack.js";
import { DEFAULT_DEVICE_URI } from "../../backends/open.js";
import type { DeviceIdentity } from "../../hal/crossbar.js";
import type { WearBudgetCrossbar } from "../../wear/budget.js";
import { deviceFlagOptions, wearPolicy, type DeviceFlags } from "../device-flags.js";

/** The most-worn cell, as the wear store counts it for this serial. */
function wearLine(w: WearBudgetCrossbar | null): string[] {
  if (!w) return [];
  const { pulses, fraction } = w.mostWorn();
  return [`wear:       most-worn cell ${pulses} pulses${fraction === null ? "" : ` (${(100 * fraction).toFixed(1)}% of its endurance)`}`];
}

function describe(id: DeviceIdentity, uri: string): string {
  const L = id.limits, C = id.capabilities;
  return [
    `device:     ${uri}`,
    `backend:    ${id.backend}`,
    `model:      ${id.model}`,
    `serial:     ${id.serial}`,
    `firmware:   ${id.firmwareVersion} (protocol ${id.protocolVersion})`,
    `array:      ${id.rows} rows × ${id.cols} columns`,
    "limits:",
    `  read volts          ≤ ${L.maxReadVolts} V`,
    `  program volts       ≤ +${L.maxProgramVoltsPositive} V / −${L.maxProgramVoltsNegative} V`,
    `  pulse width         ${L.minPulseWidthSeconds} s … ${L.maxPulseWidthSeconds} s`,
    `  pulses per request  ≤ ${L.maxPulseCount}`,
    `  compliance          ${L.complianceAmperes} A`,
    `  DAC / ADC           ${L.dacBits} / ${L.adcBits} bits`,
    "capabilities:",
    `  readArray ${C.readArray}, mvm forward ${C.mvmForward}, mvm transposed ${C.mvmTransposed}, parallel pulses ${C.parallelPulse} (${C.halfSelectSchemes.join(", ") || "no half-select schemes"})`,
    ...(id.endurancePulses !== undefined ? [`endurance:  ${id.endurancePulses} pulses per cell`] : []),
  ].join("\n");
}

export function register(program: Command): void {
  const cmd = program
    .command("info")
    .description("open a device (any backend), print its identity, limits, capabilities and wear, then close it")
    .option("-d, --device <uri>", "device URI: sim:, sim:PRESET?rows=&cols=&seed=, serial:PATH?baud=, firmata:PATH, twin:FILE", DEFAULT_DEVICE_URI)
    .option("--json", "print the identity as JSON");
  deviceFlagOptions(cmd, false).action(async (opts: DeviceFlags & { device: string; json?: boolean }) => {
    const device = await openDeviceStack(opts.device, { wear: wearPolicy(opts) });
    try {
      const id = device.identity;
      const wear = device.wear ? { mostWornPulses: device.wear.mostWorn().pulses, wornFraction: device.wear.mostWorn().fraction } : null;
      process.stdout.write((opts.json ? JSON.stringify({ device: opts.device, ...id, wear }, null, 2) : [describe(id, opts.device), ...wearLine(device.wear)].join("\n")) + "\n");
    } finally {
      await device.close();
    }
  });
}
