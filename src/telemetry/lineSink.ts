// Sends a body of line-protocol lines to InfluxDB 1.x POST /write (Node's fetch) and says how it went.
// Raw lines go as they are in the journal: no re-encoding, and the journal's client timestamps are kept.
// (node-influx writes only the points it builds itself; its raw pool is private API, so it is not used.)
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

/** The reason InfluxDB gives in its `{"error":"..."}` body, or the body's text. */
function serverReason(body: string): string {
  try {
    const o = JSON.parse(body) as { error?: unknown };
    if (typeof o.error === "string") return o.error;
  } catch {
    // not JSON: keep the text
  }
  return body.trim().slice(0, 500);
}

export class InfluxLineSink implements LineSink {
  readonly display: string;
  private readonly url: string;
  private readonly authorization: string | undefined;

  constructor(private readonly target: InfluxTarget, private readonly requestTimeoutMs = 30_000) {
    this.display = target.display;
    const query = new URLSearchParams({ db: target.database, precision: JOURNAL_PRECISION });
    this.url = `${target.baseUrl}/write?${query.toString()}`;
    this.authorization = target.username !== undefined ? `Basic ${Buffer.from(`${target.username}:${target.password ?? ""}`).toString("base64")}` : undefined;
  }

  async write(body: Buffer): Promise<WriteOutcome> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: "POST",
        body,
        headers: { "content-type": "text/plain; charset=utf-8", ...(this.authorization !== undefined ? { authorization: this.authorization } : {}) },
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
    } catch (e) {
      // No answer: refused connection, DNS, timeout. fetch puts the system error in `cause`.
      const err = e as Error & { cause?: { code?: string; message?: string } };
      const code = err.cause?.code ?? (err.name === "TimeoutError" ? "ETIMEDOUT" : undefined);
      return { kind: "unavailable", reason: code ? `${code}: ${err.cause?.message ?? err.message}` : err.message };
    }
    const text = await res.text().catch(() => "");
    return outcomeOfStatus(res.status, text);
  }
}

/** What an answer means for the shipper, by HTTP status. */
function outcomeOfStatus(status: number, body: string): WriteOutcome {
  if (status >= 200 && status < 300) return { kind: "ok" };
  const reason = serverReason(body);
  if (status === 401 || status === 403 || status === 404) return { kind: "refused", status, reason };
  if (status >= 400 && status < 500) return { kind: "rejected", status, reason };
  return { kind: "unavailable", reason: `${status} ${reason}` };
}

/** One short phrase for an outcome, for messages. */
export function describeOutcome(o: WriteOutcome): string {
  return o.kind === "ok" ? "ok" : o.kind === "unavailable" ? o.reason : `${o.status} ${o.reason}`;
}
