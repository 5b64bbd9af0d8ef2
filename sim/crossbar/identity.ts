// What the simulated array answers to identify(): its limits (from the device and periphery) and capabilities.
import type { BackendKind, DeviceCapabilities, DeviceIdentity } from "../../src/hal/crossbar.js";
import type { DeviceParams } from "../devices/params.js";
import type { PeripheralParams } from "./peripherals.js";

export const SIM_FIRMWARE_VERSION = "sim-1";
export const SIM_PROTOCOL_VERSION = "1";

const CAPABILITIES: DeviceCapabilities = {
  readArray: true,
  mvmForward: true,
  mvmTransposed: true,
  parallelPulse: true,
  halfSelectSchemes: ["V/2", "V/3"],
};

export interface SimNaming {
  backend: Extract<BackendKind, "sim" | "twin">;
  model: string;
  serial: string;
  rows: number;
  cols: number;
}

export function simIdentity(n: SimNaming, d: Readonly<DeviceParams>, p: Readonly<PeripheralParams>): DeviceIdentity {
  return {
    backend: n.backend,
    model: n.model,
    serial: n.serial,
    firmwareVersion: SIM_FIRMWARE_VERSION,
    protocolVersion: SIM_PROTOCOL_VERSION,
    rows: n.rows,
    cols: n.cols,
    limits: {
      maxReadVolts: d.maxReadVolts,
      maxProgramVoltsPositive: d.maxProgramVoltsPositive,
      maxProgramVoltsNegative: d.maxProgramVoltsNegative,
      minPulseWidthSeconds: d.minPulseWidthSeconds,
      maxPulseWidthSeconds: d.maxPulseWidthSeconds,
      maxPulseCount: p.maxPulseCount,
      complianceAmperes: d.complianceAmperes,
      dacBits: p.dacBits,
      adcBits: p.adcBits,
    },
    capabilities: { ...CAPABILITIES, halfSelectSchemes: [...CAPABILITIES.halfSelectSchemes] },
    endurancePulses: d.endurancePulses,
  };
}
