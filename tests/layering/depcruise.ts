// Runs dependency-cruiser's CLI with the repository's rules (.dependency-cruiser.cjs) on a tree and
// returns its rule violations: the same command CI would run, so the tests check what ships.
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dirname, "../..");
export const RULES_FILE = join(REPO, ".dependency-cruiser.cjs");
const CLI = join(REPO, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");

/** The folders that hold the application's code (tsconfig.json "include", without the ambient types). */
export const CODE_FOLDERS = ["src", "protocol", "drivers", "sim", "emulators", "bench", "calibration"];

export interface Violation {
  rule: string;
  from: string;
  to: string;
  /** For a cycle: its modules, starting after `from`. */
  cycle?: string[];
}

interface CruiseJson {
  summary: {
    violations: { rule: { name: string }; from: string; to: string; cycle?: { name: string }[] }[];
    totalCruised: number;
  };
}

/** Cruises `folders` (relative to `cwd`, which holds the tsconfig.json) with the repository's rules. */
export function cruise(cwd: string, folders: string[]): { violations: Violation[]; modules: number } {
  const r = spawnSync(process.execPath, [CLI, "--config", RULES_FILE, "--output-type", "json", ...folders], {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  let json: CruiseJson;
  try {
    json = JSON.parse(r.stdout) as CruiseJson;
  } catch {
    throw new Error(`depcruise exited ${r.status} without a JSON report:\n${r.stderr}`);
  }
  const violations = json.summary.violations.map((v) => ({
    rule: v.rule.name,
    from: v.from,
    to: v.to,
    ...(v.cycle ? { cycle: v.cycle.map((c) => c.name) } : {}),
  }));
  return { violations, modules: json.summary.totalCruised };
}

/** One line per violation, for a failure message a reader can act on. */
export function explain(v: Violation): string {
  return `${v.rule}: ${v.from} → ${v.cycle ? v.cycle.join(" → ") : v.to}`;
}
