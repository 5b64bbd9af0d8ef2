// SI units as named number types: the name says the unit, the value is plain SI.
export type Siemens = number;
export type Volts = number;
export type Amperes = number;
export type Seconds = number;
export type Joules = number;
export type Kelvin = number;

/** Boltzmann constant, exact in the 2019 SI (J/K): the Landauer floor and Johnson–Nyquist noise both use it. */
export const BOLTZMANN_J_PER_K = 1.380649e-23;
