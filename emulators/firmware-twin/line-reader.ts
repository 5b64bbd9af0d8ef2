// Splits a device's received byte stream into lines as a board's bounded receive buffer would: a line longer
// than `maxIn` bytes (including its '\n') is discarded up to the next '\n' and reported as null (ERR LONG). Empty
// lines (the second break of every line end, PROTOCOL.md §1) are skipped.
import type { Duplex } from "node:stream";

/** Feeds every line of `stream` to `onLine`; returns a function that stops listening. */
export function readLines(stream: Duplex, maxIn: number, onLine: (line: string | null) => void, onEnd: () => void): () => void {
  let pending = "";
  let overlong = false;
  const onData = (chunk: Buffer | string) => {
    const text = typeof chunk === "string" ? chunk : chunk.toString("latin1");
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      if (nl < 0) break;
      const piece = pending + text.slice(start, nl);
      pending = "";
      start = nl + 1;
      if (overlong || piece.length + 1 > maxIn) {
        overlong = false;
        onLine(null);
      } else if (piece !== "" && piece !== "\r") {
        onLine(piece);
      }
    }
    pending += text.slice(start);
    if (pending.length + 1 > maxIn) {
      overlong = true;
      pending = "";
    }
  };
  const detach = () => {
    stream.off("data", onData);
    stream.off("end", ended);
    stream.off("close", ended);
    stream.off("error", ended);
  };
  const ended = () => {
    detach();
    onEnd();
  };
  stream.on("data", onData);
  stream.on("end", ended);
  stream.on("close", ended);
  stream.on("error", ended);
  return detach;
}
