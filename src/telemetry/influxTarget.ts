// Where telemetry goes: an InfluxDB 1.x /write endpoint named `http://HOST:8086/DB`, with credentials from the
// environment (INFLUX_USERNAME, INFLUX_PASSWORD) or a file. Credentials are never printed: every message shows
// the redacted URL.
import { existsSync, readFileSync } from "node:fs";
import { UserError } from "../hal/user-error.js";

export interface InfluxTarget {
  /** scheme://host:port, no credentials, no path. */
  baseUrl: string;
  database: string;
  /** What messages may show: scheme://host:port/DB. */
  display: string;
  username?: string;
  password?: string;
}

/** Bad telemetry settings (URL, credentials file): the message names what to fix. */
export class TelemetryConfigError extends UserError {}

/** A URL safe to print: user info and query string (InfluxDB accepts ?u=&p=) removed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const auth = u.username || u.password ? "***@" : "";
    return `${u.protocol}//${auth}${u.host}${u.pathname === "/" ? "" : u.pathname}${u.search ? "?***" : ""}`;
  } catch {
    return "<unparseable URL>";
  }
}

export interface Credentials {
  username: string;
  password: string;
}

/**
 * Credentials from a file (JSON {"username","password"} or INFLUX_USERNAME=/INFLUX_PASSWORD= lines), else from
 * the environment, else none.
 */
export function loadCredentials(credentialsFile: string | undefined, env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  if (credentialsFile !== undefined) {
    if (!existsSync(credentialsFile)) throw new TelemetryConfigError(`--influx-credentials ${credentialsFile}: no such file`);
    const text = readFileSync(credentialsFile, "utf8");
    let username: unknown;
    let password: unknown;
    if (text.trimStart().startsWith("{")) {
      let o: Record<string, unknown>;
      try {
        o = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // The parser's message could quote the file's contents (the password); say only where.
        throw new TelemetryConfigError(`--influx-credentials ${credentialsFile}: not valid JSON (expected {"username": "...", "password": "..."})`);
      }
      username = o.username;
      password = o.password;
    } else {
      for (const line of text.split(/\r?\n/)) {
        const m = /^\s*(INFLUX_USERNAME|INFLUX_PASSWORD)\s*=\s*(.*?)\s*$/.exec(line);
        if (m) (m[1] === "INFLUX_USERNAME" ? (username = m[2]) : (password = m[2]));
      }
    }
    if (typeof username !== "string" || username.length === 0) throw new TelemetryConfigError(`--influx-credentials ${credentialsFile}: no username (JSON field "username" or a line INFLUX_USERNAME=...)`);
    if (typeof password !== "string") throw new TelemetryConfigError(`--influx-credentials ${credentialsFile}: no password (JSON field "password" or a line INFLUX_PASSWORD=...)`);
    return { username, password };
  }
  const username = env.INFLUX_USERNAME;
  if (username) return { username, password: env.INFLUX_PASSWORD ?? "" };
  return undefined;
}

/** Parses `http://HOST:PORT/DB`; credentials in the URL are refused (they would land in shell history and logs). */
export function parseInfluxUrl(url: string, credentials?: Credentials): InfluxTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TelemetryConfigError(`--influx ${redactUrl(url)}: not a URL; expected http://HOST:8086/DATABASE`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new TelemetryConfigError(`--influx ${redactUrl(url)}: scheme must be http or https, got ${u.protocol}`);
  if (u.username || u.password) throw new TelemetryConfigError(`--influx ${redactUrl(url)}: do not put credentials in the URL; use INFLUX_USERNAME/INFLUX_PASSWORD or --influx-credentials FILE`);
  if (u.search) throw new TelemetryConfigError(`--influx ${redactUrl(url)}: no query string expected; the URL is http://HOST:8086/DATABASE`);
  const parts = u.pathname.split("/").filter((p) => p.length > 0);
  if (parts.length !== 1) throw new TelemetryConfigError(`--influx ${redactUrl(url)}: the path must be exactly the database name, as in http://HOST:8086/DATABASE`);
  const database = decodeURIComponent(parts[0]!);
  const baseUrl = `${u.protocol}//${u.host}`;
  return { baseUrl, database, display: `${baseUrl}/${database}`, ...(credentials ? { username: credentials.username, password: credentials.password } : {}) };
}
