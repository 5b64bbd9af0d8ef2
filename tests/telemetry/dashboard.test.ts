// The Grafana dashboard: every InfluxQL query in grafana/memristor-hil.json runs against a real influxd holding a
// journal written by the telemetry API, and returns series. Grafana's macros are substituted as Grafana would.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTelemetry } from "../../src/telemetry/index.js";
import { scanJournal } from "../../src/telemetry/journal.js";
import { parseLine } from "../../src/telemetry/lineProtocol.js";
import { pushRun } from "../../src/telemetry/push.js";
import { startInfluxd, type Influxd } from "./influxd.js";
import { writeRun } from "./journal-points.js";

interface Target {
  query: string;
  rawQuery: boolean;
  refId: string;
}
interface Dashboard {
  panels: Array<{ title: string; targets: Target[] }>;
  templating: { list: Array<{ name: string; query: string }> };
}

const dashboard = JSON.parse(readFileSync("grafana/memristor-hil.json", "utf8")) as Dashboard;
const RUN_ID = "run-dash.1";
// A sweep point from another node: the same run shape, tagged with its host and shard.
const SWEEP_RUN = "run-dash.sweep";
const PLACEMENT = { host: "node-a.cluster", shard: "1/2" };
let influxd: Influxd;
let runDir: string;
let sweepRunDir: string;
let firstMicros = 0;
let lastMicros = 0;

beforeAll(async () => {
  influxd = await startInfluxd();
  runDir = mkdtempSync(join(tmpdir(), "mhil-dash-"));
  await influxd.query('CREATE DATABASE "mhil"');
  const t = await openTelemetry({ runDir, runId: RUN_ID, device: "reram-8x8/sim-1", backend: "sim" });
  await writeRun(t, { epochs: 5, batches: 4, epochGapMs: 40 });
  await t.close();
  const res = await pushRun({ runDir, influxUrl: `${influxd.baseUrl}/mhil` });
  expect(res.complete).toBe(true);
  const lines = readFileSync(join(runDir, "telemetry.lp"), "utf8").trim().split("\n").slice(1);
  expect(scanJournal(join(runDir, "telemetry.lp")).points).toBe(lines.length);
  sweepRunDir = mkdtempSync(join(tmpdir(), "mhil-dash-sweep-"));
  const ts = await openTelemetry({ runDir: sweepRunDir, runId: SWEEP_RUN, device: "ideal", backend: "none", placement: PLACEMENT });
  await writeRun(ts, { epochs: 3, batches: 4, epochGapMs: 40 });
  await ts.close();
  expect((await pushRun({ runDir: sweepRunDir, influxUrl: `${influxd.baseUrl}/mhil` })).complete).toBe(true);
  const sweepLines = readFileSync(join(sweepRunDir, "telemetry.lp"), "utf8").trim().split("\n").slice(1);
  const times = [...lines, ...sweepLines].map((l) => Number(parseLine(l).timestamp));
  firstMicros = Math.min(...times);
  lastMicros = Math.max(...times);
});
afterAll(async () => {
  await influxd?.stop();
  if (runDir) rmSync(runDir, { recursive: true, force: true });
  if (sweepRunDir) rmSync(sweepRunDir, { recursive: true, force: true });
});

/** A variable's value as Grafana writes it into a regex: escaped, or ".*" for All (the allValue). */
const regexValue = (v: string | null) => (v === null ? ".*" : v.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"));

/** Grafana's substitutions: the time range in ms, an interval giving ~100 buckets, the variables as regexes (null: All). */
function substitute(q: string, vars: { run: string | null; host: string | null; shard: string | null } = { run: RUN_ID, host: null, shard: null }): string {
  const from = Math.floor(firstMicros / 1000) - 1000;
  const to = Math.ceil(lastMicros / 1000) + 1000;
  const intervalMs = Math.max(1, Math.round((lastMicros - firstMicros) / 1000 / 50));
  return q
    .replaceAll("$timeFilter", `time >= ${from}ms and time <= ${to}ms`)
    .replaceAll("$__interval", `${intervalMs}ms`)
    .replaceAll("$run", regexValue(vars.run))
    .replaceAll("$host", regexValue(vars.host))
    .replaceAll("$shard", regexValue(vars.shard));
}

describe("grafana/memristor-hil.json", () => {
  it("has the panels the lab watches: energy by component, joules per bit, accuracy, pulse rate", () => {
    const titles = dashboard.panels.map((p) => p.title);
    for (const want of ["Energy by component per epoch", "Joules per bit", "Accuracy", "Pulse rate"]) expect(titles).toContain(want);
    for (const p of dashboard.panels) for (const t of p.targets) expect(t.rawQuery, `${p.title} ${t.refId}`).toBe(true);
  });

  it("the run variable's query lists the run", async () => {
    const v = dashboard.templating.list.find((x) => x.name === "run")!;
    const r = await influxd.query(v.query, "mhil");
    expect(r.results[0]?.error).toBeUndefined();
    expect(r.results[0]?.series?.[0]?.values.map((row) => row[1])).toEqual([RUN_ID, SWEEP_RUN]);
  });

  it("the host and shard variables list the sweep nodes' tags; every query filters by them", async () => {
    for (const [name, value] of [["host", PLACEMENT.host], ["shard", PLACEMENT.shard]] as const) {
      const v = dashboard.templating.list.find((x) => x.name === name)!;
      const r = await influxd.query(v.query, "mhil");
      expect(r.results[0]?.error).toBeUndefined();
      expect(r.results[0]?.series?.[0]?.values.map((row) => row[1])).toEqual([value]);
    }
    for (const p of dashboard.panels) for (const t of p.targets) expect(t.query, p.title).toContain('"host" =~ /^$host$/ AND "shard" =~ /^$shard$/');
  });

  const targets = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ panel: p.title, ...t })));
  it.each(targets)("$panel ($refId) returns series with values", async ({ query }) => {
    const r = await influxd.query(substitute(query), "mhil");
    expect(r.error).toBeUndefined();
    expect(r.results[0]?.error).toBeUndefined();
    const series = r.results[0]?.series ?? [];
    expect(series.length).toBeGreaterThan(0);
    for (const s of series) {
      expect(s.tags).toEqual({ run: RUN_ID });
      const valueColumns = s.columns.filter((c) => c !== "time");
      // Every column of the panel has at least one number in it.
      for (const c of valueColumns) {
        const i = s.columns.indexOf(c);
        expect(s.values.some((row) => typeof row[i] === "number"), `${c} in ${query}`).toBe(true);
      }
    }
  });

  // All runs, one host and shard: only the sweep point's run; a host that sent nothing: no series at all.
  it.each(targets)("$panel ($refId) filtered by host and shard shows that node's run only", async ({ query }) => {
    const picked = await influxd.query(substitute(query, { run: null, ...PLACEMENT }), "mhil");
    expect(picked.results[0]?.error).toBeUndefined();
    const series = picked.results[0]?.series ?? [];
    expect(series.map((s) => s.tags?.run)).toEqual([SWEEP_RUN]);
    const all = await influxd.query(substitute(query, { run: null, host: null, shard: null }), "mhil");
    expect((all.results[0]?.series ?? []).map((s) => s.tags?.run).sort()).toEqual([RUN_ID, SWEEP_RUN]);
    const none = await influxd.query(substitute(query, { run: null, host: "node-b", shard: null }), "mhil");
    expect(none.results[0]?.series ?? []).toEqual([]);
  });
});
