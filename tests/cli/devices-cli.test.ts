// `mhil devices` where udevadm is missing (issue 19): the serial ports are listed without their details, and a
// plain sentence says why, instead of `spawn udevadm ENOENT`. Through the compiled CLI.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const BIN = resolve("bin/mhil.js");
const work = mkdtempSync(join(tmpdir(), "mhil-devices-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const env = { ...process.env, MHIL_STATE_DIR: join(work, "state") };
const mhil = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [BIN, ...args], { cwd: work, encoding: "utf8", timeout: 120_000, env: { ...env, ...extraEnv } });

describe("mhil devices without udevadm", () => {
  it("says plainly that port details are unavailable without udevadm; no spawn error", () => {
    const emptyPath = join(work, "empty-path");
    mkdirSync(emptyPath);
    const r = mhil(["devices"], { PATH: emptyPath });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Serial ports.*port details \(manufacturer, USB serial number\) are unavailable: udevadm is not installed:?$/m);
    expect(r.stdout).not.toMatch(/ENOENT|spawn/);
    const json = JSON.parse(mhil(["devices", "--json"], { PATH: emptyPath }).stdout);
    expect(json.serialPortsNote).toBe("port details (manufacturer, USB serial number) are unavailable: udevadm is not installed");
    expect(json).not.toHaveProperty("serialPortsError");
  });
});

