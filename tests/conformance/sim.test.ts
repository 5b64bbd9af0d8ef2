// The shared Crossbar conformance suite on the simulated backend: the embedded default and two presets.
import { openCrossbar } from "../../src/backends/open.js";
import { crossbarConformance } from "./conformance.js";

crossbarConformance("sim: (ReRAM default)", () => openCrossbar("sim:"));
crossbarConformance("sim:ideal 8×12", () => openCrossbar("sim:ideal?rows=8&cols=12&seed=3"), { mvmRelativeTolerance: 1e-6, readRelativeTolerance: 1e-9 });
crossbarConformance("sim:prezioso 12×12", () => openCrossbar("sim:prezioso?rows=12&cols=12&seed=1"));
