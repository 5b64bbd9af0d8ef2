// The shared Crossbar conformance suite on `firmata:`: the real driver (serialport 13 → firmata-io →
// johnny-five) talking Firmata over a socat pty to the board twin, for what the board declares.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { DEFAULT_BOARD_CONFIG } from "../../protocol/firmata/board-config.js";
import { DEFAULT_TWIN_DEVICE } from "../../emulators/firmata-twin/analog-board.js";
import { serveFirmataTwin, type ServedFirmataTwin } from "../../emulators/firmata-twin/serve.js";
import { openCrossbar } from "../../src/backends/open.js";
import { crossbarConformance } from "./conformance.js";

// Settled to far below an LSB and noise-free reads: with only 8 devices the suite's "nothing changed"
// check compares two reads against a third, which read noise on 8 cells would fail at random.
const dir = mkdtempSync(join(tmpdir(), "mhil-firmata-conf-"));
const boardPath = join(dir, "board.json");
writeFileSync(boardPath, JSON.stringify({ ...DEFAULT_BOARD_CONFIG, settleTimeConstants: 12, limits: { ...DEFAULT_BOARD_CONFIG.limits, minPulseWidthSeconds: 0.025 } }));
const twins: ServedFirmataTwin[] = [];

afterAll(async () => {
  for (const t of twins) await t.close();
  rmSync(dir, { recursive: true, force: true });
});

// Each open gets its own twin: a pty, like a USB port, carries one host at a time.
async function open() {
  const twin = await serveFirmataTwin({ boardConfigPath: boardPath, seed: twins.length + 1, device: { ...DEFAULT_TWIN_DEVICE, readNoise: 0, adcNoiseLsb: 0 }, log: () => undefined });
  twins.push(twin);
  return openCrossbar(`firmata:${twin.path}?board=${boardPath}`);
}

crossbarConformance("firmata: analog test board twin (2×4, StandardFirmata over a pty)", open, {
  // mvm is computed from one parallel read (capabilities.mvmMethod = "reads"); ADC steps are ~1/16 of the smallest reading.
  mvmRelativeTolerance: 0.08,
  readRelativeTolerance: 0.08,
  pulse: { widthSeconds: 0.03, count: 4 },
  cells: [
    [0, 0],
    [1, 2],
  ],
});
