// Once per test run, before any test: the suite gets its own state directory, the user's is fingerprinted, and the
// CLI is built (tests that drive `node bin/mhil.js` run the compiled code in dist/).
//
// Every process a test starts inherits MHIL_STATE_DIR = a fresh temporary directory, so wear counts of test devices
// never land in the user's $MHIL_STATE_DIR or ~/.local/state/memristor-hil. The teardown checks that the user's
// directory is byte for byte what it was (tests/state/ shows the check can see a write).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { treeFingerprint, userStateDir } from "./state/state-dir.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** Where the user's own state lives (what MHIL_STATE_DIR pointed to before the suite, or the default). */
    userStateDir: string;
    /** The suite's temporary state directory, MHIL_STATE_DIR in every test process. */
    suiteStateDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const userDir = userStateDir(process.env);
  const before = treeFingerprint(userDir);
  execFileSync("npx", ["tsc", "-p", "tsconfig.json"], { stdio: "inherit" });
  execFileSync(process.execPath, ["scripts/bundle-cli.mjs"], { stdio: "inherit" }); // the CLI tests run what users run
  const suiteDir = mkdtempSync(join(tmpdir(), "mhil-suite-state-"));
  process.env.MHIL_STATE_DIR = suiteDir;
  project.provide("userStateDir", userDir);
  project.provide("suiteStateDir", suiteDir);
  return () => {
    rmSync(suiteDir, { recursive: true, force: true });
    const after = treeFingerprint(userDir);
    if (after.digest !== before.digest) {
      process.exitCode = 1; // vitest reports an error thrown here but would still exit 0
      throw new Error(`the test suite changed the user's state directory ${userDir} (${before.summary} → ${after.summary}); a test opened a device without the suite's MHIL_STATE_DIR`);
    }
  };
}
