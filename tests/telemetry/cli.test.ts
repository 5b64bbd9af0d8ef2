// End to end through the compiled CLI (dist/, built by `npm test`): `mhil train --influx` against a real influxd
// puts exactly the journal's points in InfluxDB; `mhil telemetry status` and `push` report and re-ship them.
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startInfluxd, type Influxd } from "./influxd.js";
import { databasePoints, journalPoints } from "./points.js";
import { IntegerField, parseLine } from "../../src/telemetry/lineProtocol.js";

const run = promisify(execFile);
const mhil = resolve("bin/mhil.js");
let influxd: Influxd;
let out: string;

/** Runs mhil; resolves with exit code, stdout and stderr (a non-zero exit does not throw). */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run("node", [mhil, ...args], { env: { ...process.env, INFLUX_USERNAME: "", INFLUX_PASSWORD: "", ...env }, maxBuffer: 1 << 24 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === "number" ? x.code : 1, stdout: x.stdout ?? "", stderr: x.stderr ?? "" };
  }
}

const TINY = ["--weights", "ideal", "--dataset", "toy:2d", "--samples", "40", "--test-samples", "20", "--epochs", "3", "--seed", "7", "--json", "--no-progress"];

beforeAll(async () => {
  influxd = await startInfluxd();
  out = mkdtempSync(join(tmpdir(), "mhil-cli-tlm-"));
});
afterAll(async () => {
  await influxd?.stop();
  if (out) rmSync(out, { recursive: true, force: true });
});

describe("mhil train --influx and mhil telemetry", () => {
  it("train --influx: the points in InfluxDB equal the journal's, point for point", async () => {
    await influxd.query('CREATE DATABASE "train1"');
    const runs = join(out, "runs1");
    const r = await cli(["train", ...TINY, "--out", runs, "--influx", `${influxd.baseUrl}/train1`]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [runName] = readdirSync(runs);
    const runDir = join(runs, runName!);
    const journal = journalPoints(join(runDir, "telemetry.lp"));
    // 3 epochs of 4 batches (40 samples, batch size 10), one epoch point each, one bits point.
    expect(journal.filter((p) => p.startsWith("train_batch|"))).toHaveLength(12);
    expect(journal.filter((p) => p.startsWith("train_epoch|"))).toHaveLength(3);
    expect(journal.filter((p) => p.startsWith("bits|"))).toHaveLength(1);
    const db = await databasePoints(influxd, "train1");
    expect([...db].sort()).toEqual([...journal].sort());

    const status = await cli(["telemetry", "status", runDir, "--json"]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).counters).toEqual({ added: journal.length, written: journal.length, deadLettered: 0, dropped: 0, pending: 0 });
  });

  it("a crossbar run's journal gives each batch its pulses, and they add up to each epoch's", async () => {
    const runs = join(out, "runs-xbar");
    const r = await cli(["train", "--device", "sim:reram?rows=32&cols=40&seed=3", "--weights", "crossbar", "--dataset", "toy:2d", "--samples", "40", "--test-samples", "20", "--epochs", "2", "--seed", "7", "--json", "--no-progress", "--out", runs, "--state-dir", join(out, "state")]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const [runName] = readdirSync(runs);
    const lines = readFileSync(join(runs, runName!, "telemetry.lp"), "utf8").trim().split("\n");
    const fields = (l: string) => Object.fromEntries(Object.entries(parseLine(l).fields).map(([k, v]) => [k, v instanceof IntegerField ? v.value : v]));
    const batches = lines.filter((l) => l.startsWith("train_batch,")).map(fields);
    const epochs = lines.filter((l) => l.startsWith("train_epoch,")).map(fields);
    expect(epochs).toHaveLength(2);
    for (const e of epochs) {
      const sum = batches.filter((b) => b.epoch === e.epoch).reduce((a, b) => a + (b.pulses as number), 0);
      expect(e.pulses as number).toBeGreaterThan(0);
      expect(sum).toBe(e.pulses);
    }
    expect(batches[batches.length - 1]!.pulses_total).toBe(epochs.reduce((a, e) => a + (e.pulses as number), 0));
  });

  it("telemetry push ships a run trained without --influx; status shows the counters before and after", async () => {
    await influxd.query('CREATE DATABASE "push2"');
    const runs = join(out, "runs2");
    expect((await cli(["train", ...TINY, "--out", runs])).code).toBe(0);
    const runDir = join(runs, readdirSync(runs)[0]!);
    const n = journalPoints(join(runDir, "telemetry.lp")).length;

    const before = await cli(["telemetry", "status", runDir]);
    expect(before.stdout).toMatch(new RegExp(`added +${n}\\nwritten +0\\ndead-lettered +0\\ndropped +0\\npending +${n}`));

    const wrongDb = await cli(["telemetry", "push", runDir, "--influx", `${influxd.baseUrl}/nope`]);
    expect(wrongDb.code).toBe(1);
    expect(wrongDb.stderr).toContain("answered 404 (database not found");
    expect(wrongDb.stderr).toContain(`telemetry push: ${n} points not shipped`);

    const push = await cli(["telemetry", "push", runDir, "--influx", `${influxd.baseUrl}/push2`]);
    expect({ code: push.code, stderr: push.stderr }).toEqual({ code: 0, stderr: "" });
    expect(push.stdout).toBe(`added ${n}, written ${n}, dead-lettered 0, dropped 0, pending 0\n`);
    expect([...(await databasePoints(influxd, "push2"))].sort()).toEqual([...journalPoints(join(runDir, "telemetry.lp"))].sort());

    const after = await cli(["telemetry", "status", runDir]);
    expect(after.stdout).toMatch(new RegExp(`added +${n}\\nwritten +${n}\\ndead-lettered +0\\ndropped +0\\npending +0`));
  });

  it("a bad --influx URL is refused before the run starts (no run directory)", async () => {
    const runs = join(out, "runs3");
    const r = await cli(["train", ...TINY, "--out", runs, "--influx", "http://localhost:8086"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe("mhil: --influx http://localhost:8086: the path must be exactly the database name, as in http://HOST:8086/DATABASE\n");
    expect(() => readdirSync(runs)).toThrow(/ENOENT/);
  });
});
