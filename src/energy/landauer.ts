// Exact physical constants and the Landauer floor.
import { BOLTZMANN_J_PER_K } from "../hal/units.js";
import type { Joules, Kelvin } from "../hal/units.js";

export { BOLTZMANN_J_PER_K };

export const DEFAULT_TEMPERATURE_KELVIN: Kelvin = 300;

/** The Landauer floor: k_B·T·ln 2 joules to erase one bit at temperature T. */
export function landauerJoulesPerBit(temperatureKelvin: Kelvin = DEFAULT_TEMPERATURE_KELVIN): Joules {
  return BOLTZMANN_J_PER_K * temperatureKelvin * Math.LN2;
}

/** Landauer multiple R = E / (k_B·T·ln2 · I_bits). Infinite when no bits were learned. */
export function landauerMultiple(energyJoules: Joules, bits: number, temperatureKelvin: Kelvin = DEFAULT_TEMPERATURE_KELVIN): number {
  if (!(bits > 0)) return Number.POSITIVE_INFINITY;
  return energyJoules / (landauerJoulesPerBit(temperatureKelvin) * bits);
}
