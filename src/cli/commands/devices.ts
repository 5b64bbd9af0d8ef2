// `mhil devices`: the simulated device presets (with the paper each cites) and the serial ports present.
import { readdirSync } from "node:fs";
import type { Command } from "commander";
import { PRESETS } from "../../../sim/devices/presets.js";
import { DEFAULT_PERIPHERALS } from "../../../sim/crossbar/peripherals.js";
import { DEFAULT_ARRAY } from "../../../sim/crossbar/array-params.js";
import { orderedDeviceParams } from "../../../sim/devices/params.js";

interface PortInfo {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

/**
 * Serial ports from serialport's SerialPort.list(). On Linux that list needs udevadm; without it the ports are
 * the tty devices in /dev, without their details (manufacturer, USB serial number), and `note` says why.
 */
async function listSerialPorts(): Promise<{ ports: PortInfo[]; note?: string }> {
  try {
    const { SerialPort } = await import("serialport");
    const ports = await SerialPort.list();
    return { ports: ports.map((p) => ({ path: p.path, manufacturer: p.manufacturer, serialNumber: p.serialNumber, vendorId: p.vendorId, productId: p.productId })) };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { path?: string };
    const why = err.code === "ENOENT" && /udevadm/.test(`${err.path ?? ""} ${err.message}`) ? "udevadm is not installed" : `the port list failed: ${err.message}`;
    return { ports: ttyDevices(), note: `port details (manufacturer, USB serial number) are unavailable: ${why}` };
  }
}

/** USB serial devices by name in /dev (ttyACM*, ttyUSB*), for when the port list cannot be had. */
function ttyDevices(): PortInfo[] {
  try {
    return readdirSync("/dev").filter((n) => /^tty(ACM|USB)\d+$/.test(n)).sort().map((n) => ({ path: `/dev/${n}` }));
  } catch {
    return [];
  }
}

const pj = (j: number) => `${+(j * 1e12).toPrecision(3)} pJ`;
const micro = (s: number) => `${+(s * 1e6).toPrecision(3)} µS`;
const siemens = (s: number) => (s < 1e-6 ? `${+(s * 1e9).toPrecision(3)} nS` : micro(s));

export function register(program: Command): void {
  program
    .command("devices")
    .description("list the simulated device presets with their sources, and the serial ports present")
    .option("--json", "print every preset with all its device, periphery and array parameters, its energy table (each number with its source), and the ports, as JSON")
    .action(async (opts: { json?: boolean }) => {
      const serial = await listSerialPorts();
      const presets = Object.values(PRESETS);
      if (opts.json) {
        const out = {
          presets: presets.map((p) => ({ name: p.name, uri: `sim:${p.name}`, source: p.source, device: orderedDeviceParams(p.device), peripherals: { ...DEFAULT_PERIPHERALS, ...p.peripherals }, array: { ...DEFAULT_ARRAY, ...p.array }, energyTable: p.energyTable })),
          serialPorts: serial.ports,
          ...(serial.note ? { serialPortsNote: serial.note } : {}),
        };
        process.stdout.write(JSON.stringify(out, null, 2) + "\n");
        return;
      }
      const lines: string[] = ["Simulated presets (open with sim:NAME?rows=&cols=&seed=; sim: alone is reram 64×64 seed 0):"];
      for (const p of presets) {
        const d = p.device;
        lines.push(
          `  ${p.name.padEnd(9)} ${d.model.padEnd(10)} ${siemens(d.gMinSiemens)}–${siemens(d.gMaxSiemens)}, ` +
            `+${d.maxProgramVoltsPositive}/−${d.maxProgramVoltsNegative} V, ${Math.round((d.gMaxSiemens - d.gMinSiemens) / d.stepSiemens) + 1} levels`,
        );
        lines.push(`            source: ${p.source}`);
        const a = { ...DEFAULT_ARRAY, ...p.array }, per = { ...DEFAULT_PERIPHERALS, ...p.peripherals };
        const access = a.access === "1T1R" ? "1T1R" : `${a.access}, K = ${a.halfSelectNonlinearity}`;
        lines.push(`            energy: ${access}; ADC ${pj(per.adcJoulesPerConversion)}, DAC ${pj(per.dacJoulesPerConversion)}, TIA ${pj(per.tiaJoulesPerSense)} per conversion (sources: mhil devices --json)`);
      }
      lines.push("");
      if (serial.ports.length === 0) {
        lines.push(`Serial ports: none found${serial.note ? ` in /dev (ttyACM*, ttyUSB*); ${serial.note}` : ""}`);
      } else {
        lines.push(`Serial ports (open with serial:PATH or firmata:PATH)${serial.note ? `; ${serial.note}` : ""}:`);
        for (const p of serial.ports) lines.push(`  ${p.path}${p.manufacturer ? `  ${p.manufacturer}` : ""}${p.serialNumber ? `  serial ${p.serialNumber}` : ""}`);
      }
      process.stdout.write(lines.join("\n") + "\n");
    });
}
