// Tests never touch the user's state. The global setup gives every test process MHIL_STATE_DIR = a temporary
// directory and fingerprints the user's own directory, which its teardown compares. Here: the variable really
// reaches test processes, and a device-opening command run the way tests run it (the suite's environment, no
// --state-dir) leaves a pre-seeded user state byte for byte unchanged while it does write wear (into the suite's
// directory). The same command without the suite's variable writes into that seeded state: the fingerprint sees
// such a write, so "unchanged" is a real check.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { treeFingerprint, userStateDir } from "./state-dir.js";

const BIN = resolve("bin/mhil.js");
// A device only this file pulses, so its wear file tells this file's command apart from every other test's.
const DEVICE = "sim:reram?rows=8&cols=8&seed=9071";
const SERIAL = "sim-reram-8x8-seed9071";
const work = mkdtempSync(join(tmpdir(), "mhil-state-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A home directory whose default state dir holds a wear record for the device and a note of the user's own. */
function seededHome(name: string): { home: string; state: string } {
  const home = join(work, name);
  const state = join(home, ".local", "state", "memristor-hil");
  mkdirSync(join(state, "wear"), { recursive: true });
  const pulses = new Array(64).fill(0);
  pulses[9] = 1234;
  writeFileSync(join(state, "wear", `${SERIAL}.json`), JSON.stringify({ schema: "memristor-hil/wear", version: 1, serial: SERIAL, model: "sim:reram", rows: 8, cols: 8, pulses, updated: "2025-01-01T00:00:00.000Z" }) + "\n");
  writeFileSync(join(state, "notes.txt"), "the user's own file\n");
  return { home, state };
}

/** `mhil train` on a crossbar (it opens the device and counts wear), with `env`. */
function trainWithEnv(env: NodeJS.ProcessEnv, out: string): void {
  const config = join(work, "tiny.json");
  writeFileSync(config, JSON.stringify({ dataset: "toy:2d", layers: [4], samples: 10, testSamples: 5, epochs: 1, batchSize: 5, seed: 3, weights: "crossbar" }));
  const args = [BIN, "train", "--config", config, "--device", DEVICE, "--out", out, "--json"];
  const r = spawnSync(process.execPath, args, { env, encoding: "utf8", timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
}

const wearPulses = (dir: string): number => {
  const file = join(dir, "wear", `${SERIAL}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")).pulses as number[]).reduce((a, b) => a + b, 0) : 0;
};

describe("tests never touch the user's state", () => {
  it("every test process runs with MHIL_STATE_DIR = the suite's own temporary directory, not the user's", () => {
    const suite = inject("suiteStateDir");
    expect(process.env.MHIL_STATE_DIR).toBe(suite);
    expect(suite.startsWith(tmpdir())).toBe(true);
    expect(resolve(suite)).not.toBe(resolve(inject("userStateDir")));
    expect(userStateDir(process.env)).toBe(suite);
  });

  it("a device-opening command run as tests run it leaves a pre-seeded user state byte for byte unchanged, and writes its wear into the suite's directory", () => {
    const { home, state } = seededHome("home-suite-env");
    const before = treeFingerprint(state);
    const suitePulses = wearPulses(inject("suiteStateDir"));
    // The suite's environment as every test's child process gets it, with this seeded home as the user's.
    const env = { ...process.env, HOME: home };
    delete env.XDG_STATE_HOME;
    trainWithEnv(env, join(work, "runs-suite-env"));
    expect(treeFingerprint(state)).toEqual(before);
    expect(wearPulses(inject("suiteStateDir")), "the command did count wear, in the suite's directory").toBeGreaterThan(suitePulses);
  });

  it("without the suite's MHIL_STATE_DIR the same command writes into the seeded state: the fingerprint sees it", () => {
    const { home, state } = seededHome("home-no-env");
    const copy = join(work, "seed-copy");
    cpSync(state, copy, { recursive: true });
    const before = treeFingerprint(state);
    expect(treeFingerprint(copy).digest).toBe(before.digest); // the fingerprint is of the bytes, not the path
    const env = { ...process.env, HOME: home };
    delete env.MHIL_STATE_DIR;
    delete env.XDG_STATE_HOME;
    trainWithEnv(env, join(work, "runs-no-env"));
    expect(treeFingerprint(state).digest).not.toBe(before.digest);
    expect(wearPulses(state)).toBeGreaterThan(1234);
  });
});
