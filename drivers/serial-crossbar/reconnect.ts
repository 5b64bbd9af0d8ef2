// Looking for the device again after a disconnect: `connect` retried with a growing pause until `ms` pass.
import type { Duplex } from "node:stream";
import { SerialLinkError } from "./errors.js";

export async function reconnectWithin(connect: () => Promise<Duplex>, ms: number, closed: () => boolean, label: string): Promise<Duplex> {
  const deadline = Date.now() + ms;
  let delay = 20;
  let lastError: Error | null = null;
  for (;;) {
    if (closed()) throw new SerialLinkError(`${label}: closed while reconnecting`);
    try {
      return await connect();
    } catch (e) {
      lastError = e as Error;
    }
    if (Date.now() + delay > deadline) break;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 500);
  }
  throw new SerialLinkError(`${label}: disconnected and not found again within ${(ms / 1000).toFixed(0)} s (${lastError?.message ?? "no port"}); plug it back in and reopen`);
}
