// Joins two byte streams: what one end reads the other writes, both ways, until either ends or stop() is called.
// Puts a fault link (link.ts) between a host-side stream (a pty) and a device-side one (a twin, a serial port).
import type { Duplex } from "node:stream";

export function bridge(a: Duplex, b: Duplex): () => void {
  const aToB = (chunk: Buffer) => {
    if (!b.destroyed && b.writable) b.write(chunk);
  };
  const bToA = (chunk: Buffer) => {
    if (!a.destroyed && a.writable) a.write(chunk);
  };
  const stop = () => {
    a.off("data", aToB);
    b.off("data", bToA);
    for (const s of [a, b]) {
      s.off("end", stop);
      s.off("close", stop);
      s.off("error", stop);
    }
  };
  a.on("data", aToB);
  b.on("data", bToA);
  for (const s of [a, b]) {
    s.on("end", stop);
    s.on("close", stop);
    s.on("error", stop);
  }
  return stop;
}
