import { describe, expect, it } from "vitest";
import { expandGrid, mergeOverrides, nValues, parseShard, parseSweepConfig, pointTrainConfig, shardPoints } from "../../src/experiment/sweep-config.js";

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

  it("accepts the control label mode; its points are named like any other label's", () => {
    const c = parseSweepConfig({ ...base, grid: { ...base.grid, labels: ["random", "control"] } });
    const p = expandGrid(c).find((q) => q.labels === "control")!;
    expect(p.name).toBe("n10_C2_control_ep3_seed1");
    expect(p.protocol).toBe("base");
    expect(pointTrainConfig(c, p).labels).toBe("control");
  });

  it("protocols: a grid factor whose base is merged over the top-level base, named in the point only when given", () => {
    const withProtocols = {
      ...base,
      base: { ...base.base, weights: "crossbar", crossbar: { writeVerify: true } },
      grid: {
        ...base.grid,
        protocols: [
          { name: "pulse1", base: { crossbar: { maxPulsesPerUpdate: 1 } } },
          { name: "wide", base: { layers: [16] } },
        ],
      },
    };
    const c = parseSweepConfig(withProtocols);
    const pts = expandGrid(c);
    expect(pts).toHaveLength(3 * 2 * 3 * 2 * 2 * 10);
    expect(pts[0]!.name).toBe("n10_C2_random_pulse1_ep3_seed1");
    expect(pts.slice(0, 3).map((p) => p.protocol)).toEqual(["pulse1", "pulse1", "pulse1"]);
    const pulse1 = pointTrainConfig(c, pts[0]!);
    expect(pulse1.crossbar.maxPulsesPerUpdate).toBe(1);
    expect(pulse1.crossbar.writeVerify).toBe(true); // the top-level crossbar keys stay
    expect(pulse1.layers).toEqual([4]);
    const wide = pointTrainConfig(c, pts.find((p) => p.protocol === "wide")!);
    expect(wide.layers).toEqual([16]);
    expect(wide.crossbar.maxPulsesPerUpdate).toBe(4); // the train config's default
    // Without protocols the names are those of older sweeps.
    expect(expandGrid(parseSweepConfig(base))[0]!.name).toBe("n10_C2_random_ep3_seed1");
    expect(mergeOverrides({ a: { b: 1, c: 2 }, d: [1] }, { a: { c: 3 }, d: [2, 3] })).toEqual({ a: { b: 1, c: 3 }, d: [2, 3] });
  });

  it("refuses bad protocols naming the file, the field and the expected type", () => {
    const grid = (protocols: unknown) => ({ ...base, grid: { ...base.grid, protocols } });
    expect(() => parseSweepConfig(grid({ name: "a", base: {} }), "s.json")).toThrow(/^s\.json: grid\.protocols: .*expected array/);
    expect(() => parseSweepConfig(grid([{ base: {} }]), "s.json")).toThrow(/^s\.json: grid\.protocols\[0\]\.name: .*expected string/);
    expect(() => parseSweepConfig(grid([{ name: "a b", base: {} }]), "s.json")).toThrow(/grid\.protocols\[0\]\.name: expected a name of letters, digits/);
    expect(() => parseSweepConfig(grid([{ name: "a", base: 3 }]), "s.json")).toThrow(/grid\.protocols\[0\]\.base: .*expected record|grid\.protocols\[0\]\.base: .*expected object/);
    expect(() => parseSweepConfig(grid([{ name: "a", base: { epochs: 3 } }]), "s.json")).toThrow(/s\.json: grid\.protocols\[0\]\.base\.epochs: set by the grid/);
    expect(() => parseSweepConfig(grid([{ name: "a", base: {} }, { name: "a", base: {} }]), "s.json")).toThrow(/grid\.protocols\[1\]\.name: "a" names two protocols/);
    expect(() => parseSweepConfig({ ...base, grid: { ...base.grid, labels: ["contrl"] } }, "s.json")).toThrow(/s\.json: grid\.labels\[0\]: expected a label mode: real, random, control/);
    const c = parseSweepConfig(grid([{ name: "bad", base: { crossbar: { maxPulsesPerUpdate: 0 } } }]));
    expect(() => pointTrainConfig(c, expandGrid(c)[0]!, "s.json")).toThrow(/s\.json \(base \+ protocol bad, point n10_C2_random_bad_ep3_seed1\): crossbar\.maxPulsesPerUpdate/);
  });
});
