// `mhil devices` and `mhil info` through the compiled CLI (npm test builds dist/ first).
import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { PHYSICAL_PRESETS, PRESETS } from "../../sim/devices/presets.js";

const mhil = (...args: string[]) => execFileSync("node", ["bin/mhil.js", ...args], { encoding: "utf8" });

describe("mhil devices", () => {
  it("lists the five presets with their sources", () => {
    const out = mhil("devices");
    for (const name of PHYSICAL_PRESETS) {
      expect(out).toMatch(new RegExp(`^  ${name} `, "m"));
      expect(out).toContain(`source: ${PRESETS[name]!.source}`);
    }
    for (const cite of ["Gong et al. 2018", "NeuroSim V3", "Jo et al. 2010", "Yao et al. 2020", "Prezioso et al. 2015"]) expect(out).toContain(cite);
    expect(out).toMatch(/Serial ports/);
  });

  it("--json prints every preset with all its parameters", () => {
    const out = JSON.parse(mhil("devices", "--json")) as { presets: Array<{ name: string; source: string; device: Record<string, unknown>; peripherals: Record<string, unknown> }>; serialPorts: unknown[] };
    expect(out.presets.map((p) => p.name)).toEqual(Object.keys(PRESETS));
    for (const p of out.presets) {
      expect(p.device).toEqual(JSON.parse(JSON.stringify(PRESETS[p.name]!.device)));
      expect(Object.keys(p.device)).toHaveLength(Object.keys(PRESETS.reram!.device).length);
      expect(p.peripherals).toHaveProperty("adcBits");
    }
    expect(Array.isArray(out.serialPorts)).toBe(true);
  });
});

describe("mhil info", () => {
  it("opens a sim URI and prints identity, limits and capabilities (text and --json)", () => {
    const text = mhil("info", "--device", "sim:taox?rows=8&cols=16&seed=2");
    expect(text).toMatch(/model:\s+sim:taox/);
    expect(text).toMatch(/8 rows × 16 columns/);
    expect(text).toMatch(/program volts\s+≤ \+2 V \/ −2.2 V/);
    const json = JSON.parse(mhil("info", "--device", "sim:taox?rows=8&cols=16&seed=2", "--json"));
    expect(json).toMatchObject({ backend: "sim", rows: 8, cols: 16, limits: { maxProgramVoltsNegative: 2.2 }, capabilities: { halfSelectSchemes: ["V/2", "V/3"] } });
  });

  it("a bad URI exits non-zero with one clear line", () => {
    const r = spawnSync("node", ["bin/mhil.js", "info", "--device", "sim:nosuch"], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^mhil: device URI "sim:nosuch": unknown preset "nosuch"/);
  });
});
