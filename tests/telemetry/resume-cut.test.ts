// A resume cuts the journal back to its checkpoint; InfluxDB, which may already hold the cut points, follows:
// the next shipper deletes them, the cut lines are kept in telemetry.cut.lp, and a push after a resume that
// shipped nothing starts from a line boundary. Real influxd, real journal, the public API.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTelemetry, type Telemetry } from "../../src/telemetry/index.js";
import { pushRun, telemetryStatus } from "../../src/telemetry/push.js";
import { cutJournalAfterEpoch } from "../../src/run/resume.js";
import { startInfluxd, type Influxd } from "./influxd.js";
import { databasePoints, journalPoints } from "./points.js";
import { writeRun } from "./journal-points.js";

let influxd: Influxd;
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "mhil-tlm-cut-"));
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

const device = "sim:reram?rows=4&cols=4";

/** Epochs `from`..`to` as a resumed run journals them: other values than the cut ones, `batches` per epoch. */
function redo(t: Telemetry, from: number, to: number, batches: number): void {
  for (let epoch = from; epoch <= to; epoch++) {
    for (let batch = 1; batch <= batches; batch++) t.trainBatch({ epoch, batch, loss: 0.25 / batch, accuracy: 0.9, totalJoules: 2e-12 * batch, pulses: 11 });
    t.trainEpoch({ epoch, totalJoules: 1e-11, trainAccuracy: 0.9, testAccuracy: 0.85, loss: 0.2, pulses: 11 * batches });
  }
}

async function createDb(name: string): Promise<string> {
  const r = await influxd.query(`CREATE DATABASE "${name}"`);
  expect(r.results[0]?.error).toBeUndefined();
  return `${influxd.baseUrl}/${name}`;
}

describe("journal cut on resume", () => {
  it("the resumed run's shipper deletes the cut points from InfluxDB: database and journal agree point for point", async () => {
    const url = await createDb("cut1");
    const runDir = tmp();
    const logs: string[] = [];
    const first = await openTelemetry({ runDir, runId: "run-cut-1", device, backend: "sim", influxUrl: url, log: (l) => logs.push(l) });
    await writeRun(first, { epochs: 3, batches: 4 });
    expect((await first.close()).pending).toBe(0);
    const shipped = await databasePoints(influxd, "cut1");

    const journalBefore = journalPoints(join(runDir, "telemetry.lp"));
    const removed = cutJournalAfterEpoch(runDir, 1);
    const kept = journalPoints(join(runDir, "telemetry.lp"));
    expect(removed).toBe(journalBefore.length - kept.length);
    expect(removed).toBeGreaterThan(0);
    // Nothing thrown away: the cut lines are kept beside the journal.
    expect(journalPoints(join(runDir, "telemetry.cut.lp"))).toEqual(journalBefore.slice(kept.length));
    expect(telemetryStatus(runDir).retractionsPending).toBe(1);

    const resumed = await openTelemetry({ runDir, runId: "run-cut-1", device, backend: "sim", influxUrl: url, log: (l) => logs.push(l) });
    redo(resumed, 2, 3, 3);
    expect((await resumed.close()).pending).toBe(0);

    const journal = journalPoints(join(runDir, "telemetry.lp"));
    const db = await databasePoints(influxd, "cut1");
    expect([...db].sort()).toEqual([...journal].sort());
    for (const p of journalBefore.slice(kept.length)) expect(db).not.toContain(p);
    expect(shipped.length).toBe(journalBefore.length); // the cut points had been in the database
    expect(existsSync(join(runDir, "telemetry.retract.json"))).toBe(false);
    expect(logs.some((l) => /deleted from .* the \d+ points of run run-cut-1 cut from the journal on resume/.test(l))).toBe(true);
  });

  it("a push after a resume that shipped nothing re-ships from a line boundary: no dead letters, the database equals the journal", async () => {
    const url = await createDb("cut2");
    const runDir = tmp();
    const first = await openTelemetry({ runDir, runId: "run-cut-2", device, backend: "sim", influxUrl: url, log: () => {} });
    await writeRun(first, { epochs: 3, batches: 4 });
    await first.close();
    cutJournalAfterEpoch(runDir, 1);

    // Resumed without --influx, journaling more than was cut: the old offset now lands inside a new line.
    const resumed = await openTelemetry({ runDir, runId: "run-cut-2", device, backend: "sim", log: () => {} });
    redo(resumed, 2, 3, 12);
    await resumed.close();

    const res = await pushRun({ runDir, influxUrl: url, batchSize: 5, log: () => {} });
    const journal = journalPoints(join(runDir, "telemetry.lp"));
    expect(res.complete).toBe(true);
    expect(res.counters).toEqual({ added: journal.length, written: journal.length, deadLettered: 0, dropped: 0, pending: 0 });
    expect(existsSync(join(runDir, "telemetry.deadletter.jsonl"))).toBe(false);
    expect([...(await databasePoints(influxd, "cut2"))].sort()).toEqual([...journal].sort());
    expect(readFileSync(join(runDir, "telemetry.cut.lp"), "utf8").trim().split("\n").length).toBeGreaterThan(0);
  });
});
