// No process of a sweep outlives it: Ctrl-C (SIGINT) or SIGTERM to the sweep's main process stops its
// workers at a safe point and exits 130 saying how to resume; a main process killed outright (SIGKILL, as
// scancel's last resort) leaves workers that notice their parent is gone and stop too. The same command
// then resumes the sweep to the end.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const MHIL = join(process.cwd(), "bin", "mhil.js");
// Points of a second or more each, so a signal lands while both workers are mid-point.
const SLOW = {
  name: "slow",
  device: "sim:reram?rows=64&cols=64&seed=1",
  base: { dataset: "mnist:7x7", weights: "crossbar", layers: [], testSamples: 20, learningRates: 0.5, batchSize: 4, T1: 8, T2: 3, persistentParticles: false },
  grid: { n: [128], classes: [4], labels: ["random", "control"], budgets: [{ epochs: 8 }], seeds: 3 },
  pilot: true,
  analysis: { bootstrapResamples: 200 },
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mhil-sweep-signals-"));
  writeFileSync(join(dir, "slow.json"), JSON.stringify(SLOW));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** PIDs whose parent is `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone while we looked
    }
  }
  return out;
}
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startSweep(out: string): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [MHIL, "sweep", "--config", "slow.json", "--out", out, "--jobs", "2", "--no-progress"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d) => (err += String(d)));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, stderr: () => err, exited };
}

/** Waits until both workers have a point under way (a run directory with its start record). */
async function untilWorkersBusy(out: string, pid: number): Promise<number[]> {
  for (;;) {
    const runs = existsSync(join(dir, out, "runs")) ? readdirSync(join(dir, out, "runs")) : [];
    const workers = childrenOf(pid);
    if (runs.length >= 2 && workers.length === 2) return workers;
    await sleep(20);
  }
}

describe("signals end the whole sweep", () => {
  it("SIGINT to the main process: workers stop their points and are gone when it exits 130, saying how to resume; the same command finishes the sweep", async () => {
    const s = startSweep("int");
    const workers = await untilWorkersBusy("int", s.child.pid!);
    s.child.kill("SIGINT");
    const interruptedAt = Date.now();
    expect(await s.exited).toBe(130);
    for (const w of workers) expect(alive(w), `worker ${w}`).toBe(false);
    process.stderr.write(`sweep --jobs 2: main process and both workers gone ${((Date.now() - interruptedAt) / 1000).toFixed(2)} s after SIGINT\n`);
    const stopped = /sweep: stopped by SIGINT with (\d+) of 6 point\(s\) unfinished; finished runs are kept\. To resume, run the same command again: mhil sweep --config slow\.json --out int --jobs 2/.exec(s.stderr());
    expect(stopped, s.stderr()).not.toBeNull();
    const unfinished = Number(stopped![1]);
    // The points cut short have a stop record "aborted" (a safe stop, device grounded), not a dangling run.
    const aborted = readdirSync(join(dir, "int", "runs")).filter((r) => readFileSync(join(dir, "int", "runs", r, "records.jsonl"), "utf8").includes('"exit_status":"aborted"'));
    expect(aborted.length).toBeGreaterThanOrEqual(1);
    const again = startSweep("int");
    expect(await again.exited, again.stderr()).toBe(0);
    // The resume runs exactly the points the stop said were unfinished (whatever had finished is skipped).
    expect(again.stderr()).toContain(`sweep slow: ${unfinished} point(s) to run${unfinished < 6 ? `, ${6 - unfinished} already finished (skipped)` : ""}, 2 worker(s)`);
    expect(JSON.parse(readFileSync(join(dir, "int", "summary.json"), "utf8")).points.analysed).toBe(6);
  }, 300_000);

  it("SIGKILL of the main process: the orphaned workers notice and stop on their own", async () => {
    const s = startSweep("kill");
    const workers = await untilWorkersBusy("kill", s.child.pid!);
    s.child.kill("SIGKILL");
    await s.exited;
    // Each worker stops at its point's next safe point (a batch); poll until both are gone.
    const t0 = Date.now();
    while (workers.some(alive)) await sleep(20);
    const seconds = (Date.now() - t0) / 1000;
    process.stderr.write(`orphaned sweep workers gone ${seconds.toFixed(2)} s after the main process was killed\n`);
    for (const w of workers) expect(alive(w)).toBe(false);
  }, 300_000);
});
