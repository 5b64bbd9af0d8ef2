// A run killed with SIGKILL mid-epoch while shipping live to a real influxd, then resumed: InfluxDB holds exactly
// the points of an uninterrupted run of the same seed (same keys, same count, same figures). The killed epoch's
// points, already shipped, are overwritten by the redone epoch's (their keys are (run, epoch, batch)); nothing
// is cut from the journal and nothing is deleted from the database (no telemetry.cut.lp, no retraction file).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInfluxd, type Influxd } from "./influxd.js";
import { databaseRows, journalPoints, type StoredPoint } from "./points.js";

let influxd: Influxd;
const work = mkdtempSync(join(tmpdir(), "mhil-tlm-resume-"));
const children = new Set<ChildProcess>();
beforeAll(async () => {
  if (!existsSync(resolve("dist/src/run/train-run.js"))) throw new Error("dist/ is missing: run `npx tsc -p tsconfig.json` (npm test does)");
  influxd = await startInfluxd();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await influxd?.stop();
  rmSync(work, { recursive: true, force: true });
});

// The compiled run and telemetry (npm test builds dist/ first), shipping every 5 ms: a training process that can
// be killed at the level a kill happens. 6 epochs of 30 batches on the simulated crossbar, each batch's pulses
// taking 3 ms as on a slow link, so the shipper keeps up with training and a kill finds an epoch half shipped.
const CHILD = join(work, "train.mjs");
const dist = (m: string) => JSON.stringify(resolve("dist/src", m));
writeFileSync(
  CHILD,
  `import { join } from "node:path";
import { runTraining } from ${dist("run/train-run.js")};
import { readResumePoint } from ${dist("run/resume.js")};
import { runTelemetryFactory } from ${dist("telemetry/runAdapter.js")};
import { parseTrainConfig } from ${dist("train/config.js")};
import { CrossbarDecorator } from ${dist("hal/crossbar-decorator.js")};
import { parseDeviceUri } from ${dist("hal/uri.js")};
import { simCrossbarFromUri } from ${JSON.stringify(resolve("dist/sim/crossbar/open.js"))};
class SlowLink extends CrossbarDecorator {
  async program(pulses) {
    await new Promise((r) => setTimeout(r, 3));
    return this.inner.program(pulses);
  }
}
const [mode, out, name, influxUrl] = process.argv.slice(2);
const config = parseTrainConfig({ dataset: "toy:2d", samples: 300, testSamples: 20, layers: [16], learningRates: [0.2, 0.1], batchSize: 10, epochs: 6, seed: 4, weights: "crossbar", persistentParticles: false }, "test");
const telemetry = runTelemetryFactory({ influxUrl, batchSize: 1000, flushIntervalMs: 5, log: () => {} });
const device = "sim:reram?rows=32&cols=32&seed=5";
const resume = mode === "resume" ? { resume: readResumePoint(join(out, name)) } : {};
await runTraining({ config, deviceUri: device, crossbar: new SlowLink(simCrossbarFromUri(parseDeviceUri(device))), outDir: out, runDirName: name, telemetry, ...resume });
`,
);

function train(mode: "new" | "resume", name: string, db: string): ChildProcess {
  const child = spawn(process.execPath, [CHILD, mode, work, name, `${influxd.baseUrl}/${db}`], { stdio: ["ignore", "ignore", "inherit"] });
  children.add(child);
  return child;
}
const exited = (c: ChildProcess) => new Promise<number | string | null>((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.signalCode ?? c.exitCode) : c.once("exit", (code, sig) => r(sig ?? code))));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Epochs committed in the run's records (one primary event each). */
const committed = (dir: string) =>
  existsSync(join(dir, "records.jsonl")) ? readFileSync(join(dir, "records.jsonl"), "utf8").split("\n").filter((l) => l.includes('"type":"event"') && l.includes('"checkpoint"')).length : 0;

async function maxShippedEpoch(db: string): Promise<number> {
  const r = await influxd.query("SELECT max(epoch) FROM train_batch", db);
  return Number(r.results[0]?.series?.[0]?.values[0]?.[1] ?? 0);
}

