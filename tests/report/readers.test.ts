// What the report reads and how it words numbers: the last checkpoint's conductances (and the note for a
// sweep of ideal weights), integer epoch ticks, CIs read back from summary.json, what a contrast holds equal.
import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { epochTicks } from "../../src/report/charts/accuracy-chart.js";
import { conductanceBins } from "../../src/report/charts/conductance-chart.js";
import { conductanceNote, lastCheckpoint, readRunConductances, sampleConductances } from "../../src/report/checkpoint-conductances.js";
import { heldEqual, ratioCi } from "../../src/report/format.js";

const root = mkdtempSync(join(tmpdir(), "mhil-report-readers-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function runWithCheckpoints(name: string, stores: Record<number, object>): string {
  const dir = join(root, name);
  mkdirSync(join(dir, "checkpoints"), { recursive: true });
  for (const [epoch, store] of Object.entries(stores)) writeFileSync(join(dir, "checkpoints", `epoch-${epoch}.json`), JSON.stringify({ epoch: Number(epoch), session: { store } }));
  return dir;
}

describe("conductances from the last checkpoint", () => {
  it("reads session.store.conductancesSiemens of the highest epoch (epoch-10 after epoch-9, not by name)", () => {
    const dir = runWithCheckpoints("crossbar", { 2: { kind: "crossbar", conductancesSiemens: [1e-6] }, 9: { kind: "crossbar", conductancesSiemens: [2e-6] }, 10: { kind: "crossbar", conductancesSiemens: [3e-6, 4e-6] } });
    expect(lastCheckpoint(dir)).toBe("checkpoints/epoch-10.json");
    expect(readRunConductances(dir)).toEqual({ kind: "crossbar", checkpoint: "checkpoints/epoch-10.json", siemens: [3e-6, 4e-6] });
  });

  it("says when every run trained ideal weights, and counts runs of each kind in a mixed sweep", () => {
    const ideal = [1, 2, 3].map((k) => runWithCheckpoints(`ideal${k}`, { 1: { kind: "ideal", weights: ["AAAA"] } }));
    const allIdeal = sampleConductances(ideal.map((dir) => ({ dir, group: "random" })));
    expect(allIdeal).toMatchObject({ crossbarRuns: 0, idealRuns: 3, runsWithout: 0, siemens: {} });
    expect(conductanceNote(allIdeal)).toBe('all 3 run(s) read trained ideal weights (their checkpoints hold a store of kind "ideal"): there are no device conductances to histogram');
    const mixed = sampleConductances([...ideal, join(root, "crossbar"), join(root, "no-such-run")].map((dir) => ({ dir, group: "g" })));
    expect(conductanceNote(mixed)).toBe("2 device conductances from the last checkpoint of 1 of 5 run(s) read; 3 run(s) trained ideal weights and have no device conductances; 1 run(s) have no checkpoint with conductances");
  });

  it("bins them in µS, every device in one bin per group", () => {
    const bins = conductanceBins({ a: [1e-6, 2e-6, 2e-6], b: [3e-6] }, 2);
    expect(bins).toEqual([
      { group: "a", from: 1, to: 2, devices: 1 },
      { group: "a", from: 2, to: 3, devices: 2 },
      { group: "b", from: 2, to: 3, devices: 1 },
    ]);
  });
});

describe("the report's wording of numbers", () => {
  it("ticks whole epochs only, thinned when there are many", () => {
    expect(epochTicks([1, 2])).toEqual([1, 2]);
    expect(epochTicks([1, 1.5, 6])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(epochTicks([1, 40])).toEqual([1, 6, 11, 16, 21, 26, 31, 36]);
  });

  it("reads a CI limit that summary.json wrote as null as the ratio 0 (lower) or ∞ (upper)", () => {
    expect(ratioCi({ estimate: Math.log(0.05), lower: null, upper: Math.log(0.06) })).toBe("×0.0500 [×0, ×0.0600]");
    expect(ratioCi({ estimate: 0, lower: Number.NEGATIVE_INFINITY, upper: Number.POSITIVE_INFINITY })).toBe("×1.00 [×0, ×∞]");
  });

  it("names what a contrast holds equal: every cell coordinate but its factor", () => {
    expect(heldEqual("labels")).toBe("n, C, protocol and budget");
    expect(heldEqual("protocol")).toBe("n, C, labels and budget");
    expect(heldEqual("budget")).toBe("n, C, labels and protocol");
  });
});
