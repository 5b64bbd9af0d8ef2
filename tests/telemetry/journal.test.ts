// The journal: header, synchronous appends, a torn last line cut off on reopen, timestamps continuing above the last.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JOURNAL_HEADER, Journal, scanJournal } from "../../src/telemetry/journal.js";
import { openTelemetry } from "../../src/telemetry/index.js";
import { parseLine } from "../../src/telemetry/lineProtocol.js";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "mhil-journal-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("Journal", () => {
  it("starts with the header and appends whole lines, visible to a reader at once", () => {
    const dir = tmp();
    const j = Journal.open(dir);
    j.append("m v=1 10");
    // No close: what a crash right now would leave is already in the file.
    expect(readFileSync(join(dir, "telemetry.lp"), "utf8")).toBe(`${JOURNAL_HEADER}\nm v=1 10\n`);
    j.append("m v=2 11");
    j.close();
    expect(scanJournal(join(dir, "telemetry.lp"))).toMatchObject({ points: 2, lastTimestamp: 11 });
  });

  it("cuts off a torn last line on reopen, says so, and keeps every whole line", () => {
    const dir = tmp();
    const path = join(dir, "telemetry.lp");
    writeFileSync(path, `${JOURNAL_HEADER}\nm v=1 10\nm v=2 11\nm v=3`);
    const before = scanJournal(path);
    expect(before).toMatchObject({ points: 2, lastTimestamp: 11 });
    expect(before.fileBytes - before.completeBytes).toBe("m v=3".length);
    const logs: string[] = [];
    const j = Journal.open(dir, (l) => logs.push(l));
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/torn last line \(5 bytes/);
    expect(j.points()).toBe(2);
    j.append("m v=4 12");
    j.close();
    expect(readFileSync(path, "utf8")).toBe(`${JOURNAL_HEADER}\nm v=1 10\nm v=2 11\nm v=4 12\n`);
  });

  it("a reopened run continues its timestamps above the journal's last one (unique per series across restarts)", async () => {
    const dir = tmp();
    const path = join(dir, "telemetry.lp");
    const far = 4_000_000_000_000_000; // µs, far in the future: the wall clock is below it
    writeFileSync(path, `${JOURNAL_HEADER}\ntrain_batch,backend=sim,device=sim:,phase=train,run=r epoch=1i,batch=1i,loss=1,accuracy=0 ${far}\n`);
    appendFileSync(path, "train_batch,backend=sim,dev"); // torn
    const t = await openTelemetry({ runDir: dir, runId: "r", device: "sim:", backend: "sim", log: () => {} });
    t.trainBatch({ epoch: 1, batch: 2, loss: 0.5, accuracy: 0.5 });
    t.trainBatch({ epoch: 1, batch: 3, loss: 0.25, accuracy: 0.75 });
    await t.close();
    const lines = readFileSync(path, "utf8").trim().split("\n").slice(1);
    expect(lines.map((l) => Number(parseLine(l).timestamp))).toEqual([far, far + 1, far + 2]);
  });

  it("typed methods leave out non-finite values instead of failing the run", async () => {
    const dir = tmp();
    const t = await openTelemetry({ runDir: dir, runId: "r", device: "sim:", backend: "sim" });
    t.trainEpoch({ epoch: 2, loss: Number.NaN, trainAccuracy: 0.5, testAccuracy: null, pulses: 12 });
    expect(() => t.point("cal", { phase: "calibrate", cell: "3" } as never, { v: 1 })).toThrow(/tag cell is not allowed/);
    await t.close();
    const line = readFileSync(join(dir, "telemetry.lp"), "utf8").trim().split("\n")[1]!;
    expect(line).toMatch(/^train_epoch,backend=sim,device=sim:,phase=train,run=r epoch=2i,train_accuracy=0.5,pulses=12i \d+$/);
  });
});
