// Dataset loaders: IDX (plain and gzipped), CSV with errors naming file/line/field, toy, label modes.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { Rng } from "../../src/random/rng.js";
import { parseTrainConfig, type TrainConfigInput } from "../../src/train/config.js";
import { DatasetError, loadDataset } from "../../src/train/datasets.js";

const dir = mkdtempSync(join(tmpdir(), "mhil-datasets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const load = (c: TrainConfigInput, seed = 1) => loadDataset(parseTrainConfig(c, "test"), new Rng(seed));

function idxImages(images: number[][], rows: number, cols: number): Buffer {
  const head = Buffer.alloc(16);
  head.writeUInt32BE(0x803, 0);
  head.writeUInt32BE(images.length, 4);
  head.writeUInt32BE(rows, 8);
  head.writeUInt32BE(cols, 12);
  return Buffer.concat([head, Buffer.from(images.flat())]);
}
function idxLabels(labels: number[]): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(0x801, 0);
  head.writeUInt32BE(labels.length, 4);
  return Buffer.concat([head, Buffer.from(labels)]);
}
function writeIdx(sub: string, gz: boolean): string {
  const d = join(dir, sub);
  mkdirSync(d, { recursive: true });
  const put = (name: string, b: Buffer) => writeFileSync(join(d, gz ? `${name}.gz` : name), gz ? gzipSync(b) : b);
  put("train-images-idx3-ubyte", idxImages([[0, 255, 51, 0], [255, 255, 0, 0], [0, 0, 102, 255]], 2, 2));
  put("train-labels-idx1-ubyte", idxLabels([1, 0, 2]));
  put("t10k-images-idx3-ubyte", idxImages([[255, 0, 0, 255]], 2, 2));
  put("t10k-labels-idx1-ubyte", idxLabels([2]));
  return d;
}

describe("IDX files", () => {
  for (const gz of [false, true]) {
    it(`reads the four standard files ${gz ? "gzipped" : "plain"}`, async () => {
      const d = writeIdx(gz ? "gz" : "plain", gz);
      const ds = await load({ dataset: `idx:${d}`, samples: 3, testSamples: 1, classes: 3 });
      expect(ds.inputSize).toBe(4);
      expect(ds.numClasses).toBe(3);
      expect(Array.from(ds.trainY)).toEqual([1, 0, 2]);
      expect(Array.from(ds.trainX.subarray(0, 4))).toEqual([0, 1, 0.2, 0]);
      expect(Array.from(ds.testX)).toEqual([1, 0, 0, 1]);
      expect(Array.from(ds.testY)).toEqual([2]);
    });
  }

  it("names a missing file", async () => {
    const d = join(dir, "missing");
    mkdirSync(d, { recursive: true });
    await expect(load({ dataset: `idx:${d}`, samples: 1, testSamples: 1 })).rejects.toThrow(/train-images-idx3-ubyte: not found/);
  });

  it("names a file with a wrong magic number", async () => {
    const d = writeIdx("badmagic", false);
    const bad = idxImages([[1, 2, 3, 4]], 2, 2);
    bad.writeUInt32BE(0x801, 0);
    writeFileSync(join(d, "t10k-images-idx3-ubyte"), bad);
    await expect(load({ dataset: `idx:${d}`, samples: 1, testSamples: 1 })).rejects.toThrow(/t10k-images-idx3-ubyte, header: magic number 0x00000801 is not 0x00000803/);
  });

  it("downsamples 28×28-style square images by average pooling", async () => {
    const d = writeIdx("pool", false);
    // 2×2 → 1×1 is not offered; check the error names the size instead.
    await expect(load({ dataset: `idx:${d}`, samples: 1, testSamples: 1, downsample: "7x7" })).rejects.toThrow(/cannot downsample to 7×7: rows are 2×2 images/);
  });
});

describe("CSV", () => {
  const csv = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it("reads features and the last-column label, scaling each feature to [0, 1]", async () => {
    const p = csv("ok.csv", "a,b,label\n0,10,0\n2,30,1\n\n1,20,1\n");
    const ds = await load({ dataset: `csv:${p}`, samples: 2, testSamples: 1, classes: 2 });
    expect(ds.inputSize).toBe(2);
    const rows = [...Array.from({ length: 2 }, (_, i) => [ds.trainX[2 * i], ds.trainX[2 * i + 1], ds.trainY[i]]), [ds.testX[0], ds.testX[1], ds.testY[0]]];
    expect(rows.sort((a, b) => a[0]! - b[0]!)).toEqual([[0, 0, 0], [0.5, 0.5, 1], [1, 1, 1]]);
  });

  it("names the file, the line and the column of a bad value", async () => {
    const p = csv("data.csv", "1,2,0\n3,4,1\n5,abc,1\n");
    await expect(load({ dataset: `csv:${p}`, samples: 1, testSamples: 1 })).rejects.toThrow(`${p} line 3, column 2: "abc" is not a number`);
    const e = await load({ dataset: `csv:${p}`, samples: 1, testSamples: 1 }).catch((x: unknown) => x);
    expect((e as DatasetError).name).toBe("DatasetError");
    expect((e as DatasetError).line).toBe(3);
  });

  it("names a row with the wrong number of columns and a bad label", async () => {
    const p = csv("cols.csv", "1,2,0\n3,4,1,7\n");
    await expect(load({ dataset: `csv:${p}`, samples: 1, testSamples: 1 })).rejects.toThrow(`${p} line 2: 4 columns, but line 1 has 3`);
    const q = csv("label.csv", "1,2,0\n3,4,x\n");
    await expect(load({ dataset: `csv:${q}`, samples: 1, testSamples: 1 })).rejects.toThrow(`${q} line 2, column 3: label "x" is not an integer ≥ 0`);
  });

  it("names a missing file", async () => {
    await expect(load({ dataset: `csv:${join(dir, "nope.csv")}` })).rejects.toThrow(/nope\.csv: cannot read/);
  });
});

describe("label modes", () => {
  it("toy:2d is linearly separable with the class given by x0 + x1 > 1", async () => {
    const ds = await load({ dataset: "toy:2d", samples: 50, testSamples: 10 });
    expect(ds.numClasses).toBe(2);
    for (let i = 0; i < 50; i++) expect(ds.trainY[i]).toBe(ds.trainX[2 * i]! + ds.trainX[2 * i + 1]! > 1 ? 1 : 0);
  });

  it("random labels: fixed inputs, labels over C classes drawn from the seed", async () => {
    const a = await load({ dataset: "toy:2d", labels: "random", classes: 4, samples: 64, testSamples: 0 }, 1);
    const b = await load({ dataset: "toy:2d", labels: "random", classes: 4, samples: 64, testSamples: 0 }, 1);
    const c = await load({ dataset: "toy:2d", labels: "random", classes: 4, samples: 64, testSamples: 0 }, 2);
    expect(a.numClasses).toBe(4);
    expect(Array.from(a.trainY)).toEqual(Array.from(b.trainY));
    expect(Array.from(a.trainX)).toEqual(Array.from(c.trainX));
    expect(Array.from(a.trainY)).not.toEqual(Array.from(c.trainY));
    const counts = [0, 0, 0, 0];
    for (const y of a.trainY) counts[y]!++;
    expect(Math.min(...counts)).toBeGreaterThan(5);
    expect(Math.max(...a.trainY)).toBe(3);
  });

  it("teacher labels are a function of the input; teacher:p replaces exactly round(p·n) at random", async () => {
    const n = 1000;
    const t = await load({ dataset: "toy:2d", labels: "teacher", classes: 3, samples: n, testSamples: 0 }, 5);
    const noisy = await load({ dataset: "toy:2d", labels: "teacher:0.3", classes: 3, samples: n, testSamples: 0 }, 5);
    const used = new Set(t.trainY);
    expect(used.size).toBeGreaterThanOrEqual(2);
    let differ = 0;
    for (let i = 0; i < n; i++) if (t.trainY[i] !== noisy.trainY[i]) differ++;
    // 300 replaced, each by a uniform draw over 3 classes: about 200 differ, never more than 300.
    expect(differ).toBeLessThanOrEqual(300);
    expect(differ).toBeGreaterThan(150);
    // The teacher is deterministic given the seed's teacher network: the same input gets the same label.
    const again = await load({ dataset: "toy:2d", labels: "teacher", classes: 3, samples: n, testSamples: 0 }, 5);
    expect(Array.from(again.trainY)).toEqual(Array.from(t.trainY));
  });

  it("mnist:14x14 pools the package's digits to 196 inputs and splits 8,000/2,000", async () => {
    const ds = await load({ dataset: "mnist:14x14", samples: 8000, testSamples: 2000 });
    expect(ds.inputSize).toBe(196);
    expect(ds.trainY.length).toBe(8000);
    expect(ds.testY.length).toBe(2000);
    expect(ds.description).toMatch(/mnist package digits 14×14/);
    for (const v of ds.trainX.subarray(0, 196 * 10)) expect(v >= 0 && v <= 1).toBe(true);
  });

  it("unknown kinds are refused with the choices", async () => {
    await expect(load({ dataset: "foo:bar" })).rejects.toThrow(/unknown dataset kind "foo"/);
  });
});
