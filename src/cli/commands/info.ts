// `mhil info --device URI`: opens any backend, prints its identity, limits and capabilities, and closes it.
import type { Command } from "commander";
import { DEFAULT_DEVICE_URI, openCrossbar } from "../../backends/open.js";
import type { DeviceIdentity } from "../../hal/crossbar.js";

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
  program
    .command("info")
    .description("open a device (any backend), print its identity, limits and capabilities, then close it")
    .option("-d, --device <uri>", "device URI: sim:, sim:PRESET?rows=&cols=&seed=, serial:PATH?baud=, firmata:PATH, twin:FILE", DEFAULT_DEVICE_URI)
    .option("--json", "print the identity as JSON")
    .action(async (opts: { device: string; json?: boolean }) => {
      const xb = await openCrossbar(opts.device);
      try {
        const id = await xb.identify();
        process.stdout.write((opts.json ? JSON.stringify({ device: opts.device, ...id }, null, 2) : describe(id, opts.device)) + "\n");
      } finally {
        await xb.close();
      }
    });
}
