// Wear budget through the compiled CLI: per-cell pulse counts persist per device serial across `mhil train`
// runs (in --state-dir, else $MHIL_STATE_DIR), a cell near its endurance warns (and is recorded), a cell past
// it is refused in one line unless --allow-worn.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readDocs } from "./helpers.js";

const BIN = resolve("bin/mhil.js");
const work = mkdtempSync(join(tmpdir(), "mhil-survive-wear-"));
// Never the home folder: the default state dir is pointed into the temp dir too.
const env = { ...process.env, MHIL_STATE_DIR: join(work, "default-state") };
afterAll(() => rmSync(work, { recursive: true, force: true }));
beforeAll(() => {
  if (!existsSync(resolve("dist/src/cli/main.js"))) throw new Error("dist/ is missing: run `npx tsc -p tsconfig.json` (npm test does)");
});

const DEVICE = "sim:reram?rows=32&cols=32&seed=5";
const SERIAL = "sim-reram-32x32-seed5";
const ENDURANCE = 1e9; // the reram preset's endurancePulses
const ARGS = ["train", "--weights", "crossbar", "--device", DEVICE, "--dataset", "toy:2d", "--samples", "60", "--test-samples", "20", "--epochs", "2", "--seed", "3", "--json", "--no-progress"];
const mhil = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env, timeout: 120_000 });
const readWear = (stateDir: string) => JSON.parse(readFileSync(join(stateDir, "wear", `${SERIAL}.json`), "utf8")) as { serial: string; pulses: number[]; rows: number; cols: number };
const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);

describe("wear counts across runs", () => {
  it("two runs on the same simulated serial: the second adds to the first's counts, cell by cell", () => {
    const state = join(work, "state");
    const r1 = mhil([...ARGS, "--out", join(work, "runs"), "--state-dir", state]);
    expect(r1.status, r1.stderr).toBe(0);
    const w1 = readWear(state);
    expect(w1.serial).toBe(SERIAL);
    expect(w1.pulses).toHaveLength(32 * 32);
    expect(sum(w1.pulses)).toBeGreaterThan(0);
    const r2 = mhil([...ARGS, "--out", join(work, "runs"), "--state-dir", state]);
    expect(r2.status, r2.stderr).toBe(0);
    const w2 = readWear(state);
    // Same seed, same fresh simulated device: run 2 pulses exactly what run 1 did, on top of it.
    expect(w2.pulses).toEqual(w1.pulses.map((p) => 2 * p));
    expect(existsSync(join(work, "default-state"))).toBe(false); // --state-dir wins over MHIL_STATE_DIR
  });

  it("without --state-dir the counts go under $MHIL_STATE_DIR/wear", () => {
    const r = mhil([...ARGS, "--out", join(work, "runs-default")]);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(join(work, "default-state", "wear"))).toEqual([`${SERIAL}.json`]);
    expect(sum(readWear(join(work, "default-state")).pulses)).toBeGreaterThan(0);
  });

  it("near the endurance: a warning on stderr and a device event; past it: refused in one line, unless --allow-worn", () => {
    const state = join(work, "worn");
    const fresh = mhil([...ARGS, "--out", join(work, "runs-worn"), "--state-dir", state]);
    expect(fresh.status, fresh.stderr).toBe(0);
    const rec = readWear(state);
    const file = join(state, "wear", `${SERIAL}.json`);
    // One used cell at 90% of its endurance: warned, not refused.
    const used = rec.pulses.findIndex((p) => p > 0);
    const near = { ...rec, pulses: rec.pulses.map((p, i) => (i === used ? 0.9 * ENDURANCE : 0)) };
    writeFileSync(file, JSON.stringify(near));
    const warned = mhil([...ARGS, "--out", join(work, "runs-warned"), "--state-dir", state]);
    expect(warned.status, warned.stderr).toBe(0);
    expect(warned.stderr).toMatch(new RegExp(`warning: wear: the most-worn cell of ${SERIAL} has 900000000 pulses, 90% of its endurance`));
    const dir = join(work, "runs-warned", readdirSync(join(work, "runs-warned"))[0]!);
    const deviceEvents = readDocs(join(dir, "records.jsonl")).filter((d) => d.type === "event" && d.data.kind !== undefined);
    expect(deviceEvents.map((d) => d.data.kind)).toEqual(["wear_warning"]);
    // The same cell one pulse short of the endurance: the first batch that reaches it is refused, nothing applied.
    writeFileSync(file, JSON.stringify({ ...near, pulses: near.pulses.map((p) => (p > 0 ? ENDURANCE - 1 : 0)) }));
    const refused = mhil([...ARGS, "--out", join(work, "runs-refused"), "--state-dir", state]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/wear budget: cell \(row \d+, col \d+\) would reach \d+ pulses, past its endurance of 1000000000; nothing was applied \(override with --allow-worn/);
    expect(refused.stderr).not.toMatch(/\n\s+at /); // one line, no stack
    const allowed = mhil([...ARGS, "--out", join(work, "runs-allowed"), "--state-dir", state, "--allow-worn"]);
    expect(allowed.status, allowed.stderr).toBe(0);
    expect(readWear(state).pulses[used]).toBeGreaterThan(ENDURANCE); // still counted
  });
});
