// mkdir -p, one level at a time. Node 20's recursive mkdirSync never returns when a parent is under /proc (seen:
// `mhil calibrate --out /proc/nope/a.json` hung at 100% CPU), where a single mkdir fails at once with ENOENT.
import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

/** Makes `dir` and any missing parents; returns the folders it made, outermost first. */
export function makeFolders(dir: string): string[] {
  if (existsSync(dir)) return [];
  const parent = dirname(dir);
  const made = parent !== dir ? makeFolders(parent) : [];
  mkdirSync(dir);
  return [...made, dir];
}
