// Joins two byte streams: what one end reads the other writes, both ways, until either ends or stop() is called.
// Puts a fault link (link.ts) between a host-side stream (a pty) and a device-side one (a twin, a serial port).
import type { Duplex } from "node:stream";

export function bridge(a: Duplex, b: Duplex): () => void {
  const forward = (to: Duplex) => (chunk: Buffer) => {
    if (!to.destroyed && to.writable) to.write(chunk);
  };
  const listeners: [Duplex, string, (chunk: Buffer) => void][] = [
    [a, "data", forward(b)],
    [b, "data", forward(a)],
  ];
  const stop = () => {
    for (const [s, event, fn] of listeners) s.off(event, fn);
  };
  for (const s of [a, b]) for (const event of ["end", "close", "error"]) listeners.push([s, event, stop]);
  for (const [s, event, fn] of listeners) s.on(event, fn);
  return stop;
}
