// Unplugged mid-run (the pty closed under the driver): a clean error, the board in its safe state, and
// every later call refused with the same reason.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { DEFAULT_BOARD_CONFIG } from "../../protocol/firmata/board-config.js";
import { serveFirmataTwin, type ServedFirmataTwin } from "../../emulators/firmata-twin/serve.js";
import { openCrossbar } from "../../src/backends/open.js";

const dir = mkdtempSync(join(tmpdir(), "mhil-firmata-unplug-"));
const twins: ServedFirmataTwin[] = [];
afterAll(async () => {
  for (const t of twins) await t.close();
  rmSync(dir, { recursive: true, force: true });
});

async function openOnTwin(boardPath?: string) {
  const twin = await serveFirmataTwin({ seed: 5, log: () => undefined, ...(boardPath ? { boardConfigPath: boardPath } : {}) });
  twins.push(twin);
  const xb = await openCrossbar(`firmata:${twin.path}${boardPath ? `?board=${boardPath}` : ""}`);
  return { twin, xb };
}

test("USB-powered board unplugged during a pulse train: DeviceLinkError, lines at 0 V, isSafe, later calls refused", async () => {
  const { twin, xb } = await openOnTwin();
  const train = xb.program([{ kind: "cell", row: 0, col: 1, volts: 3, widthSeconds: 0.1, count: 8 }]);
  const outcome = train.then(
    () => null,
    (e: Error) => e,
  );
  // Pull the cable while a pulse is on (the twin's lines are driven).
  while (Math.max(...twin.board.lineVolts()) < 1) await new Promise((r) => setTimeout(r, 2));
  await twin.unplug();
  const err = await outcome;
  expect(err).toBeInstanceOf(Error);
  expect(err!.name).toBe("DeviceLinkError");
  expect(err!.message).toMatch(new RegExp(`firmata board on ${twin.path} unplugged: port (closed|error).*powered from USB.*every line is at 0 V \\(its safe state\\)`));
  for (const v of twin.board.lineVolts()) expect(v).toBe(0);
  expect(await xb.isSafe()).toBe(true);
  await expect(xb.readArray()).rejects.toThrow(/readArray: firmata board on .* unplugged/);
  await expect(xb.program([{ kind: "cell", row: 0, col: 0, volts: 1, widthSeconds: 0.02, count: 1 }])).rejects.toThrow(/unplugged/);
  await expect(xb.reset()).resolves.toMatchObject({ energy: { cell: 0, halfSelected: 0, peripheral: 0 } });
  await xb.close();
});

test("a board with its own supply is not called safe after an unplug", async () => {
  const cfg = join(dir, "self-powered.json");
  writeFileSync(cfg, JSON.stringify({ ...DEFAULT_BOARD_CONFIG, poweredFromUsb: false }));
  const { twin, xb } = await openOnTwin(cfg);
  const read = xb.readArray();
  await twin.unplug();
  await expect(read).rejects.toThrow(/unplugged: port (closed|error).*own supply: its lines may still be driven/);
  expect(await xb.isSafe()).toBe(false);
  await expect(xb.reset()).rejects.toThrow(/reset: firmata board .* unplugged/);
  await xb.close();
});
