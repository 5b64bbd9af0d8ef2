// Sends a body of line-protocol lines to InfluxDB 1.x POST /write (node-influx's connection pool) and says how it went.
// Raw lines go as they are in the journal: no re-encoding, and the journal's client timestamps are kept.
import { Pool, RequestError } from "influx/lib/src/pool.js";
import { JOURNAL_PRECISION } from "./journal.js";
import type { InfluxTarget } from "./influxTarget.js";

export type WriteOutcome =
  /** 204: every point stored. */
  | { kind: "ok" }
  /** The server refused the content (400 malformed, 413 too large, ...): the batch goes to the dead-letter path. */
  | { kind: "rejected"; status: number; reason: string }
  /** 401/403/404: a setting is wrong (credentials, permissions, database); nothing is lost, retried slowly. */
  | { kind: "refused"; status: number; reason: string }
  /** No answer, a timeout or a 5xx: retried with backoff. */
  | { kind: "unavailable"; reason: string };

/** Where batches go. Tests and benches use the real one below; the shipper takes any. */
export interface LineSink {
  /** What messages may show about the destination (no credentials). */
  readonly display: string;
  write(body: Buffer): Promise<WriteOutcome>;
}

/** The `{"error":"..."}` InfluxDB sends back, from a node-influx RequestError message. */
function serverReason(e: Error): string {
  const m = /error occurred: (.*)$/s.exec(e.message);
  const body = m ? m[1]! : e.message;
  try {
    const o = JSON.parse(body) as { error?: unknown };
    if (typeof o.error === "string") return o.error;
  } catch {
    // not JSON: keep the text
  }
  return body.trim().slice(0, 500);
}

/** A backoff for node-influx's pool that never takes the host out: the shipper does its own backoff. */
const NO_POOL_BACKOFF = {
  getDelay: () => 0,
  next() {
    return this;
  },
  reset() {
    return this;
  },
};

export class InfluxLineSink implements LineSink {
  readonly display: string;
  private readonly pool: Pool;
  private readonly auth: string | undefined;

  constructor(private readonly target: InfluxTarget, requestTimeoutMs = 30_000) {
    this.display = target.display;
    this.pool = new Pool({ maxRetries: 0, requestTimeout: requestTimeoutMs, backoff: NO_POOL_BACKOFF });
    this.pool.addHost(target.baseUrl);
    this.auth = target.username !== undefined ? `${target.username}:${target.password ?? ""}` : undefined;
  }

  async write(body: Buffer): Promise<WriteOutcome> {
    try {
      await this.pool.discard({
        method: "POST",
        path: "/write",
        query: { db: this.target.database, precision: JOURNAL_PRECISION },
        // node-influx sends the body with req.write(); a Buffer goes through unchanged.
        body: body as unknown as string,
        ...(this.auth !== undefined ? { auth: this.auth } : {}),
      });
      return { kind: "ok" };
    } catch (e) {
      return outcomeOfError(e);
    }
  }
}

/** What a failed request means for the shipper: by HTTP status, or no answer at all. */
function outcomeOfError(e: unknown): WriteOutcome {
  const err = e as Error & { res?: { statusCode?: number }; code?: string };
  if (err instanceof RequestError) {
    const status = err.res?.statusCode ?? 0;
    const reason = serverReason(err);
    if (status === 401 || status === 403 || status === 404) return { kind: "refused", status, reason };
    if (status >= 400 && status < 500) return { kind: "rejected", status, reason };
    return { kind: "unavailable", reason: `${status} ${reason}` };
  }
  return { kind: "unavailable", reason: err.code ? `${err.code}: ${err.message}` : err.message };
}

/** One short phrase for an outcome, for messages. */
export function describeOutcome(o: WriteOutcome): string {
  return o.kind === "ok" ? "ok" : o.kind === "unavailable" ? o.reason : `${o.status} ${o.reason}`;
}
