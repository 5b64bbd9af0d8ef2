// What the twin reports in LIM: the simulator's own limits, its converter scaling and the link parameters.
import type { DeviceIdentity } from "../../src/hal/crossbar.js";
import type { SimulatedCrossbar } from "../../sim/crossbar/simulated-crossbar.js";
import type { WireLimits } from "../../protocol/serial-line/messages.js";
import { countHexWidth, vectorDigits } from "../../protocol/serial-line/values.js";
import { productVectorsFitting } from "../../protocol/serial-line/product-size.js";
import type { TwinScaling } from "./scaling.js";

export interface LinkParameters {
  memoryDepth: number;
  holdLines: number;
  maxInBytes: number;
  rxBufferBytes: number;
  quietSeconds: number;
  /** Most input vectors one MVF/MVT line may carry (LIM mvb), before the 4095-byte reply limit caps it. */
  productVectors: number;
}


export function twinWireLimits(crossbar: SimulatedCrossbar, id: DeviceIdentity, s: TwinScaling, link: LinkParameters): WireLimits {
  const l = id.limits;
  return {
    vrmax: l.maxReadVolts,
    vpmax: l.maxProgramVoltsPositive,
    vnmax: l.maxProgramVoltsNegative,
    wmin: l.minPulseWidthSeconds,
    wmax: l.maxPulseWidthSeconds,
    cmax: l.maxPulseCount,
    icomp: l.complianceAmperes,
    dac: l.dacBits,
    adc: l.adcBits,
    vlsb: s.vlsb, vhex: s.vhex, alsb: s.alsb, alsbf: s.alsbf, alsbt: s.alsbt, ahex: s.ahex,
    chex: countHexWidth(l.maxPulseCount),
    vread: crossbar.peripherals.readVolts,
    schemes: [2, 3],
    par: true, mvt: true, rrow: true, exact: true,
    mem: link.memoryDepth,
    hold: link.holdLines,
    dup: 2,
    rcopy: true,
    mvb: productVectorsPerLine(crossbar, s, link.productVectors),
    maxin: link.maxInBytes,
    rxbuf: link.rxBufferBytes,
    quiet: link.quietSeconds,
    endur: Number.isFinite(crossbar.device.endurancePulses) ? Math.round(crossbar.device.endurancePulses) : 0,
  };
}

/** LIM mvb: the most vectors whose reply fits one line in the worst case (every element at full width), at most `wanted`. */
function productVectorsPerLine(crossbar: SimulatedCrossbar, s: TwinScaling, wanted: number): number {
  return Math.max(1, Math.min(wanted, productVectorsFitting(Math.max(crossbar.rows, crossbar.cols), vectorDigits(s.ahex))));
}
