// records.jsonl documents are linked by the start uid; the stop is written exactly once, even on process exit.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { RunRecords } from "../../src/run/records.js";
import { createRunDir, MetricsCsv, runDirName, writeJsonFile } from "../../src/run/run-dir.js";
import { readConfigFile } from "../../src/run/config-file.js";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "mhil-run-"));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const readDocs = (file: string) => readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));

describe("RunRecords", () => {
  it("writes start, descriptor, events and one stop, all linked by the start uid", () => {
    const file = join(tmp(), "records.jsonl");
    const r = new RunRecords(file, { plan_name: "t" });
    r.descriptor("primary", { x: { dtype: "number" } });
    r.event("primary", { x: 1 });
    r.event("primary", { x: 2 });
    r.stop("success", "done");
    r.stop("failed", "ignored: the stop is written once");
    const docs = readDocs(file);
    expect(docs.map((d) => d.type)).toEqual(["start", "descriptor", "event", "event", "stop"]);
    expect(docs[0].plan_name).toBe("t");
    for (const d of docs.slice(1)) expect(d.run_start).toBe(r.startUid);
    expect(docs[2].descriptor).toBe(docs[1].uid);
    expect(docs.slice(2, 4).map((d) => d.seq_num)).toEqual([1, 2]);
    expect(docs[4]).toMatchObject({ exit_status: "success", reason: "done", num_events: { primary: 2 } });
  });

  it("an event on an undeclared stream is refused", () => {
    const r = new RunRecords(join(tmp(), "records.jsonl"), {});
    expect(() => r.event("nope", {})).toThrow(/no descriptor/);
    r.stop("success", "ok");
  });

  it("a process that exits mid-run still leaves a stop record with status failed", () => {
    const file = join(tmp(), "records.jsonl");
    // The compiled module (npm test builds dist/ first), in a child process that exits mid-run.
    const compiled = resolve("dist/src/run/records.js");
    const jsFile = join(tmp(), "exit.mjs");
    writeFileSync(jsFile, `import { RunRecords } from ${JSON.stringify(compiled)}; new RunRecords(${JSON.stringify(file)}, {}); process.exit(3);`);
    const r = spawnSync(process.execPath, [jsFile], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(3);
    const docs = readDocs(file);
    expect(docs.map((d) => d.type)).toEqual(["start", "stop"]);
    expect(docs[1]).toMatchObject({ exit_status: "failed", run_start: docs[0].uid });
  });
});

describe("run directory files", () => {
  it("names sort by UTC time and carry a short random id", () => {
    expect(runDirName(new Date("2026-11-23T09:35:12.345Z"))).toMatch(/^20261123T093512Z-[0-9a-f]{6}$/);
  });
  it("refuses to reuse an existing run directory", () => {
    const out = tmp();
    createRunDir(out, "x");
    expect(() => createRunDir(out, "x")).toThrow(/already exists/);
  });
  it("writes JSON with non-finite numbers as null and CSV with quoting", () => {
    const d = tmp();
    writeJsonFile(join(d, "a.json"), { a: Infinity, b: 1 });
    expect(JSON.parse(readFileSync(join(d, "a.json"), "utf8"))).toEqual({ a: null, b: 1 });
    const m = new MetricsCsv(join(d, "m.csv"), ["epoch", "note"]);
    m.row({ epoch: 1, note: 'a,"b"' });
    m.row({ epoch: 2, note: null });
    expect(readFileSync(join(d, "m.csv"), "utf8")).toBe('epoch,note\n1,"a,""b"""\n2,\n');
  });
});

describe("config files", () => {
  it("malformed JSON names the file, line and column", () => {
    const f = join(tmp(), "bad.json");
    writeFileSync(f, '{\n  "epochs": 3,\n  "samples": ,\n}\n');
    expect(() => readConfigFile(f)).toThrow(new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}.*malformed JSON at line 3, column 14`));
  });
  it("a missing file is named", () => {
    expect(() => readConfigFile("/no/such/config.json")).toThrow(/\/no\/such\/config.json.*file not found/);
  });
  it("a run's config.json yields its config and device", () => {
    const f = join(tmp(), "config.json");
    writeFileSync(f, JSON.stringify({ schema_version: 1, config: { epochs: 2 }, device_uri: "sim:reram" }));
    expect(readConfigFile(f)).toEqual({ config: { epochs: 2 }, deviceUri: "sim:reram" });
  });
});

describe("jsonErrorOffset", () => {
  it("finds the first error and accepts valid JSON", async () => {
    const { jsonErrorOffset, lineColumn } = await import("../../src/run/json-position.js");
    expect(jsonErrorOffset('{"a": [1, 2.5e3, "x\\n", true, null], "b": {}}')).toBeNull();
    expect(jsonErrorOffset('{"a": 1,}')).toBe(8);
    expect(jsonErrorOffset('{"a": tru}')).toBe(9);
    expect(jsonErrorOffset("[1 2]")).toBe(3);
    expect(jsonErrorOffset('{"a": 1} x')).toBe(9);
    expect(lineColumn("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
  });
});
