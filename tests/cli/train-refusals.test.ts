// `mhil train` refusing what a new user tries first (issue 19): a device too small for the network, update pulses
// too weak to switch the device, flag values below what the config allows. One line each, no stack, no run
// directory. Through the compiled CLI.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const BIN = resolve("bin/mhil.js");
const work = mkdtempSync(join(tmpdir(), "mhil-train-refusals-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const env = { ...process.env, MHIL_STATE_DIR: join(work, "state") };
const mhil = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: "utf8", timeout: 120_000, env: { ...env, ...extraEnv } });
const outcome = (r: { status: number | null; stderr: string }) => ({ status: r.status, stderr: r.stderr });
const runDirs = (out: string) => (existsSync(join(work, out)) ? readdirSync(join(work, out)) : []);

describe("mhil train: a device too small, a device that does not switch", () => {
  it("a 4×4 device: one line naming the network's size and the device's, exit 2, no run directory", () => {
    // The default network has no hidden layer to narrow (src/run/network-fit.ts): 49-10 needs 49 × 20 cells.
    const r = mhil(["train", "--device", "sim:reram?rows=4&cols=4", "--no-progress", "--out", "small"]);
    expect(outcome(r)).toEqual({
      status: 2,
      stderr:
        "mhil: network 49-10 does not fit on a 4×4 crossbar (--device sim:reram?rows=4&cols=4): its weights need 980 cells as conductance pairs; " +
        "use a larger device (sim:PRESET?rows=&cols=) or data with fewer inputs or classes\n",
    });
    expect(runDirs("small")).toEqual([]);
  });

  it("update pulses too weak to switch: one line with what was measured and what to try, exit 1, no stack, no run directory", () => {
    writeFileSync(join(work, "weak.json"), JSON.stringify({ dataset: "toy:2d", samples: 40, testSamples: 10, crossbar: { setVolts: 0.05 } }));
    const r = mhil(["train", "--config", "weak.json", "--device", "sim:reram?rows=32&cols=32", "--no-progress", "--out", "weak"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^mhil: the device \(--device sim:reram\?rows=32&cols=32\) did not switch when training characterised the array: range [\d.e-]+ S, step 0 S per pulse at 0\.05 V, [\d.e-]+ s; try stronger or longer update pulses \(crossbar\.setVolts, crossbar\.pulseWidthSeconds in a --config file, within the limits `mhil devices` lists\), or measure the device with `mhil calibrate --device sim:reram\?rows=32&cols=32`\n$/,
    );
    expect(runDirs("weak")).toEqual([]);
  });
});

describe("mhil train: flag values", () => {
  it("not an integer and below the schema's minimum are refused alike, naming the flag, exit 2", () => {
    expect(outcome(mhil(["train", "--epochs", "abc", "--out", "flags"]))).toEqual({ status: 2, stderr: "mhil: --epochs abc: must be an integer\n" });
    expect(outcome(mhil(["train", "--epochs", "-1", "--out", "flags"]))).toEqual({ status: 2, stderr: "mhil: --epochs -1: must be an integer ≥ 1\n" });
    expect(outcome(mhil(["train", "--classes", "1", "--out", "flags"]))).toEqual({ status: 2, stderr: "mhil: --classes 1: must be an integer ≥ 2\n" });
    expect(outcome(mhil(["train", "--samples", "100", "--test-samples", "-3", "--out", "flags"]))).toEqual({ status: 2, stderr: "mhil: --test-samples -3: must be an integer ≥ 0\n" });
    expect(runDirs("flags")).toEqual([]);
  });
});
