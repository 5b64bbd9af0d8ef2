// A real influxd (Debian's influxdb 1.x) for tests and benches: free loopback ports, a temporary directory, stopped
// afterwards. Tests import it through tests/telemetry/influxd.ts: `const db = await startInfluxd(); ... await db.stop();`.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface InfluxdOptions {
  /** Turn on HTTP authentication; an admin user is created (the first user may be created without credentials). */
  auth?: { username: string; password: string };
  /** Reuse a data directory (a restart after a kill keeps the data). */
  dir?: string;
  /** Reuse ports (a restart listens where the client already points). */
  httpPort?: number;
  rpcPort?: number;
}

export interface Influxd {
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  httpPort: number;
  rpcPort: number;
  dir: string;
  auth?: { username: string; password: string };
  /** Runs InfluxQL (POST /query) as the admin when auth is on; returns the parsed JSON. */
  query(q: string, db?: string, epoch?: "u" | "ns" | "ms"): Promise<InfluxQueryResponse>;
  /** SIGKILL: an outage, data directory kept. */
  kill(): Promise<void>;
  /** Starts again on the same ports and directory after kill(). */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s) and removes the temporary directory. Safe to call twice. */
  stop(): Promise<void>;
  /** What influxd wrote on stderr (for diagnosing a failed start). */
  log(): string;
  /** The running influxd's process id (null while killed). */
  pid(): number | null;
}

export interface InfluxQueryResponse {
  results: Array<{
    statement_id?: number;
    error?: string;
    series?: Array<{ name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }>;
  }>;
  error?: string;
}

/** A loopback TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function configText(dir: string, httpPort: number, rpcPort: number, authEnabled: boolean): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(dir, "meta")}"

[data]
  dir = "${join(dir, "data")}"
  wal-dir = "${join(dir, "wal")}"
  query-log-enabled = false
  trace-logging-enabled = false

[coordinator]
  log-queries-after = "0s"

[retention]
  enabled = false

[monitor]
  store-enabled = false

[continuous_queries]
  enabled = false

[subscriber]
  enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = ${authEnabled}
  log-enabled = false
  write-tracing = false
  pprof-enabled = false
  max-body-size = 0

[[udp]]
  enabled = false

[logging]
  level = "error"
  suppress-logo = true
`;
}

async function waitForPing(baseUrl: string, child: ChildProcess, timeoutMs: number, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`influxd exited with ${child.exitCode} during start:\n${log()}`);
    try {
      const r = await fetch(`${baseUrl}/ping`);
      if (r.status === 204) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`influxd did not answer ${baseUrl}/ping within ${timeoutMs} ms:\n${log()}`);
}

export async function startInfluxd(opts: InfluxdOptions = {}): Promise<Influxd> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), "mhil-influxd-"));
  const ownsDir = opts.dir === undefined;
  mkdirSync(dir, { recursive: true });
  const httpPort = opts.httpPort ?? (await freePort());
  let rpcPort = opts.rpcPort ?? (await freePort());
  while (rpcPort === httpPort) rpcPort = await freePort();
  const confPath = join(dir, "influxdb.conf");
  writeFileSync(confPath, configText(dir, httpPort, rpcPort, opts.auth !== undefined));
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  let stderr = "";
  let child: ChildProcess | null = null;
  let stopped = false;

  const launch = async (): Promise<void> => {
    const c = spawn("influxd", ["run", "-config", confPath], { stdio: ["ignore", "ignore", "pipe"] });
    child = c;
    c.stderr!.setEncoding("utf8");
    c.stderr!.on("data", (d: string) => {
      stderr = (stderr + d).slice(-20_000);
    });
    try {
      await waitForPing(baseUrl, c, 30_000, () => stderr);
    } catch (e) {
      c.kill("SIGKILL");
      throw e;
    }
  };

  const exited = (c: ChildProcess, timeoutMs: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve(true);
      const t = setTimeout(() => resolve(false), timeoutMs);
      c.once("exit", () => {
        clearTimeout(t);
        resolve(true);
      });
    });

  const adminAuth = opts.auth ? "Basic " + Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString("base64") : undefined;
  const query = async (q: string, db?: string, epoch?: "u" | "ns" | "ms"): Promise<InfluxQueryResponse> => {
    const params = new URLSearchParams({ q });
    if (db) params.set("db", db);
    if (epoch) params.set("epoch", epoch);
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    if (adminAuth) headers.authorization = adminAuth;
    const r = await fetch(`${baseUrl}/query`, { method: "POST", headers, body: params.toString() });
    return (await r.json()) as InfluxQueryResponse;
  };

  await launch();
  if (opts.auth) {
    // With no users yet, influxd lets the first admin be created without credentials.
    const params = new URLSearchParams({ q: `CREATE USER "${opts.auth.username}" WITH PASSWORD '${opts.auth.password}' WITH ALL PRIVILEGES` });
    const r = await fetch(`${baseUrl}/query`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: params.toString() });
    if (r.status !== 200) throw new Error(`could not create the admin user: ${r.status} ${await r.text()}`);
  }

  return {
    baseUrl,
    httpPort,
    rpcPort,
    dir,
    ...(opts.auth ? { auth: opts.auth } : {}),
    query,
    log: () => stderr,
    pid: () => (child as ChildProcess | null)?.pid ?? null,
    async kill() {
      const c = child;
      if (!c) return;
      c.kill("SIGKILL");
      await exited(c, 10_000);
      child = null;
    },
    async restart() {
      if (child) throw new Error("influxd is still running; kill() it first");
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const c = child;
      child = null;
      if (c) {
        c.kill("SIGTERM");
        if (!(await exited(c, 5_000))) {
          c.kill("SIGKILL");
          await exited(c, 5_000);
        }
      }
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
