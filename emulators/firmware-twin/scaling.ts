// The converter scaling the twin reports in LIM, chosen so the simulator's own quantized numbers travel exactly.
//
// With quantizing converters the twin's LSBs are the simulator's own steps, computed with the same float
// expressions, so a code times its LSB on the host is bit-for-bit the value the simulator produced.
// With ideal converters (no quantization) the codes are 48-bit and the LSB is full scale / 2^44.
import type { SimulatedCrossbar } from "../../sim/crossbar/simulated-crossbar.js";

export interface TwinScaling {
  vlsb: number;
  vhex: number;
  /** Amperes per code: single-cell and row reads, forward products, transposed products. */
  alsb: number;
  alsbf: number;
  alsbt: number;
  ahex: number;
  quantized: boolean;
}

const IDEAL_FRACTION_BITS = 44;
const IDEAL_HEX = 12;

export function twinScaling(sim: SimulatedCrossbar): TwinScaling {
  const p = sim.peripherals;
  const vMax = sim.device.maxReadVolts;
  let gCeiling = 0;
  for (let i = 0; i < sim.population.size; i++) gCeiling = Math.max(gCeiling, sim.population.gMax[i]!);
  if (p.quantize) {
    // Same expressions as SimulatedCrossbar.mvm / senseCell.
    const dacStep = (2 * vMax) / (2 ** p.dacBits - 1);
    const cellFullScale = vMax * gCeiling;
    return {
      vlsb: dacStep,
      vhex: Math.ceil((p.dacBits + 1) / 4),
      alsb: cellFullScale / 2 ** (p.adcBits - 1),
      alsbf: (vMax * gCeiling * sim.rows) / 2 ** (p.adcBits - 1),
      alsbt: (vMax * gCeiling * sim.cols) / 2 ** (p.adcBits - 1),
      ahex: Math.ceil(p.adcBits / 4),
      quantized: true,
    };
  }
  return {
    vlsb: vMax / 2 ** IDEAL_FRACTION_BITS,
    vhex: IDEAL_HEX,
    alsb: (vMax * gCeiling) / 2 ** IDEAL_FRACTION_BITS,
    alsbf: (vMax * gCeiling * sim.rows) / 2 ** IDEAL_FRACTION_BITS,
    alsbt: (vMax * gCeiling * sim.cols) / 2 ** IDEAL_FRACTION_BITS,
    ahex: IDEAL_HEX,
    quantized: false,
  };
}
