// Runs a numpy reference script (an "anchor") in this same invocation and returns its JSON. The anchors are
// not part of this repository: MHIL_ANCHORS_DIR names their folder (default: shared/anchors beside the checkout).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root, whether running from bench/ or dist/bench/. */
export const repoRoot = resolve(here, existsSync(join(here, "..", "package.json")) ? ".." : "../..");

export function anchorPath(script: string): string {
  const dir = process.env.MHIL_ANCHORS_DIR ?? resolve(repoRoot, "..", "shared", "anchors");
  const p = resolve(dir, script);
  if (!existsSync(p)) throw new Error(`anchor script not found: ${p} (set MHIL_ANCHORS_DIR to the folder of the numpy anchors)`);
  return p;
}

const cache = new Map<string, Record<string, unknown>>();

/**
 * Runs `python3 ANCHOR args...` once per distinct argument list and parses its last line as JSON.
 * OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE are unset for this command alone so numpy runs its best kernel.
 */
export function runAnchor(script: string, args: string[] = []): Record<string, unknown> {
  const key = [script, ...args].join("\0");
  const hit = cache.get(key);
  if (hit) return hit;
  const parsed = runAnchorOnce(script, args);
  cache.set(key, parsed);
  return parsed;
}

/** Runs `python3 ANCHOR args...` now (not cached), on core `pinCore` alone when given (taskset), and parses its last line as JSON. */
export function runAnchorOnce(script: string, args: string[] = [], pinCore?: number): Record<string, unknown> {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const [file, ...rest] = pinnedTo(pinCore, ["python3", anchorPath(script), ...args]);
  const out = execFileSync(file!, rest, { env, encoding: "utf8", maxBuffer: 1 << 24 });
  const lines = out.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

/** `command` run on core `core` alone (taskset), or as it is when no core is given. */
export function pinnedTo(core: number | null | undefined, command: string[]): string[] {
  return core === null || core === undefined ? command : ["taskset", "-c", String(core), ...command];
}

/** The number `key` of an anchor's output, or an error naming the script and key. */
export function anchorNumber(script: string, output: Record<string, unknown>, key: string): number {
  const v = output[key];
  if (typeof v !== "number") throw new Error(`${script}: no numeric "${key}" in its output`);
  return v;
}
