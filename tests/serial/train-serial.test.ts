// `mhil train --device serial:/dev/pts/N` against `mhil sim serve` gives the same accuracy and joules as
// `--device sim:` with the same seed and preset (the compiled CLI, a real socat pty, two processes).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const BIN = resolve("bin/mhil.js");
const DEVICE = "sim:reram?rows=64&cols=64&seed=3";
const work = mkdtempSync(join(tmpdir(), "mhil-serial-train-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

function train(device: string, out: string): Record<string, any> {
  const r = spawnSync(process.execPath, [BIN, "train", "--weights", "crossbar", "--device", device, "--dataset", "mnist:7x7", "--samples", "40", "--test-samples", "20", "--epochs", "1", "--seed", "3", "--out", out, "--json"], { encoding: "utf8", timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

describe("mhil train over serial: against mhil sim serve", () => {
  it("same accuracy and the same joules as sim: with the same seed and preset", async () => {
    expect(existsSync(resolve("dist/src/cli/main.js")), "run `npx tsc -p tsconfig.json` first").toBe(true);
    const serve = spawn(process.execPath, [BIN, "sim", "serve", "--device", DEVICE], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(serve);
    const path = await new Promise<string>((res, rej) => {
      let out = "";
      serve.stdout!.on("data", (c: Buffer) => {
        out += c.toString();
        if (out.includes("\n")) res(out.split("\n")[0]!.trim());
      });
      serve.once("exit", (code) => rej(new Error(`mhil sim serve exited ${code}`)));
    });
    expect(path).toMatch(/^\/dev\/pts\/\d+$/);
    const viaSerial = train(`serial:${path}`, join(work, "serial"));
    const viaSim = train(DEVICE, join(work, "sim"));
    expect(viaSerial.accuracy).toEqual(viaSim.accuracy);
    // Bit for bit: the driver's product lines add vectors' joules on the simulator's binary grid (sim/crossbar/energy-grid.ts;
    // 12 digits before). Reads of a whole array and multi-pulse programs are not on a grid (twin-known-answers.test.ts):
    // on this run their sums happen to agree too; a change that moves them in the last bits may relax this to 12 digits.
    expect(viaSerial.energy_joules.total).toBe(viaSim.energy_joules.total);
    expect(viaSerial.energy_joules.by_physical_component).toEqual(viaSim.energy_joules.by_physical_component);
    expect(viaSerial.energy_joules.by_activity).toEqual(viaSim.energy_joules.by_activity);
    expect(viaSerial.pulses).toBe(viaSim.pulses);
    // What the link cost is in the run's records and telemetry journal; the in-process simulator has no link.
    const epochOf = (dir: string) =>
      readFileSync(join(dir, "records.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l)).find((d) => d.type === "event" && d.data.checkpoint).data;
    const link = epochOf(viaSerial.run_dir).link;
    expect(link.requests).toBeGreaterThan(viaSerial.pulses > 0 ? 10 : 0);
    expect(link.linesSent).toBeGreaterThanOrEqual(link.requests);
    expect(epochOf(viaSim.run_dir).link).toBeUndefined();
    const journal = readFileSync(join(viaSerial.run_dir, "telemetry.lp"), "utf8").split("\n").find((l) => l.startsWith("device_health,"));
    expect(journal).toContain(`link_requests=${link.requests}i`);
    // SIGINT stops the server cleanly (the pty goes away).
    const exited = new Promise<number | null>((r) => serve.once("exit", (code) => r(code)));
    serve.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(existsSync(path)).toBe(false);
  }, 120_000);
});
