// The house keeps modules small enough to read in one sitting: no production file over 400 lines.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CODE_FOLDERS } from "./depcruise.js";

const MAX_LINES = 400;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

describe("module size", () => {
  it(`no file in ${CODE_FOLDERS.join(", ")} is over ${MAX_LINES} lines`, () => {
    const files = CODE_FOLDERS.flatMap((f) => sourceFiles(f));
    expect(files.length).toBeGreaterThan(100); // it looked at the tree
    const long = files.map((f) => ({ f, lines: readFileSync(f, "utf8").split("\n").length - 1 })).filter((x) => x.lines > MAX_LINES);
    expect(long.map((x) => `${x.f}: ${x.lines} lines`)).toEqual([]);
  });
});
