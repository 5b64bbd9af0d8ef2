// The shared Crossbar conformance suite on `serial:`: the real driver (serialport 13 + parser-readline) over a
// socat pseudo-terminal to the firmware twin, which is backed by the simulated crossbar.
import { afterAll } from "vitest";
import { openCrossbar } from "../../src/backends/open.js";
import { serveFirmwareTwin, type ServedFirmwareTwin } from "../../emulators/firmware-twin/serve.js";
import { crossbarConformance } from "./conformance.js";

const served: ServedFirmwareTwin[] = [];
afterAll(async () => {
  for (const s of served) await s.close();
});

// Each open gets its own twin: a pty, like a USB port, carries one host at a time.
function opener(device: string) {
  return async () => {
    const s = await serveFirmwareTwin({ device });
    served.push(s);
    return openCrossbar(`serial:${s.path}?baud=1000000`);
  };
}

crossbarConformance("serial: over a pty to the twin (ReRAM 16×16)", opener("sim:reram?rows=16&cols=16&seed=2"));
crossbarConformance("serial: over a pty to the twin (ideal 8×12)", opener("sim:ideal?rows=8&cols=12&seed=3"), { mvmRelativeTolerance: 1e-6, readRelativeTolerance: 1e-9 });
