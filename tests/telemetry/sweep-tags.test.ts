// Telemetry from many machines: every point of a sweep carries the tags host (the node) and shard ("i/K"), in
// each run's journal and in the one InfluxDB the shards ship to (a real influxd), beside run, device, backend,
// phase. A plain `mhil train` keeps its four tags.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { parseLine } from "../../src/telemetry/lineProtocol.js";
import { expandGrid, shardPoints } from "../../src/experiment/sweep-config.js";
import { startInfluxd, type Influxd } from "./influxd.js";

const MHIL = join(process.cwd(), "bin", "mhil.js");
const SWEEP = {
  name: "tags",
  device: "sim:ideal?rows=16&cols=16",
  base: { dataset: "toy:2d", weights: "ideal", layers: [], testSamples: 0, learningRates: 0.2, batchSize: 8 },
  grid: { n: [8, 16], classes: [2], labels: ["random"], budgets: [{ epochs: 2 }], seeds: 2 },
  pilot: true,
  analysis: { bootstrapResamples: 100 },
};

let dir: string;
let influxd: Influxd;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mhil-sweep-tags-"));
  writeFileSync(join(dir, "tags.json"), JSON.stringify(SWEEP));
  influxd = await startInfluxd();
  await influxd.query('CREATE DATABASE "lab"');
});
afterAll(async () => {
  await influxd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function mhil(...args: string[]) {
  const r = spawnSync(process.execPath, [MHIL, ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status, stderr: r.stderr };
}

describe("sweep telemetry tags", () => {
  it("two shards ship to one InfluxDB; every point is tagged with its host and shard, in the journal and in InfluxDB", async () => {
    const url = `${influxd.baseUrl}/lab`;
    for (const shard of ["0/2", "1/2"]) {
      const r = mhil("sweep", "--config", "tags.json", "--out", "s", "--shard", shard, "--no-progress", "--influx", url);
      expect(r.code, r.stderr).toBe(0);
    }
    const grid = expandGrid(SWEEP as never);
    const shardOf = new Map(grid.map((p) => [p.name, shardPoints(grid, 0, 2).includes(p) ? "0/2" : "1/2"]));
    const host = hostname();
    const runIds = new Map<string, string>();
    for (const name of readdirSync(join(dir, "s", "runs"))) {
      const lines = readFileSync(join(dir, "s", "runs", name, "telemetry.lp"), "utf8").trim().split("\n").filter((l) => !l.startsWith("#"));
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) {
        const tags = parseLine(l).tags;
        expect(Object.keys(tags).sort()).toEqual(["backend", "device", "host", "phase", "run", "shard"]);
        expect(tags).toMatchObject({ host, shard: shardOf.get(name) });
        runIds.set(tags.run!, shardOf.get(name)!);
      }
    }
    expect(runIds.size).toBe(grid.length);

    // InfluxDB holds both shards' points under their tags (close() waited for the last batch to ship).
    const hosts = await influxd.query('SHOW TAG VALUES FROM "train_batch" WITH KEY = "host"', "lab");
    expect(hosts.results[0]?.series?.[0]?.values.map((v) => v[1])).toEqual([host]);
    const shards = await influxd.query('SHOW TAG VALUES FROM "train_batch" WITH KEY = "shard"', "lab");
    expect(shards.results[0]?.series?.[0]?.values.map((v) => v[1])).toEqual(["0/2", "1/2"]);
    const perRun = await influxd.query('SELECT count("loss") FROM "train_batch" GROUP BY "run", "shard"', "lab");
    const seen = new Map((perRun.results[0]?.series ?? []).map((s) => [s.tags!.run!, s.tags!.shard!]));
    expect(seen).toEqual(runIds);
  }, 300_000);

  it("a plain mhil train journals only run, device, backend and phase", () => {
    const r = spawnSync(process.execPath, [MHIL, "train", "--dataset", "toy:2d", "--weights", "ideal", "--epochs", "1", "--out", "runs"], { cwd: dir, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const [run] = readdirSync(join(dir, "runs"));
    const line = readFileSync(join(dir, "runs", run!, "telemetry.lp"), "utf8").trim().split("\n").find((l) => !l.startsWith("#"))!;
    expect(Object.keys(parseLine(line).tags).sort()).toEqual(["backend", "device", "phase", "run"]);
  }, 120_000);
});
