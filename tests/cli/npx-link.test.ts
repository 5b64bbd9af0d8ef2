// `npx mhil` in a fresh clone runs the project's own CLI at once. npm exec installs a project whose package.json has
// a bin of the asked name into npx's cache first (running its prepare script: tsc and the bundle, ~8 s on a fresh
// clone's first call), so the project declares no bin and a local link package (bin/link) puts mhil into
// node_modules/.bin, where npm exec looks next.
import { spawnSync } from "node:child_process";
import { readFileSync, realpathSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { version: string; bin?: unknown; dependencies: Record<string, string> };

describe("the mhil command for npx", () => {
  it("comes from node_modules/.bin through bin/link, and the project itself declares no bin", () => {
    expect(pkg.bin).toBeUndefined();
    expect(pkg.dependencies["mhil-bin-link"]).toBe("file:bin/link");
    expect(realpathSync("node_modules/.bin/mhil")).toBe(resolve("bin/link/mhil.js"));
    const run = spawnSync("node_modules/.bin/mhil", ["--version"], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
  });
});
