// Resume after a crash, through the compiled CLI: a run killed with SIGKILL at a random point and resumed
// (`mhil train --resume DIR`) ends where an uninterrupted run of the same seed ends: same final weights,
// same accuracy, ledger totals equal within float tolerance, the same telemetry keys (a redone epoch's points
// land on the killed attempt's). On crossbar weights the simulated device's state rides in the checkpoint, so
// E_learn and the total are the uninterrupted run's to the bit: no second characterisation, no reset counted
// twice; what the killed attempt spent after its checkpoint is reported beside the total.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const BIN = resolve("bin/mhil.js");
const work = mkdtempSync(join(tmpdir(), "mhil-survive-kill-"));
const env = { ...process.env, MHIL_STATE_DIR: join(work, "state") };
afterAll(() => { if (!process.env.KEEP_SURVIVE) rmSync(work, { recursive: true, force: true }); });
beforeAll(() => {
  if (!existsSync(resolve("dist/src/cli/main.js"))) throw new Error("dist/ is missing: run `npx tsc -p tsconfig.json` (npm test does)");
});

const EPOCHS = 10;
// Small and deterministic: a second or two a run.
const argsFor = (weights: string) => ["train", "--weights", weights, "--dataset", "mnist:7x7", "--samples", "300", "--test-samples", "50", "--epochs", String(EPOCHS), "--seed", "11", "--json", "--no-progress"];

const readDocs = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l)) : []);
/** The journal's distinct point keys: measurement and time from the run's origin (config.json), the last line of a key winning. */
const journalKeys = (dir: string) => {
  const origin = BigInt(Date.parse(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).created_iso) * 1000);
  const lines = readFileSync(join(dir, "telemetry.lp"), "utf8").split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  return [...new Set(lines.map((l) => `${l.slice(0, l.indexOf(","))}@${BigInt(l.slice(l.lastIndexOf(" ") + 1)) - origin}`))].sort();
};
const totalJoules = (snapshot: { byActivity: Record<string, { energy: Record<string, number> }> }) =>
  Object.values(snapshot.byActivity).reduce((a, e) => a + e.energy.cell + e.energy.halfSelected + e.energy.peripheral, 0);
