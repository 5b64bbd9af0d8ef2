// `mhil train --layers/--downsample` and a simulated array sized to the network (issue 19): the natural first try
// at full-size digits needs no config file, and a network larger than the default 64×64 array gets an array that
// holds it, said on stderr and recorded, unless the URI fixes the size. Through the compiled CLI.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sizeSimArray } from "../../src/backends/sim-array-size.js";
import { placeBlocks } from "../../src/train/placement.js";

const BIN = resolve("bin/mhil.js");
const work = mkdtempSync(join(tmpdir(), "mhil-train-net-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const mhil = (args: string[]) =>
  spawnSync(process.execPath, [BIN, "train", "--no-progress", "--out", "runs", ...args], { cwd: work, encoding: "utf8", env: { ...process.env, MHIL_STATE_DIR: join(work, "state") } });

describe("a simulated array sized to the network", () => {
  it("keeps the default 64×64 when the network fits, and a URI that names its size", () => {
    expect(sizeSimArray("sim:", [49, 16, 10])).toEqual({ uri: "sim:", resized: null });
    expect(sizeSimArray("sim:reram?rows=32&cols=32", [784, 500, 10])).toEqual({ uri: "sim:reram?rows=32&cols=32", resized: null });
    expect(sizeSimArray("serial:/dev/ttyACM0", [784, 500, 10]).resized).toBeNull();
  });

  it("otherwise the fewest cells that hold every layer's pairs, the squarer array on a tie, and no smaller one would", () => {
    const big = sizeSimArray("sim:taox?seed=2", [784, 500, 10]);
    expect(big).toEqual({ uri: "sim:taox?seed=2&rows=1024&cols=1024", resized: { rows: 1024, cols: 1024 } });
    expect(() => placeBlocks([784, 500, 10], 1024, 1024)).not.toThrow();
    expect(() => placeBlocks([784, 500, 10], 512, 1024)).toThrow(/does not fit/);
    expect(() => placeBlocks([784, 500, 10], 1024, 512)).toThrow(/does not fit/);
    // 64×1024 holds 196-100-10 too (same cells): the square one is chosen.
    expect(sizeSimArray("sim:", [196, 100, 10]).resized).toEqual({ rows: 256, cols: 256 });
    expect(() => placeBlocks([196, 100, 10], 64, 1024)).not.toThrow();
  });
});

describe("mhil train --layers and --downsample", () => {
  it("a network too large for the default array trains on one sized to it; stderr says so and the run records that URI", () => {
    const r = mhil(["--dataset", "mnist:14x14", "--layers", "100", "--samples", "20", "--test-samples", "10", "--epochs", "1", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("mhil: the simulated array is sized to the network 196-100-10: --device sim:?rows=256&cols=256 (name rows= and cols= to fix its size)\n");
    const summary = JSON.parse(r.stdout) as { device_uri: string; run_dir: string };
    expect(summary.device_uri).toBe("sim:?rows=256&cols=256");
    const config = JSON.parse(readFileSync(join(summary.run_dir, "config.json"), "utf8")) as { device_uri: string };
    expect(config.device_uri).toBe("sim:?rows=256&cols=256");
  });

  it("bad values: one line naming the flag, exit 2, no run directory", () => {
    const bad = [
      { args: ["--layers", "500,x"], line: 'mhil: --layers 500,x: "x" is not a layer size (integers ≥ 1, comma-separated, or none)\n' },
      { args: ["--layers", "0"], line: 'mhil: --layers 0: "0" is not a layer size (integers ≥ 1, comma-separated, or none)\n' },
      { args: ["--dataset", "mnist:7x7", "--downsample", "14x14"], line: "mhil: --downsample 14x14: --dataset mnist:7x7 already sets 7x7; name one (e.g. --dataset mnist --downsample 14x14)\n" },
    ];
    for (const b of bad) {
      const r = mhil(b.args);
      expect({ status: r.status, stderr: r.stderr }, b.args.join(" ")).toEqual({ status: 2, stderr: b.line });
    }
    const choice = mhil(["--downsample", "5x5"]);
    expect(choice.status).toBe(2);
    expect(choice.stderr).toMatch(/--downsample.*5x5.*none, 14x14, 7x7/);
  });

  it("full-size digits with no config file: 784-500-10 on ideal weights reaches ≥ 92% test accuracy in 3 epochs", () => {
    const r = mhil(["--dataset", "mnist", "--downsample", "none", "--layers", "500", "--weights", "ideal", "--epochs", "3", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as { accuracy: { test: number }; run_dir: string };
    const { config } = JSON.parse(readFileSync(join(s.run_dir, "config.json"), "utf8")) as { config: { samples: number; testSamples: number; layers: number[]; downsample: string } };
    expect(config).toMatchObject({ samples: 8000, testSamples: 2000, layers: [500], downsample: "none" });
    expect(s.accuracy.test).toBeGreaterThanOrEqual(0.92);
  });
});
