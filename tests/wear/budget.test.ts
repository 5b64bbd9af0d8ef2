// Wear budgets: counts per cell survive across runs on the same device serial; a warning at a fraction of
// the endurance; a batch that would go past it is refused and nothing is applied.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { openCrossbar } from "../../src/backends/open.js";
import { WearBudgetCrossbar, WearBudgetError } from "../../src/wear/budget.js";
import { WearStore, WearStoreError } from "../../src/wear/store.js";

const URI = "sim:reram?rows=4&cols=4&seed=2";

describe("wear budget", () => {
  it("per-cell pulse counts survive across two runs on the same simulated device serial", async () => {
    const store = new WearStore(mkdtempSync(join(tmpdir(), "mhil-wear-")));
    for (let run = 0; run < 2; run++) {
      const x = await WearBudgetCrossbar.wrap(await openCrossbar(URI), store);
      expect(x.record.pulses[1 * 4 + 2]).toBe(run * 7 + run * 3);
      await x.program([{ kind: "cell", row: 1, col: 2, volts: 1.2, widthSeconds: 100e-9, count: 7 }]);
      await x.program([{ kind: "row", line: 1, selected: [0, 2], counts: [5, 3], volts: 1.2, widthSeconds: 100e-9, scheme: "V/2" }]);
      await x.close();
    }
    const again = await WearBudgetCrossbar.wrap(await openCrossbar(URI), store);
    expect(again.record.pulses[1 * 4 + 2]).toBe(20);
    expect(again.record.pulses[1 * 4 + 0]).toBe(10);
    expect(again.record.pulses[0]).toBe(0);
    await again.close();
  });

  it("warns at the configured fraction and refuses past the endurance with the array unchanged", async () => {
    const store = new WearStore(mkdtempSync(join(tmpdir(), "mhil-wear-")));
    const warnings: string[] = [];
    const x = await WearBudgetCrossbar.wrap(await openCrossbar(URI), store, { endurancePulses: 100, warnFraction: 0.5, warn: (m) => warnings.push(m) });
    await x.program([{ kind: "cell", row: 0, col: 0, volts: 1.2, widthSeconds: 100e-9, count: 40 }]);
    expect(warnings).toHaveLength(0);
    await x.program([{ kind: "cell", row: 0, col: 0, volts: 1.2, widthSeconds: 100e-9, count: 20 }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/60 pulses, 60% of its endurance \(100\)/);
    const before = (await x.readArray()).value;
    const sim = x as unknown as { inner: { trueConductances(): Float64Array } };
    const truthBefore = Float64Array.from(sim.inner.trueConductances());
    await expect(x.program([
      { kind: "cell", row: 3, col: 3, volts: 1.2, widthSeconds: 100e-9, count: 5 },
      { kind: "cell", row: 0, col: 0, volts: 1.2, widthSeconds: 100e-9, count: 41 },
    ])).rejects.toThrow(WearBudgetError);
    expect(Array.from(sim.inner.trueConductances())).toEqual(Array.from(truthBefore));
    expect(x.record.pulses[15]).toBe(0);
    expect(before.length).toBe(16);
    await x.close();
    const overridden = await WearBudgetCrossbar.wrap(await openCrossbar(URI), store, { endurancePulses: 100, allowWorn: true, warn: () => {} });
    await overridden.program([{ kind: "cell", row: 0, col: 0, volts: 1.2, widthSeconds: 100e-9, count: 41 }]);
    expect(overridden.record.pulses[0]).toBe(101);
    await overridden.close();
  });

  it("a record of another device under the same serial is refused, naming the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mhil-wear-"));
    const store = new WearStore(dir);
    const x = await WearBudgetCrossbar.wrap(await openCrossbar(URI), store);
    await x.program([{ kind: "cell", row: 0, col: 1, volts: 1.2, widthSeconds: 100e-9, count: 1 }]);
    await x.close();
    const id = await (await openCrossbar(URI)).identify();
    expect(() => store.load({ ...id, rows: 8 })).toThrow(WearStoreError);
    expect(() => store.load({ ...id, rows: 8 })).toThrow(/records a 4×4 sim:reram under serial/);
  });

  it("four processes adding to one serial's counts at once lose no pulse (sweep workers share a device serial)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mhil-wear-"));
    const id = await (await openCrossbar(URI)).identify();
    // The compiled store (npm test builds dist/ first), 50 saves of one pulse on cell 5 per process.
    const script = join(dir, "add.mjs");
    writeFileSync(script, `import { WearStore } from ${JSON.stringify(resolve("dist/src/wear/store.js"))};
const store = new WearStore(${JSON.stringify(dir)});
const id = ${JSON.stringify(id)};
for (let i = 0; i < 50; i++) store.add(id, new Map([[5, 1]]));`);
    const exits = Array.from({ length: 4 }, () => new Promise<number | null>((r) => spawn(process.execPath, [script], { stdio: "inherit" }).once("exit", r)));
    expect(await Promise.all(exits)).toEqual([0, 0, 0, 0]);
    const rec = JSON.parse(readFileSync(new WearStore(dir).fileFor(id.serial), "utf8")) as { pulses: number[] };
    expect(rec.pulses[5]).toBe(200);
    expect(rec.pulses.reduce((a, p) => a + p, 0)).toBe(200);
  });
});
