// The Firmata board driver against the twin over a real socat pty: what it measures matches the twin's
// physics, pulses reach only their device, timing is the host's, and the config is checked before use.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEFAULT_BOARD_CONFIG, loadBoardConfig } from "../../protocol/firmata/board-config.js";
import { serveFirmataTwin, type ServedFirmataTwin } from "../../emulators/firmata-twin/serve.js";
import { openCrossbar } from "../../src/backends/open.js";
import { totalJoules, type Crossbar } from "../../src/hal/crossbar.js";

const dir = mkdtempSync(join(tmpdir(), "mhil-firmata-driver-"));
let twin: ServedFirmataTwin;
let xb: Crossbar;
const now = () => performance.now() / 1000;

beforeAll(async () => {
  twin = await serveFirmataTwin({ seed: 7, log: () => undefined });
  xb = await openCrossbar(`firmata:${twin.path}`);
});
afterAll(async () => {
  await xb?.close();
  await twin?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("firmata: driver on the twin", () => {
  test("identify: the board config, the firmware's own report, and an honest mvm", async () => {
    const id = await xb.identify();
    expect(id).toMatchObject({
      backend: "firmata",
      model: DEFAULT_BOARD_CONFIG.model,
      serial: `StandardFirmata.ino@${twin.path}`,
      firmwareVersion: "StandardFirmata.ino 2.5",
      protocolVersion: "Firmata 2.5",
      rows: 2,
      cols: 4,
      capabilities: { readArray: true, mvmForward: true, mvmTransposed: true, mvmMethod: "reads", parallelPulse: false, halfSelectSchemes: [] },
    });
    expect(id.limits).toEqual({ ...DEFAULT_BOARD_CONFIG.limits, dacBits: 8, adcBits: 10 });
  });

  test("readArray matches the twin's conductances within the ADC's resolution", async () => {
    const truth = Float64Array.from(twin.board.analog.conductance);
    const m = await xb.readArray();
    for (let i = 0; i < truth.length; i++) expect(Math.abs(m.value[i]! - truth[i]!) / truth[i]!, `device ${i}`).toBeLessThan(0.08);
    expect(m.energy.cell).toBeGreaterThan(0);
    expect(m.energy.halfSelected).toBe(0);
    expect(m.energy.peripheral).toBeGreaterThan(0);
  });

  test("a pulse moves its own device only; the others stay put exactly", async () => {
    const before = Float64Array.from(twin.board.analog.conductance);
    const up = await xb.program([{ kind: "cell", row: 1, col: 2, volts: 3.5, widthSeconds: 0.03, count: 3 }]);
    const after = Float64Array.from(twin.board.analog.conductance);
    expect(up.value).toEqual({ pulsesApplied: 3, complianceTrips: 0 });
    const i = 1 * 4 + 2;
    expect(after[i]!).toBeGreaterThan(before[i]! + 1e-6);
    for (let k = 0; k < after.length; k++) if (k !== i) expect(after[k], `device ${k} (half-selected at V/3)`).toBe(before[k]);
    // Half-selected branches conduct at V/3: they cost energy without switching.
    expect(up.energy.halfSelected).toBeGreaterThan(0);
    const down = await xb.program([{ kind: "cell", row: 1, col: 2, volts: -3.5, widthSeconds: 0.03, count: 3 }]);
    expect(twin.board.analog.conductance[i]!).toBeLessThan(after[i]! - 1e-6);
    expect(down.energy.cell).toBeGreaterThan(0);
  });

  test("durations are the host's clock: a pulse train lasts at least its widths", async () => {
    const t0 = now();
    const m = await xb.program([{ kind: "cell", row: 0, col: 0, volts: 1, widthSeconds: 0.04, count: 3 }]);
    const wall = now() - t0;
    expect(m.durationSeconds).toBeGreaterThanOrEqual(3 * 0.04);
    expect(m.durationSeconds).toBeLessThanOrEqual(wall);
  });

  test("measured energy agrees with the twin's ∫V·I dt", async () => {
    const e0 = twin.board.analog.trueEnergy(now());
    let measured = 0;
    measured += totalJoules((await xb.readArray()).energy);
    measured += totalJoules((await xb.program([{ kind: "cell", row: 0, col: 3, volts: 3, widthSeconds: 0.05, count: 2 }])).energy);
    measured += totalJoules((await xb.program([{ kind: "cell", row: 0, col: 3, volts: -3, widthSeconds: 0.05, count: 2 }])).energy);
    measured += totalJoules((await xb.mvm({ direction: "forward", volts: Float64Array.from([0.3, -0.2]) })).energy);
    const e1 = twin.board.analog.trueEnergy(now());
    const truth = e1.memristorJoules - e0.memristorJoules + (e1.senseResistorJoules - e0.senseResistorJoules);
    // On-time runs from sending the drive write to the acknowledged grounding write: never short of the truth.
    expect(measured / truth).toBeGreaterThan(0.97);
  });

  test("the host's excess over the truth is on-time it counted at the pulse's power, never more", async () => {
    // The host prices a pulse as sampled power × its on-time, which runs from issuing the drive writes to the
    // acknowledged grounding write: inside the call's wall window, and at most the highest power the twin's
    // branches reached. So P_peak × wall bounds it however slow the link (a busy core stretches both; a fixed
    // ratio to the truth would be a wall-clock margin). 1.15 covers the 10-bit ADC's step and read noise.
    for (const volts of [3, -3, 3]) {
      const analog = twin.board.analog;
      const e0 = analog.trueEnergy(now());
      analog.resetPeakWatts(now());
      const t0 = now();
      const m = await xb.program([{ kind: "cell", row: 0, col: 3, volts, widthSeconds: 0.05, count: 1 }]);
      const wallSeconds = now() - t0;
      const e1 = analog.trueEnergy(now());
      const measured = totalJoules(m.energy);
      const truth = e1.memristorJoules - e0.memristorJoules + (e1.senseResistorJoules - e0.senseResistorJoules);
      const detail = `${volts} V: ${measured} J against ${truth} J, peak ${e1.peakWatts} W over ${wallSeconds} s wall`;
      // The width is held from the board's answer to the drive writes: on the board the pulse lasts at least that.
      expect(e1.drivenSeconds - e0.drivenSeconds, `${volts} V: the twin saw the pulse's width`).toBeGreaterThanOrEqual(0.05);
      expect(measured / truth, detail).toBeGreaterThan(0.97);
      expect(measured, detail).toBeLessThan(1.15 * e1.peakWatts * wallSeconds);
    }
  });

  test("reset grounds every line on the twin and isSafe says so", async () => {
    await xb.reset();
    expect(await xb.isSafe()).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    for (const v of twin.board.lineVolts()) expect(v).toBeLessThan(1e-3);
  });

  test("johnny-five got an io: neither the firmata package nor serialport 8 was loaded", () => {
    const require = createRequire(import.meta.url);
    const loaded = Object.keys(require.cache);
    expect(loaded.some((p) => p.includes("/johnny-five/lib/board.js"))).toBe(true);
    expect(loaded.filter((p) => /node_modules\/(firmata|browser-serialport)\/|johnny-five\/node_modules\/serialport\//.test(p))).toEqual([]);
  });
});

describe("firmata: bad config and no board", () => {
  test("a bad board config names the file and the field, and nothing is opened", async () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...DEFAULT_BOARD_CONFIG, colLines: DEFAULT_BOARD_CONFIG.colLines.map((l, i) => (i === 2 ? { ...l, pin: 3 } : l)) }));
    expect(() => loadBoardConfig(bad)).toThrow(`board config ${bad}: colLines.2.pin: pin 3 is already used by rowLines.0.pin`);
    writeFileSync(bad, JSON.stringify({ ...DEFAULT_BOARD_CONFIG, supplyVolts: -5 }));
    expect(() => loadBoardConfig(bad)).toThrow(/supplyVolts/);
    writeFileSync(bad, JSON.stringify({ ...DEFAULT_BOARD_CONFIG, limits: { ...DEFAULT_BOARD_CONFIG.limits, minPulseWidthSeconds: 0.001 } }));
    expect(() => loadBoardConfig(bad)).toThrow(/limits.minPulseWidthSeconds.*could not be sampled/);
    writeFileSync(bad, '{\n  "schemaVersion": 1,\n  "model": "x",,\n}\n');
    expect(() => loadBoardConfig(bad)).toThrow(/line 3/);
    await expect(openCrossbar(`firmata:${twin.path}?board=${join(dir, "missing.json")}`)).rejects.toThrow(/missing.json: \(file\): cannot read/);
  });

  test("a config pin the board cannot drive is refused from the board's own capability report", async () => {
    const other = await serveFirmataTwin({ seed: 2, log: () => undefined });
    try {
      // The twin is wired by the default config; this host config claims pin 4, which has no PWM on a Nano.
      const cfg = join(dir, "pin4.json");
      writeFileSync(cfg, JSON.stringify({ ...DEFAULT_BOARD_CONFIG, rowLines: DEFAULT_BOARD_CONFIG.rowLines.map((l, i) => (i === 0 ? { ...l, pin: 4 } : l)) }));
      await expect(openCrossbar(`firmata:${other.path}?board=${cfg}`)).rejects.toThrow(/rowLines.0.pin: pin 4 is not a PWM output/);
    } finally {
      await other.close();
    }
  });

  test("a port with no Firmata behind it times out with a clear error", async () => {
    const socat = spawn("socat", ["-d", "-d", "pty,raw,echo=0", "SYSTEM:cat >/dev/null"], { stdio: ["ignore", "ignore", "pipe"] });
    try {
      const path = await new Promise<string>((resolve) => {
        let text = "";
        socat.stderr.on("data", (c: Buffer) => {
          text += c.toString();
          const m = /PTY is (\S+)/.exec(text);
          if (m) resolve(m[1]!);
        });
      });
      const cfg = join(dir, "quick.json");
      writeFileSync(cfg, JSON.stringify({ ...DEFAULT_BOARD_CONFIG, connectTimeoutSeconds: 1 }));
      await expect(openCrossbar(`firmata:${path}?board=${cfg}`)).rejects.toThrow(`firmata: no Firmata answer from ${path} within 1 s`);
    } finally {
      socat.kill("SIGKILL");
    }
  });
});
