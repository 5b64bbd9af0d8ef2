// The twin's memristors are sim/devices devices: the preset validates as DeviceParams, the population's
// stuck states hold, and the soft-bounds step law brings a device to its own ceiling and floor, not past them.
import { expect, test } from "vitest";
import { DEFAULT_BOARD_CONFIG } from "../../protocol/firmata/board-config.js";
import { validateDeviceParams } from "../../sim/devices/params.js";
import { AnalogBoard } from "../../emulators/firmata-twin/analog-board.js";
import { DEFAULT_TWIN_DEVICE, FIRMATA_BOARD_PRESET } from "../../emulators/firmata-twin/board-device.js";

const supply = DEFAULT_BOARD_CONFIG.supplyVolts;

/** Drives row 0 (positive) or column 0 (negative) to |volts| for `seconds`, then grounds it; returns the end time. */
function hold(board: AnalogBoard, volts: number, seconds: number, t0: number): number {
  const kind = volts >= 0 ? "row" : "col";
  board.drive(kind, 0, Math.abs(volts) / supply, t0);
  board.drive(kind, 0, 0, t0 + seconds);
  const end = t0 + seconds + 0.05; // the RC line falls well below threshold
  board.advance(end);
  return end;
}

test("the twin's preset is a sim/devices device", () => {
  expect(validateDeviceParams(FIRMATA_BOARD_PRESET.device)).toBe(FIRMATA_BOARD_PRESET.device);
  expect(DEFAULT_TWIN_DEVICE.model).toBe("softBounds");
});

test("a long strong pulse brings the driven devices to their own ceiling, a long negative one to their floor", () => {
  const device = { ...DEFAULT_TWIN_DEVICE, boundsSpreadD2d: 0.05 };
  const board = new AnalogBoard(DEFAULT_BOARD_CONFIG, device, 3, 0);
  const range = device.gMaxSiemens - device.gMinSiemens;
  const start = Float64Array.from(board.conductance);
  let t = hold(board, 3.5, 3, 0);
  // Row 0's devices (cols 0–3) saw the full pulse; row 1's saw nothing.
  const top = Float64Array.from(board.conductance);
  for (let c = 0; c < 4; c++) {
    expect(top[c]!).toBeGreaterThan(start[c]!);
    expect(top[c]!).toBeLessThanOrEqual(device.gMaxSiemens + 4 * 0.05 * range); // its own bound, drawn with spread
  }
  for (let c = 4; c < 8; c++) expect(top[c]).toBe(start[c]);
  // Soft bounds: the step shrinks towards the bound, so a second long pulse moves a saturated device very little.
  t = hold(board, 3.5, 3, t);
  for (let c = 0; c < 4; c++) expect(Math.abs(board.conductance[c]! - top[c]!)).toBeLessThan(0.01 * range);
  // Column 0 negative: devices (0, 0) and (1, 0) fall towards their floors.
  hold(board, -3.5, 6, t);
  for (const i of [0, 4]) expect(board.conductance[i]!).toBeLessThan(device.gMinSiemens + 0.05 * range + 4 * 0.05 * range);
});

test("a population drawn stuck at its maximum stays there under any pulse", () => {
  const device = { ...DEFAULT_TWIN_DEVICE, stuckAtMaxProbability: 1 };
  const board = new AnalogBoard(DEFAULT_BOARD_CONFIG, device, 1, 0);
  const before = Float64Array.from(board.conductance);
  for (const g of before) expect(g).toBe(device.gMaxSiemens);
  hold(board, -3.5, 1, 0);
  expect(Float64Array.from(board.conductance)).toEqual(before);
});
