// Bad input: a clear error naming the field and the value, and the array left exactly as it was.
import { describe, expect, it } from "vitest";
import { SimulatedCrossbar } from "../../sim/crossbar/simulated-crossbar.js";
import { PRESETS } from "../../sim/devices/presets.js";
import { DeviceParamsError, type DeviceParams } from "../../sim/devices/params.js";
import { LimitError } from "../../src/hal/limits.js";
import { DeviceUriError } from "../../src/hal/uri.js";
import { openCrossbar } from "../../src/backends/open.js";
import type { Pulse } from "../../src/hal/crossbar.js";

const reram = PRESETS.reram!;
const build = (over: Partial<DeviceParams>) => () => new SimulatedCrossbar({ rows: 4, cols: 4, device: { ...reram.device, ...over } });

describe("device configuration", () => {
  it.each([
    [{ gMinSiemens: 2e-4 }, "device.gMinSiemens", "0.0002", /below gMaxSiemens/],
    [{ gMinSiemens: 1e-4, gMaxSiemens: 1e-4 }, "device.gMinSiemens", "0.0001", /below gMaxSiemens/],
    [{ stepSiemens: Number.NaN }, "device.stepSiemens", "NaN", /number/],
    [{ readNoise: -0.1 }, "device.readNoise", "-0.1", /≥ 0/],
    [{ upDownAsymmetry: 1.5 }, "device.upDownAsymmetry", "1.5", /\(−1, 1\)/],
    [{ stuckAtMinProbability: 2 }, "device.stuckAtMinProbability", "2", /probability/],
    [{ nominalVoltsPositive: 0.5 }, "device.nominalVoltsPositive", "0.5", /thresholdVoltsPositive/],
    [{ model: "magic" as DeviceParams["model"] }, "device.model", '"magic"', /one of/],
  ])("%o is refused naming %s = %s", (over, field, value, detail) => {
    let err: unknown;
    try {
      build(over)();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DeviceParamsError);
    expect((err as DeviceParamsError).field).toBe(field);
    expect((err as Error).message).toContain(`${field} = ${value}`);
    expect((err as Error).message).toMatch(detail);
  });

  it("bad array sizes and periphery are refused by name", () => {
    expect(() => new SimulatedCrossbar({ rows: 0, cols: 4, device: reram.device })).toThrow(/rows = 0/);
    expect(() => new SimulatedCrossbar({ rows: 4, cols: 2.5, device: reram.device })).toThrow(/cols = 2.5/);
    expect(() => new SimulatedCrossbar({ rows: 4, cols: 4, device: reram.device, peripherals: { adcBits: 0 } })).toThrow(/peripherals.adcBits = 0/);
    expect(() => new SimulatedCrossbar({ rows: 4, cols: 4, device: reram.device, peripherals: { readVolts: 5 } })).toThrow(/peripherals.readVolts = 5/);
  });

  it("bad sim: URIs are refused with the URI and the parameter", async () => {
    await expect(openCrossbar("sim:nosuch")).rejects.toThrow(DeviceUriError);
    await expect(openCrossbar("sim:nosuch")).rejects.toThrow(/unknown preset "nosuch"/);
    await expect(openCrossbar("sim:reram?rows=0")).rejects.toThrow(/rows=0/);
    await expect(openCrossbar("sim:reram?seed=-1")).rejects.toThrow(/seed=-1/);
    await expect(openCrossbar("sim:reram?rowz=4")).rejects.toThrow(/unknown parameter "rowz"/);
  });
});

describe("refused requests leave the array unchanged", () => {
  const ok: Pulse = { kind: "cell", row: 0, col: 0, volts: 1.5, widthSeconds: 1e-6, count: 100 };
  const cases: Array<[string, () => Pulse | null, string, string]> = [
    ["negative width", () => ({ ...ok, col: 1, widthSeconds: -1e-7 }), "pulses[1].widthSeconds", "-1e-7"],
    ["over-limit voltage", () => ({ ...ok, volts: 1.7 }), "pulses[1].volts", "1.7"],
    ["over-limit negative voltage", () => ({ ...ok, volts: -2 }), "pulses[1].volts", "-2"],
    ["row out of range", () => ({ ...ok, row: 8 }), "pulses[1].row", "8"],
    ["column out of range", () => ({ ...ok, col: -1 }), "pulses[1].col", "-1"],
    ["NaN volts", () => ({ ...ok, volts: Number.NaN }), "pulses[1].volts", "NaN"],
    ["unknown scheme", () => ({ kind: "row", line: 0, selected: [1], counts: [1], volts: 1, widthSeconds: 1e-7, scheme: "V/4" as "V/2" }), "pulses[1].scheme", '"V/4"'],
    ["unsorted selection", () => ({ kind: "column", line: 0, selected: [3, 1], counts: [1, 1], volts: 1, widthSeconds: 1e-7, scheme: "V/2" }), "pulses[1].selected[1]", "1"],
  ];
  it.each(cases)("%s: LimitError naming %s = %s; nothing applied", async (_what, bad, field, value) => {
    const xb = (await openCrossbar("sim:reram?rows=8&cols=8&seed=4")) as SimulatedCrossbar;
    const before = xb.trueConductances();
    const clock = xb.elapsedSeconds;
    let err: unknown;
    try {
      await xb.program([ok, bad()!]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LimitError);
    expect((err as LimitError).field).toBe(field);
    expect((err as Error).message).toContain(`${field} = ${value}`);
    expect((err as Error).message).toContain("nothing was applied");
    expect(Buffer.from(xb.trueConductances().buffer).equals(Buffer.from(before.buffer))).toBe(true);
    expect(xb.elapsedSeconds).toBe(clock);
  });

  it("reads and products: out-of-range cell, over-limit and NaN volts, wrong length", async () => {
    const xb = (await openCrossbar("sim:reram?rows=8&cols=8&seed=4")) as SimulatedCrossbar;
    const before = xb.trueConductances();
    await expect(xb.readCell(8, 0)).rejects.toThrow(/row = 8/);
    await expect(xb.readCell(0, Number.NaN)).rejects.toThrow(/col = NaN/);
    await expect(xb.readCell(0, 0, 0.5)).rejects.toThrow(/readVolts = 0.5: exceeds maxReadVolts 0.3/);
    await expect(xb.readArray(0)).rejects.toThrow(/readVolts = 0/);
    const v = new Float64Array(8);
    v[2] = Number.NaN;
    await expect(xb.mvm({ direction: "forward", volts: v })).rejects.toThrow(/volts\[2\] = NaN/);
    v[2] = 0.31;
    await expect(xb.mvm({ direction: "transposed", volts: v })).rejects.toThrow(/volts\[2\] = 0.31/);
    await expect(xb.mvm({ direction: "forward", volts: new Float64Array(7) })).rejects.toThrow(/volts.length = 7/);
    await expect(xb.mvm({ direction: "forward", volts: new Float64Array(16), vectors: 0 })).rejects.toThrow(/vectors = 0/);
    expect(Buffer.from(xb.trueConductances().buffer).equals(Buffer.from(before.buffer))).toBe(true);
  });

  it("a closed crossbar refuses work but stays safe", async () => {
    const xb = await openCrossbar("sim:ideal?rows=2&cols=2");
    await xb.close();
    await expect(xb.readCell(0, 0)).rejects.toThrow(/closed/);
    expect(await xb.isSafe()).toBe(true);
  });
});
