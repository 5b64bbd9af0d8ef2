// Builds the CLI once per test run: tests that drive `node bin/mhil.js` run the compiled code in dist/.
import { execFileSync } from "node:child_process";

export default function setup(): void {
  execFileSync("npx", ["tsc", "-p", "tsconfig.json"], { stdio: "inherit" });
}
