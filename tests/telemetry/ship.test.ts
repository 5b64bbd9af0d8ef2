// Journal → real influxd: the points in InfluxDB equal the journal's, point for point; re-shipping is idempotent.
// (A killed and resumed run: tests/telemetry/resume-influx.test.ts.)
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTelemetry } from "../../src/telemetry/index.js";
import { pushRun, telemetryStatus } from "../../src/telemetry/push.js";
import { startInfluxd, type Influxd } from "./influxd.js";
import { databasePoints, journalPoints } from "./points.js";
import { runPointCount, writeRun } from "./journal-points.js";

let influxd: Influxd;
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "mhil-tlm-"));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  influxd = await startInfluxd();
});
afterAll(async () => {
  await influxd?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function createDb(name: string): Promise<void> {
  const r = await influxd.query(`CREATE DATABASE "${name}"`);
  expect(r.results[0]?.error).toBeUndefined();
}

describe("shipping to a real influxd", () => {
  it("a journal written by the API and pushed: InfluxDB holds exactly the journal's points", async () => {
    await createDb("push1");
    const runDir = tmp();
    const logs: string[] = [];
    const t = await openTelemetry({ runDir, runId: "run-push-1", device: "sim:reram?rows=4&cols=4", backend: "sim", log: (l) => logs.push(l) });
    const shape = { epochs: 3, batches: 5 };
    await writeRun(t, shape);
    const closed = await t.close();
    expect(closed).toEqual({ added: runPointCount(shape), written: 0, deadLettered: 0, dropped: 0, pending: runPointCount(shape) });

    const res = await pushRun({ runDir, influxUrl: `${influxd.baseUrl}/push1`, batchSize: 7, log: (l) => logs.push(l) });
    expect(res.complete).toBe(true);
    expect(res.counters).toEqual({ added: runPointCount(shape), written: runPointCount(shape), deadLettered: 0, dropped: 0, pending: 0 });

    const journal = journalPoints(join(runDir, "telemetry.lp"));
    expect(journal).toHaveLength(runPointCount(shape));
    const db = await databasePoints(influxd, "push1");
    expect([...db].sort()).toEqual([...journal].sort());
    expect(telemetryStatus(runDir).counters).toEqual(res.counters);

    // Re-shipping from the start changes nothing in the database: the same timestamps overwrite the same points.
    const again = await pushRun({ runDir, influxUrl: `${influxd.baseUrl}/push1`, fromStart: true, batchSize: 4 });
    expect(again.counters.written).toBe(runPointCount(shape));
    expect([...(await databasePoints(influxd, "push1"))].sort()).toEqual([...journal].sort());
    expect(logs).toEqual([]);
  });

  it("live: with influxUrl the points ship while they are appended, and close() flushes the rest", async () => {
    await createDb("live1");
    const runDir = tmp();
    const logs: string[] = [];
    const t = await openTelemetry({ runDir, runId: "run-live-1", device: "sim:", backend: "sim", influxUrl: `${influxd.baseUrl}/live1`, batchSize: 10, flushIntervalMs: 50, log: (l) => logs.push(l) });
    const shape = { epochs: 4, batches: 6, epochGapMs: 30 };
    await writeRun(t, shape);
    const c = await t.close();
    expect(c).toEqual({ added: runPointCount(shape), written: runPointCount(shape), deadLettered: 0, dropped: 0, pending: 0 });
    const journal = journalPoints(join(runDir, "telemetry.lp"));
    expect([...(await databasePoints(influxd, "live1"))].sort()).toEqual([...journal].sort());
    expect(JSON.parse(readFileSync(join(runDir, "telemetry.offset.json"), "utf8"))).toMatchObject({ written: runPointCount(shape), deadLettered: 0 });
    expect(logs).toEqual([]);
  });

  it("a malformed line is dead-lettered with the server's reason; the good lines of its batch are written", async () => {
    await createDb("dl1");
    const runDir = tmp();
    const t = await openTelemetry({ runDir, runId: "run-dl-1", device: "sim:", backend: "sim" });
    t.point("probe", { phase: "calibrate" }, { volts: 0.5 });
    t.point("probe", { phase: "calibrate" }, { volts: 0.25 });
    // A field whose type conflicts with the first point's: InfluxDB refuses it (400 field type conflict).
    t.point("probe", { phase: "calibrate" }, { volts: "high" });
    t.point("probe", { phase: "calibrate" }, { volts: 0.125 });
    await t.close();
    const logs: string[] = [];
    const res = await pushRun({ runDir, influxUrl: `${influxd.baseUrl}/dl1`, batchSize: 100, log: (l) => logs.push(l) });
    expect(res.complete).toBe(true);
    expect(res.counters).toEqual({ added: 4, written: 3, deadLettered: 1, dropped: 0, pending: 0 });
    const dead = readFileSync(join(runDir, "telemetry.deadletter.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { status: number; reason: string; line: string });
    expect(dead).toHaveLength(1);
    expect(dead[0]!.status).toBe(400);
    expect(dead[0]!.reason).toContain("field type conflict");
    expect(dead[0]!.line).toContain('volts="high"');
    const r = await influxd.query(`SELECT count(volts) FROM probe`, "dl1");
    expect(r.results[0]?.series?.[0]?.values[0]?.[1]).toBe(3);
    expect(logs.join("\n")).toContain("rejected 1 of 4 points");
  });
});