const finalCheckpoint = (dir: string) => JSON.parse(readFileSync(join(dir, "checkpoints", `epoch-${EPOCHS}.json`), "utf8"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(["ideal", "crossbar"])("SIGKILL at a random point, then --resume (%s weights)", (weights) => {
  it("ends where the uninterrupted run of the same seed ends", async () => {
    const ARGS = argsFor(weights);
    const wholeOut = join(work, `whole-${weights}`);
    const whole = spawnSync(process.execPath, [BIN, ...ARGS, "--out", wholeOut], { encoding: "utf8", env, timeout: 120_000 });
    expect(whole.status, whole.stderr).toBe(0);
    const wholeSummary = JSON.parse(whole.stdout);

    // The random point: after k completed epochs (1 ≤ k ≤ EPOCHS/2) plus a random few milliseconds into the next.
    // On a loaded machine the run may finish before the kill lands: then try again at a new point (at most 3 times).
    let runDir = "";
    let where = "";
    for (let attempt = 1; attempt <= 3 && runDir === ""; attempt++) {
      const k = 1 + Math.floor(Math.random() * (EPOCHS / 2));
      const extraMs = Math.floor(Math.random() * 30);
      where = `killed after ${k} epochs + ${extraMs} ms (attempt ${attempt})`;
      const cutOut = join(work, `cut-${weights}-${attempt}`);
      const child = spawn(process.execPath, [BIN, ...ARGS, "--out", cutOut], { env, stdio: ["ignore", "ignore", "ignore"] });
      const exited = new Promise<NodeJS.Signals | number | null>((r) => child.once("exit", (code, sig) => r(sig ?? code)));
      let dir = "";
      try {
        for (;;) {
          if (child.exitCode !== null) break;
          const dirs = existsSync(cutOut) ? readdirSync(cutOut) : [];
          if (dirs.length === 1) {
            dir = join(cutOut, dirs[0]!);
            const events = readDocs(join(dir, "records.jsonl")).filter((d) => d.type === "event").length;
            if (events >= k) break;
          }
          await sleep(2);
        }
        await sleep(extraMs);
        child.kill("SIGKILL");
        const how = await exited;
        if (how === "SIGKILL") runDir = dir;
        else expect(how, where).toBe(0); // it finished first: fine, try again
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
    }
    expect(runDir, "a run was killed mid-way in one of 3 attempts").not.toBe("");
    const docsBefore = readDocs(join(runDir, "records.jsonl"));
    expect(docsBefore.filter((d) => d.type === "stop")).toEqual([]); // SIGKILL leaves no stop record
    const doneBefore = docsBefore.filter((d) => d.type === "event").length;
    // What the killed attempt spent after its last checkpoint, from its energy.json (the ledger as last saved).
    const spentAfter = totalJoules(JSON.parse(readFileSync(join(runDir, "energy.json"), "utf8")).snapshot) - totalJoules(JSON.parse(readFileSync(join(runDir, "checkpoints", `epoch-${doneBefore}.json`), "utf8")).ledger);
    expect(doneBefore, where).toBeGreaterThanOrEqual(1);
    expect(doneBefore, where).toBeLessThanOrEqual(EPOCHS); // a kill after the last event, before the stop record, still resumes

    const resumed = spawnSync(process.execPath, [BIN, "train", "--resume", runDir, "--json", "--no-progress"], { encoding: "utf8", env, timeout: 120_000 });
    expect(resumed.status, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout);

    // Same final weights (and RNG state) in the last checkpoint, same accuracy and bits.
    const a = finalCheckpoint(wholeSummary.run_dir);
    const b = finalCheckpoint(runDir);
    expect(b.session).toEqual(a.session);
    expect(b.rng).toEqual(a.rng);
    expect(summary.accuracy).toEqual(wholeSummary.accuracy);
    expect(summary.updates).toBe(wholeSummary.updates);
    // Ledger totals: the checkpoint's ledger plus the same answers in the same order, so equal to the bit.
    expect(summary.energy_joules.learning).toBe(wholeSummary.energy_joules.learning);
    expect(summary.energy_joules.total).toBe(wholeSummary.energy_joules.total);
    if (weights === "crossbar") expect(summary.energy_joules.learning).toBeGreaterThan(0);
    expect(summary.energy_joules.restore).toBe(0);
    for (const [act, j] of Object.entries(wholeSummary.energy_joules.by_activity as Record<string, number>)) {
      expect(Math.abs(summary.energy_joules.by_activity[act] - j), act).toBeLessThanOrEqual(1e-9 * Math.max(1e-30, Math.abs(j)) + 1e-18);
    }
    expect(summary.energy_joules.interrupted).toBeCloseTo(Math.max(0, spentAfter), 15);
    // Journal: the same keys as the uninterrupted run's; the killed epoch's lines stay, overwritten by the redone ones.
    expect(journalKeys(runDir)).toEqual(journalKeys(wholeSummary.run_dir));
    expect(readdirSync(runDir).filter((f) => /cut|retract/.test(f))).toEqual([]);
    // Records: one stop (success), a second start naming what it resumed, one event per epoch at the end.
    const docs = readDocs(join(runDir, "records.jsonl"));
    const starts = docs.filter((d) => d.type === "start");
    expect(starts).toHaveLength(2);
    expect(starts[1].resumed_from.checkpoint).toBe(`checkpoints/epoch-${doneBefore}.json`);
    expect(docs.filter((d) => d.type === "stop").map((d) => d.exit_status)).toEqual(["success"]);
    const epochsSeen = new Set(docs.filter((d) => d.type === "event").map((d) => d.data.epoch));
    expect([...epochsSeen].sort((x, y) => x - y)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
  });
});
