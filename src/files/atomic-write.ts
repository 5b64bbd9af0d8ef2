// Replacing a file so that a reader, or a crash, sees the old content or the new, never half of it: write a
// temporary file beside it, then rename it over the target (atomic within one filesystem). The process id
// in the temporary name keeps two processes writing the same file (sweep shards) off each other's.
import { renameSync, writeFileSync } from "node:fs";

export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** JSON with a trailing newline; Infinity and NaN, which JSON cannot hold, become null. */
export function writeJsonAtomic(path: string, value: unknown, indent = 2): void {
  writeFileAtomic(path, JSON.stringify(value, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v), indent) + "\n");
}
