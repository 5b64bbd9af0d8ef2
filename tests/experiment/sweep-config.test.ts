import { describe, expect, it } from "vitest";
import { expandGrid, nValues, parseShard, parseSweepConfig, pointTrainConfig, shardPoints } from "../../src/experiment/sweep-config.js";

const base = {
  name: "t",
  base: { dataset: "toy:2d", weights: "ideal", layers: [4], batchSize: 8 },
  grid: { n: { logspace: { from: 10, to: 1000, count: 3 } }, classes: [2, 4], labels: ["random", "teacher", "teacher:0.25"], budgets: [{ epochs: 3 }, { updates: 40 }], seeds: 10 },
};

describe("sweep config", () => {
  it("expands the grid in a fixed order with names derived from the point only", () => {
    const c = parseSweepConfig(base);
    expect(nValues(c)).toEqual([10, 100, 1000]);
    const pts = expandGrid(c);
    expect(pts).toHaveLength(3 * 2 * 3 * 2 * 10);
    expect(new Set(pts.map((p) => p.name)).size).toBe(pts.length);
    expect(pts[0]!.name).toBe("n10_C2_random_ep3_seed1");
    expect(pts.find((p) => p.labels === "teacher:0.25")!.name).toBe("n10_C2_teacher-p0.25_ep3_seed1");
    expect(expandGrid(parseSweepConfig(base)).map((p) => p.name)).toEqual(pts.map((p) => p.name));
  });

  it("shards partition the points: every point in exactly one shard", () => {
    const pts = expandGrid(parseSweepConfig(base));
    const shards = [0, 1, 2].map((i) => shardPoints(pts, i, 3).map((p) => p.name));
    expect(shards.flat().sort()).toEqual(pts.map((p) => p.name).sort());
    expect(Math.max(...shards.map((s) => s.length)) - Math.min(...shards.map((s) => s.length))).toBeLessThanOrEqual(1);
    expect(parseShard("2/3")).toEqual({ index: 2, count: 3 });
    expect(() => parseShard("3/3")).toThrow(/need 0 ≤ i < K/);
    expect(() => parseShard("a/b")).toThrow(/not i\/K/);
  });

  it("sets samples, classes, labels, seed and epochs from the point; an update budget becomes the nearest whole number of epochs", () => {
    const c = parseSweepConfig(base);
    const p = expandGrid(c).find((q) => q.n === 100 && q.budgetLabel === "updates=40")!;
    const tc = pointTrainConfig(c, p);
    expect(tc).toMatchObject({ samples: 100, classes: 2, labels: "random", seed: 1, dataset: "toy:2d", batchSize: 8 });
    expect(tc.epochs).toBe(3); // 100/8 → 13 updates per epoch; 40/13 ≈ 3
  });

  it("refuses bad input with the field named", () => {
    expect(() => parseSweepConfig({ ...base, grid: { ...base.grid, seeds: 3 } })).toThrow(/grid\.seeds: 3 seeds per cell; the protocol needs at least 10/);
    expect(parseSweepConfig({ ...base, pilot: true, grid: { ...base.grid, seeds: 3 } }).pilot).toBe(true);
    expect(() => parseSweepConfig({ ...base, grid: { ...base.grid, labels: ["noise"] } })).toThrow(/grid\.labels\[0\]/);
    expect(() => parseSweepConfig({ ...base, base: { samples: 5 } })).toThrow(/base\.samples: set by the grid/);
    expect(() => parseSweepConfig({ ...base, grdi: 1 })).toThrow(/unrecognized key.*grdi/i);
    expect(() => parseSweepConfig({ ...base, grid: { ...base.grid, budgets: [{ criterion: { trainAccuracy: 0.9, maxEpochs: 5 } }] } })).toThrow(/grid\.budgets\[0\]: a criterion budget is not supported yet/);
    const c = parseSweepConfig({ ...base, base: { ...base.base, layerz: [3] } });
    expect(() => pointTrainConfig(c, expandGrid(c)[0]!, "x.json")).toThrow(/x\.json \(base, point n10_C2_random_ep3_seed1\): layerz: unknown key/);
  });
});
