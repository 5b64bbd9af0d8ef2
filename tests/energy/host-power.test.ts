// Host energy from powercap: summed over package zones, wrap-around counted, unavailable when absent.
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HostEnergyMeter } from "../../src/energy/host-power.js";

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function zone(root: string, name: string, label: string, energy: number, max: number): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "name"), `${label}\n`);
  writeFileSync(join(dir, "energy_uj"), `${energy}\n`);
  writeFileSync(join(dir, "max_energy_range_uj"), `${max}\n`);
  return join(dir, "energy_uj");
}

describe("HostEnergyMeter", () => {
  it("sums package zones, skips psys and subzones, and counts a wrap as (max − last) + now", () => {
    const root = mkdtempSync(join(tmpdir(), "powercap-"));
    roots.push(root);
    const pkg0 = zone(root, "intel-rapl:0", "package-0", 900_000, 1_000_000);
    const pkg1 = zone(root, "intel-rapl:1", "package-1", 10, 1_000_000);
    const psys = zone(root, "intel-rapl:2", "psys", 0, 1_000_000);
    const core = zone(root, "intel-rapl:0:0", "core", 0, 1_000_000);
    const m = new HostEnergyMeter(root);
    expect(m.available).toBe(true);
    writeFileSync(pkg0, "950000\n"); // +50,000 µJ
    writeFileSync(pkg1, "500010\n"); // +500,000 µJ
    writeFileSync(psys, "999999\n");
    writeFileSync(core, "999999\n");
    m.sample();
    writeFileSync(pkg0, "25000\n"); // wrapped: (1,000,000 − 950,000) + 25,000 = 75,000 µJ
    m.sample();
    const r = m.reading();
    expect(r.zones).toEqual(["intel-rapl:0 (package-0)", "intel-rapl:1 (package-1)"]);
    expect(r.joules).toBeCloseTo((50_000 + 500_000 + 75_000) * 1e-6, 12);
    expect(r.unavailableReason).toBeNull();
  });

  it("reports null with a reason when powercap is absent", () => {
    const m = new HostEnergyMeter(join(tmpdir(), "no-such-powercap-dir"));
    expect(m.available).toBe(false);
    expect(m.reading().joules).toBeNull();
    expect(m.reading().unavailableReason).toMatch(/does not exist/);
  });
});
