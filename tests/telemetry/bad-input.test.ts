// Bad input: an unreachable URL, a wrong database, an authentication failure, a malformed URL or credentials file.
// Each gives a clear message; appending goes on; the journal is intact; no credential is ever printed.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTelemetry, type Telemetry } from "../../src/telemetry/index.js";
import { pushRun } from "../../src/telemetry/push.js";
import { freePort, startInfluxd, type Influxd } from "./influxd.js";
import { databasePoints, journalPoints } from "./points.js";
import { runPointCount, writeRun } from "./journal-points.js";

const ADMIN = { username: "admin", password: "admin-s3cret-pw" };
const WRONG_PASSWORD = "wrong-s3cret-pw";
let influxd: Influxd;
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "mhil-bad-"));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  influxd = await startInfluxd({ auth: ADMIN });
  await influxd.query('CREATE DATABASE "lab"');
});
afterAll(async () => {
  await influxd?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const shape = { epochs: 2, batches: 4 };

/** Appends a run, closes with a short timeout, and checks the journal holds every point and nothing shipped. */
async function runAgainst(influxUrl: string, env: NodeJS.ProcessEnv, credentialsFile?: string): Promise<{ logs: string[]; runDir: string }> {
  const runDir = tmp();
  const logs: string[] = [];
  const t: Telemetry = await openTelemetry({
    runDir, runId: "run-bad", device: "sim:", backend: "sim", influxUrl, env,
    ...(credentialsFile ? { credentialsFile } : {}),
    batchSize: 5, flushIntervalMs: 20, backoffInitialMs: 20, backoffMaxMs: 100, closeTimeoutMs: 400,
    log: (l) => logs.push(l),
  });
  await writeRun(t, { ...shape, epochGapMs: 60 });
  // Wait for the shipper's first verdict (influxd checks passwords with bcrypt: slow on a loaded machine).
  for (let waited = 0; !logs.some((l) => l.includes("training goes on")) && waited < 30_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  const c = await t.close();
  const n = runPointCount(shape);
  expect(c).toEqual({ added: n, written: 0, deadLettered: 0, dropped: 0, pending: n });
  expect(journalPoints(join(runDir, "telemetry.lp"))).toHaveLength(n);
  expect(logs.join("\n")).toContain("stay in the journal");
  for (const l of logs) {
    expect(l).not.toContain(ADMIN.password);
    expect(l).not.toContain(WRONG_PASSWORD);
  }
  return { logs, runDir };
}

describe("bad input: clear message, appending goes on, journal intact", () => {
  it("an unreachable URL", async () => {
    const port = await freePort();
    const { logs } = await runAgainst(`http://127.0.0.1:${port}/lab`, {});
    const first = logs.find((l) => l.includes("cannot reach InfluxDB"));
    expect(first).toMatch(new RegExp(`cannot reach InfluxDB at http://127\\.0\\.0\\.1:${port}/lab \\(ECONNREFUSED`));
    expect(logs.filter((l) => l.includes("cannot reach InfluxDB"))).toHaveLength(1); // said once, not per retry
  });

  it("a wrong database (404 database not found)", async () => {
    const { logs } = await runAgainst(`${influxd.baseUrl}/no_such_db`, { INFLUX_USERNAME: ADMIN.username, INFLUX_PASSWORD: ADMIN.password });
    expect(logs.find((l) => l.includes("404"))).toContain(`InfluxDB at ${influxd.baseUrl}/no_such_db answered 404 (database not found: "no_such_db"): create the database`);
  });

  it("an authentication failure (401), from the environment and from a credentials file", async () => {
    const a = await runAgainst(`${influxd.baseUrl}/lab`, { INFLUX_USERNAME: ADMIN.username, INFLUX_PASSWORD: WRONG_PASSWORD });
    expect(a.logs.find((l) => l.includes("401"))).toContain(`InfluxDB at ${influxd.baseUrl}/lab answered 401 (authorization failed): check INFLUX_USERNAME/INFLUX_PASSWORD`);
    const file = join(tmp(), "creds.json");
    writeFileSync(file, JSON.stringify({ username: ADMIN.username, password: WRONG_PASSWORD }));
    const b = await runAgainst(`${influxd.baseUrl}/lab`, {}, file);
    expect(b.logs.some((l) => l.includes('answered 401 (authorization failed)'))).toBe(true);
    // No credentials at all against an auth-enabled server: also a 401 with the server's reason.
    const c = await runAgainst(`${influxd.baseUrl}/lab`, {});
    expect(c.logs.some((l) => l.includes("answered 401"))).toBe(true);

    // The journal kept everything: pushing it with the right credentials (file, KEY=VALUE form) ships all of it.
    const good = join(tmp(), "creds.env");
    writeFileSync(good, `INFLUX_USERNAME=${ADMIN.username}\nINFLUX_PASSWORD=${ADMIN.password}\n`);
    const res = await pushRun({ runDir: a.runDir, influxUrl: `${influxd.baseUrl}/lab`, credentialsFile: good, env: {} });
    expect(res.counters).toEqual({ added: runPointCount(shape), written: runPointCount(shape), deadLettered: 0, dropped: 0, pending: 0 });
    expect([...(await databasePoints(influxd, "lab"))].sort()).toEqual([...journalPoints(join(a.runDir, "telemetry.lp"))].sort());
  });

  it("push gives up at once on a refusal and says why", async () => {
    const { runDir } = await runAgainst(`${influxd.baseUrl}/no_such_db`, {});
    const res = await pushRun({ runDir, influxUrl: `${influxd.baseUrl}/no_such_db`, env: { INFLUX_USERNAME: ADMIN.username, INFLUX_PASSWORD: ADMIN.password }, log: () => {} });
    expect(res.complete).toBe(false);
    expect(res.problem).toMatchObject({ kind: "refused", status: 404 });
    expect(res.counters.pending).toBe(runPointCount(shape));
  });

  it("a malformed URL or credentials file is refused before anything is written, without echoing secrets", async () => {
    const runDir = join(tmp(), "never-created");
    await expect(openTelemetry({ runDir, runId: "r", device: "d", backend: "sim", influxUrl: "http://user:pw-in-url@host:8086/db" })).rejects.toThrow(
      "--influx http://***@host:8086/db: do not put credentials in the URL",
    );
    await expect(openTelemetry({ runDir, runId: "r", device: "d", backend: "sim", influxUrl: "http://host:8086/" })).rejects.toThrow(/path must be exactly the database name/);
    await expect(openTelemetry({ runDir, runId: "r", device: "d", backend: "sim", influxUrl: "not a url" })).rejects.toThrow(/not a URL; expected http:\/\/HOST:8086\/DATABASE/);
    const bad = join(tmp(), "bad.json");
    writeFileSync(bad, `{"username": "u", "password": "${ADMIN.password}"`);
    const err = await openTelemetry({ runDir, runId: "r", device: "d", backend: "sim", influxUrl: "http://h:8086/db", credentialsFile: bad }).catch((e: Error) => e);
    expect((err as Error).message).toContain(`--influx-credentials ${bad}: not valid JSON`);
    expect((err as Error).message).not.toContain(ADMIN.password);
    await expect(openTelemetry({ runDir, runId: "r", device: "d", backend: "sim", influxUrl: "http://h:8086/db", credentialsFile: join(runDir, "nope") })).rejects.toThrow(/no such file/);
    expect(() => journalPoints(join(runDir, "telemetry.lp"))).toThrow(/ENOENT/);
  });
});
