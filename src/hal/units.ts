// SI units as named number types: the name says the unit, the value is plain SI.
export type Siemens = number;
export type Volts = number;
export type Amperes = number;
export type Seconds = number;
export type Joules = number;
export type Kelvin = number;
