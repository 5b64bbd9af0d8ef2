// What a link session is opened with (the caller's options) and what it learns when it opens (ID and LIM).
import type { Duplex } from "node:stream";
import type { WireIdentity, WireLimits } from "../../protocol/serial-line/messages.js";

export interface LinkSessionOptions {
  /** Opens (and, after a disconnect, re-opens) the byte stream to the device. */
  connect: () => Promise<Duplex>;
  /** What the device is, for messages ("serial:/dev/ttyACM0"). */
  label: string;
  /** Most requests unanswered at once (capped by the device's reply memory). Default 16. */
  window?: number;
  /** The longest retransmission timeout, s: the timer adapts to the round trip below it and backs off up to it. Default 0.5. */
  timeoutSeconds?: number;
  /** Consecutive timeouts of one request before the driver identifies the device again. Default 10. */
  retries?: number;
  /** How long to look for the device again after a disconnect. Default 10 s. */
  reconnectSeconds?: number;
  /** How long opening (ID, LIM) may take, and identifying again after a stall (boards with DTR auto-reset need ~2 s). Default 5 s. */
  openTimeoutSeconds?: number;
  /** Progress messages (reconnects, resyncs, and the link statistics when the session closes). */
  log?: (message: string) => void;
}

/** What the session learned from ID and LIM. */
export interface SessionIdentity {
  identity: WireIdentity;
  limits: WireLimits;
}
