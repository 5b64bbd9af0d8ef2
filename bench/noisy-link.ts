// The wall time of `mhil train` over the suite's seeded byte-fault link against a clean one (issue 18: at most 1.5×):
//   noisy_link_wall_ratio: MNIST 7×7 on a 64×64 twin, 2 epochs × 200 samples (tests/serial/train-noisy-link.test.ts),
//     behind a pty whose bytes are corrupted 0.1%, dropped 0.1% and duplicated 0.05%; noisy wall / clean wall, the
//     median of `MHIL_BENCH_REPEATS` (default 3) pairs run alternately. Both runs must give the same accuracy and
//     joules (bit for bit, below).
import { spawn } from "node:child_process";
import { differingJoules } from "./same-joules.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Benchmark, BenchResult } from "./types.js";
import { parseDeviceUri } from "../src/hal/uri.js";
import { simCrossbarFromUri } from "../sim/crossbar/open.js";
import { FirmwareTwin } from "../emulators/firmware-twin/twin.js";
import { serveFaultPty } from "../emulators/pty/fault-pty.js";

const DEVICE = "sim:reram?rows=64&cols=64&seed=3";
const CONFIG = { dataset: "mnist:7x7", samples: 200, testSamples: 50, evalSteps: 20, layers: [16], learningRates: [0.2, 0.1], batchSize: 10, epochs: 2, seed: 3, weights: "crossbar" };
const SEED = 20261123;

interface Run {
  seconds: number;
  /** The summary's accuracy (JSON: equal runs give equal text) and joules. */
  accuracy: string;
  joules: unknown;
  link: string;
}

/** One `mhil train` through a fresh twin behind a fault pty at rate p (corrupt = drop = p, duplicate = p/2). */
async function trainOnce(work: string, name: string, p: number): Promise<Run> {
  const twin = await FirmwareTwin.create(simCrossbarFromUri(parseDeviceUri(DEVICE)));
  const pty = await serveFaultPty((end) => twin.serve(end), { seed: SEED, faults: { corruptProbability: p, dropProbability: p, duplicateProbability: p / 2 } });
  try {
    const configPath = join(work, `${name}.json`);
    writeFileSync(configPath, JSON.stringify(CONFIG));
    const args = [resolve("bin/mhil.js"), "train", "--config", configPath, "--device", `serial:${pty.path}`, "--out", join(work, name), "--json"];
    const started = performance.now();
    // Not spawnSync: the fault link runs in this process's event loop.
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, MHIL_STATE_DIR: join(work, "state") } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`mhil train (${name}) exited ${code}: ${stderr.trim().split("\n").pop()}`);
    const summary = JSON.parse(stdout) as { accuracy: unknown; energy_joules: unknown };
    const link = stderr.split("\n").find((l) => / link: \d+ requests/.test(l))?.trim() ?? "";
    return { seconds, accuracy: JSON.stringify(summary.accuracy), joules: summary.energy_joules, link };
  } finally {
    await pty.close();
    twin.stop();
  }
}

async function wallRatio(): Promise<BenchResult> {
  const repeats = Number(process.env.MHIL_BENCH_REPEATS ?? 3);
  const work = mkdtempSync(join(tmpdir(), "mhil-bench-noisy-"));
  try {
    const ratios: number[] = [];
    const pairs: { clean: number; noisy: number }[] = [];
    let last: { clean: Run; noisy: Run } | null = null;
    for (let i = 0; i < repeats; i++) {
      const clean = await trainOnce(work, `clean-${i}`, 0);
      const noisy = await trainOnce(work, `noisy-${i}`, 0.001);
      const differs = noisy.accuracy !== clean.accuracy ? "accuracy" : differingJoules(noisy.joules, clean.joules, "joules");
      if (differs) throw new Error(`the noisy run differs from the clean one in ${differs}`);
      ratios.push(noisy.seconds / clean.seconds);
      pairs.push({ clean: +clean.seconds.toFixed(2), noisy: +noisy.seconds.toFixed(2) });
      last = { clean, noisy };
    }
    const sorted = [...ratios].sort((a, b) => a - b);
    return {
      ours: sorted[Math.floor(sorted.length / 2)]!,
      unit: "noisy wall time / clean wall time",
      notes: { device: DEVICE, faults: "corrupt 0.1%, drop 0.1%, duplicate 0.05% of bytes", seed: SEED, pairs, ratios: ratios.map((r) => +r.toFixed(2)), noisyLink: last?.noisy.link, cleanLink: last?.clean.link, need: "≤ 1.5" },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [{ name: "noisy_link_wall_ratio", run: wallRatio }];
