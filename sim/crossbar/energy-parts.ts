// Where one call's joules went, by physical component, as the simulated array adds them up; folded into the
// contract's three parts (cell, half-selected, peripheral) and its optional finer split when answered.
import type { EnergyBreakdown, EnergyComponent } from "../../src/hal/crossbar.js";
import type { PeripheralParams } from "./peripherals.js";

export class EnergyParts {
  /** Selected cells under positive (SET, potentiating) programming pulses. */
  cellSet = 0;
  /** Selected cells under negative (RESET, depressing) programming pulses. */
  cellReset = 0;
  /** Cells conducting during reads and products. */
  cellRead = 0;
  /** Non-selected cells biased by a V/2 or V/3 scheme (through their selector or own I–V). */
  halfSelected = 0;
  adc = 0;
  dac = 0;
  /** Transimpedance (sense) amplifiers holding the sensed lines at virtual ground while they integrate. */
  tia = 0;
  /** Row and column wires charged to their drive voltages, C·V² per drive. */
  lineCharging = 0;
  /** 1T1R word lines switched on, C·V² per switching. */
  gateLines = 0;
  /** Static leakage of the line drivers and amplifiers while the array is busy. */
  leakage = 0;
  /** Dissipated in the resistance of the rows and columns (only with IR drop solved). */
  lineResistance = 0;

  /** The contract's answer: the three coarse parts (sums of the finer ones) and the finer split. */
  breakdown(): EnergyBreakdown {
    const components: Record<EnergyComponent, number> = {
      cellSet: this.cellSet, cellReset: this.cellReset, cellRead: this.cellRead, halfSelected: this.halfSelected,
      adc: this.adc, dac: this.dac, tia: this.tia, lineCharging: this.lineCharging, gateLines: this.gateLines,
      leakage: this.leakage, lineResistance: this.lineResistance,
    };
    return {
      cell: this.cellSet + this.cellReset + this.cellRead,
      halfSelected: this.halfSelected,
      peripheral: this.adc + this.dac + this.tia + this.lineCharging + this.gateLines + this.leakage + this.lineResistance,
      components,
    };
  }
}

/** What a product's array side cost, joules: the cells, the wires' resistance, charging the input and word lines. */
export interface ProductArrayJoules {
  cellRead: number;
  lineResistance: number;
  lineCharging: number;
  gateLines: number;
}

/**
 * A product's breakdown in one literal, with `dacs` converted inputs and `sensed` sensed outputs over `seconds`
 * on an array of `lines` rows + columns: the components are the same sums, in the same order, as EnergyParts with
 * the crossbar's periphery() (without its intermediate object: a 64×64 product takes ~1 µs, and it showed); the
 * parts are the grid's, which do not depend on how the call's vectors were grouped, and agree with the components'
 * sums to within the grid's quantum per vector (energy-grid.ts): `cell` and `peripheral`, joules.
 */
export function productEnergy(p: Readonly<PeripheralParams>, lines: number, a: ProductArrayJoules, dacs: number, sensed: number, seconds: number, cell: number, peripheral: number): EnergyBreakdown {
  const adc = sensed * p.adcJoulesPerConversion;
  const dac = dacs * p.dacJoulesPerConversion;
  const tia = sensed * p.tiaJoulesPerSense;
  const leakage = lines * p.leakageWattsPerLine * seconds;
  const { cellRead, lineResistance, lineCharging, gateLines } = a;
  return {
    cell,
    halfSelected: 0,
    peripheral,
    components: { cellSet: 0, cellReset: 0, cellRead, halfSelected: 0, adc, dac, tia, lineCharging, gateLines, leakage, lineResistance },
  };
}
