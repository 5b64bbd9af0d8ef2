#!/usr/bin/env node
// Runs the whole vitest suite and ends with the plain summary line CI reads: `tests: N passed, N failed`.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

function step(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status !== 0) {
    console.log(`tests: 0 passed, 1 failed`);
    process.exit(1);
  }
}
// The Debian tools the tests use (vitest's global setup then builds the CLI the CLI tests run).
step("node", ["scripts/ensure-system-deps.mjs"]);

const out = join(process.cwd(), ".vitest-results.json");
rmSync(out, { force: true });
const args = ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`, ...process.argv.slice(2)];
const r = spawnSync("npx", args, { stdio: "inherit" });

let passed = 0;
let failed = 0;
if (existsSync(out)) {
  const res = JSON.parse(readFileSync(out, "utf8"));
  passed = res.numPassedTests ?? 0;
  failed = res.numFailedTests ?? 0;
  // A test file that failed to load has no failed test of its own: count it once.
  for (const file of res.testResults ?? []) {
    if (file.status === "failed" && !(file.assertionResults ?? []).some((a) => a.status === "failed")) failed += 1;
  }
} else {
  failed = 1;
}
if (r.status !== 0 && failed === 0) failed = 1;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
