// The hardware abstraction layer: the Crossbar contract, its limit checks, units and device URIs.
export * from "./crossbar.js";
export * from "./crossbar-decorator.js";
export * from "./limits.js";
export * from "./units.js";
export * from "./uri.js";