/**
 * A point's key and figures with the run's own identity taken out: its time from the run's origin (config.json
 * created_iso) and the tags but `run`; the fields but wall time and host energy (they differ between two runs).
 */
function normalized(p: StoredPoint, originMicros: number): { key: string; fields: Record<string, unknown> } {
  const { run: _run, ...tags } = p.tags;
  const { wall_seconds: _w, host_cpu_joules_so_far: _h, ...fields } = p.fields;
  return { key: `${p.measurement}|${JSON.stringify(tags)}|${BigInt(p.time) - BigInt(originMicros)}`, fields };
}

async function runPoints(db: string, runDir: string) {
  const origin = Date.parse(JSON.parse(readFileSync(join(runDir, "config.json"), "utf8")).created_iso) * 1000;
  const rows = await databaseRows(influxd, db);
  return { rows, byKey: new Map(rows.map((p) => [normalized(p, origin).key, normalized(p, origin).fields])) };
}

describe("a run killed while shipping and resumed, in a real influxd", () => {
  it("InfluxDB ends with exactly the uninterrupted run's points: same keys, same count, same figures", async () => {
    await influxd.query('CREATE DATABASE "whole"');
    expect(await exited(train("new", "whole", "whole"))).toBe(0);

    // Kill when InfluxDB already holds points of an epoch the records have not committed; then those points
    // are stale after the kill (shipped, never checkpointed). A run that finishes that epoch first is tried again.
    let killedDir = "";
    let db = "";
    let stale = 0;
    for (let attempt = 1; attempt <= 5 && killedDir === ""; attempt++) {
      db = `killed${attempt}`;
      await influxd.query(`CREATE DATABASE "${db}"`);
      const name = `killed-${attempt}`;
      const dir = join(work, name);
      const child = train("new", name, db);
      while (child.exitCode === null) {
        const shipped = await maxShippedEpoch(db);
        if (shipped >= 2 && shipped > committed(dir)) {
          child.kill("SIGKILL");
          break;
        }
        await sleep(2);
      }
      if ((await exited(child)) !== "SIGKILL") continue;
      const resumeFrom = committed(dir);
      const r = await influxd.query(`SELECT count(loss) FROM train_batch WHERE epoch > ${resumeFrom}`, db);
      stale = Number(r.results[0]?.series?.[0]?.values[0]?.[1] ?? 0);
      if (stale > 0) killedDir = dir;
    }
    expect(killedDir, "a run was killed with shipped points past its last checkpoint in one of 5 attempts").not.toBe("");

    const resumed = train("resume", killedDir.slice(work.length + 1), db);
    expect(await exited(resumed)).toBe(0);

    const whole = await runPoints("whole", join(work, "whole"));
    const again = await runPoints(db, killedDir);
    expect(again.rows).toHaveLength(whole.rows.length);
    expect([...again.byKey.keys()].sort()).toEqual([...whole.byKey.keys()].sort());
    // The same figures at every key (the simulated device rides in the checkpoint): the stale points were overwritten.
    for (const [key, fields] of whole.byKey) {
      const other = again.byKey.get(key)!;
      expect(Object.keys(other).sort(), key).toEqual(Object.keys(fields).sort());
      for (const [f, v] of Object.entries(fields)) {
        if (typeof v === "number") expect(Math.abs((other[f] as number) - v), `${key} ${f}`).toBeLessThanOrEqual(1e-9 * Math.abs(v) + 1e-21);
        else expect(other[f], `${key} ${f}`).toEqual(v);
      }
    }
    // One run tag for both attempts; the journal kept the killed attempt's lines, the database one point per key.
    expect(new Set(again.rows.map((p) => p.tags.run)).size).toBe(1);
    expect(journalPoints(join(killedDir, "telemetry.lp")).length).toBeGreaterThan(again.rows.length);
    expect(readdirSync(killedDir).filter((f) => /cut|retract/.test(f))).toEqual([]);
    const records = readFileSync(join(killedDir, "records.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(records.filter((d) => d.type === "start").map((d) => d.run_id)).toEqual([again.rows[0]!.tags.run, again.rows[0]!.tags.run]);
  });
});
