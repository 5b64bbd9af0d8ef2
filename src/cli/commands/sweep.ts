// `mhil sweep --config FILE`: runs the E-vs-I protocol grid (resumable, K worker processes, or one shard),
// then writes SWEEP/summary.json (β on each end of the bracket, verdict, reasons) and SWEEP/report.html.
// `mhil sweep merge DIR...` joins shards and does the same; `mhil sweep submit --slurm` runs it on a cluster.
import { basename, join, resolve } from "node:path";
import type { Command } from "commander";
import cliProgress from "cli-progress";
import { UserError } from "../../hal/user-error.js";
import { checkTrainSettings, parseShard, readSweepConfig, type SweepConfig } from "../../experiment/sweep-config.js";
import { runSweep } from "../../experiment/sweep-runner.js";
import { checkRecallSettings } from "../../experiment/recall-points.js";
import { mergeSweepDirs } from "../../experiment/sweep-merge.js";
import { summarizeSweep, writeSweepSummary } from "../../experiment/sweep-summary.js";
import { registerSubmit } from "./sweep-submit.js";
import { runTelemetryFactory } from "../../telemetry/runAdapter.js";

export function register(program: Command): void {
  const sweep = program
    .command("sweep")
    .description("run an E-vs-I sweep: every grid point is a run directory under OUT/runs; then summary.json and report.html")
    .option("-c, --config <file>", "sweep config (JSON; see examples/sweep-small.json)")
    .option("-o, --out <dir>", "sweep directory (default: sweeps/<config name>)")
    .option("-j, --jobs <k>", "worker processes running points in parallel", "1")
    .option("--shard <i/K>", "run only shard i of K (0-based); on Slurm, `mhil sweep submit --slurm` writes the array job")
    .option("--no-progress", "no progress bar on stderr")
    .option("--state-dir <dir>", "where per-device wear counts are kept (default $MHIL_STATE_DIR, else ~/.local/state/memristor-hil)")
    .option("--influx <url>", "also ship every point's telemetry (tagged with host and shard) to InfluxDB 1.x at http://HOST:8086/DATABASE")
    .option("--influx-credentials <file>", "InfluxDB credentials file (default: INFLUX_USERNAME/INFLUX_PASSWORD from the environment)")
    .action(async (opts: { config?: string; out?: string; jobs: string; shard?: string; progress: boolean; stateDir?: string; influx?: string; influxCredentials?: string }) => {
      if (!opts.config) throw new UserError("sweep: --config FILE is required (or use `mhil sweep merge DIR...`)");
      // Every point counts its pulses against the device's wear; the worker processes inherit where.
      if (opts.stateDir) process.env.MHIL_STATE_DIR = resolve(opts.stateDir);
      const config = readSweepConfig(opts.config);
      if (config.kind === "recall") checkRecallSettings(config, opts.config);
      else checkTrainSettings(config, opts.config);
      const jobs = Number(opts.jobs);
      if (!Number.isInteger(jobs) || jobs < 1) throw new UserError(`sweep: --jobs: "${opts.jobs}" is not a positive integer`);
      const shard = opts.shard ? parseShard(opts.shard) : undefined;
      const sweepDir = opts.out ?? join("sweeps", config.name);
      // Every point journals its telemetry; --influx also ships it (a bad URL is refused here, before any point runs).
      const telemetry = { ...(opts.influx !== undefined ? { influxUrl: opts.influx } : {}), ...(opts.influxCredentials !== undefined ? { credentialsFile: resolve(opts.influxCredentials) } : {}) };
      runTelemetryFactory(telemetry);
      const bar = opts.progress ? new cliProgress.SingleBar({ stream: process.stderr, format: "sweep |{bar}| {value}/{total} points | {failed} failed | ETA {eta_formatted} | {last}", hideCursor: true, noTTYOutput: true, notTTYSchedule: 10_000 }, cliProgress.Presets.shades_classic) : null;
      // Ctrl-C or SIGTERM: no new point starts, the workers stop theirs safely and exit, and we say how to resume.
      const stop = new AbortController();
      const onSignal = (sig: NodeJS.Signals) => {
        if (stop.signal.aborted) return;
        process.stderr.write(`\nsweep: ${sig}: stopping; the workers finish nothing more and ground their devices\n`);
        stop.abort(new Error(sig));
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      const result = await runSweep({
        config,
        configSource: opts.config,
        sweepDir,
        jobs,
        signal: stop.signal,
        telemetry,
        ...(shard ? { shard } : {}),
        onStart: (p) => {
          process.stderr.write(`sweep ${config.name}: ${p.total} point(s) to run${p.skipped ? `, ${p.skipped} already finished (skipped)` : ""}${shard ? ` in shard ${shard.index}/${shard.count}` : ""}, ${jobs} worker(s) → ${sweepDir}\n`);
          bar?.start(p.total, 0, { failed: 0, last: "" });
        },
        onProgress: (p) => bar?.update(p.done, { failed: p.failed, last: p.last ?? "" }),
      });
      bar?.stop();
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      if (result.stopped) {
        const again = `mhil sweep --config ${opts.config}${opts.out ? ` --out ${opts.out}` : ""}${opts.shard ? ` --shard ${opts.shard}` : ""} --jobs ${jobs}`;
        process.stderr.write(`sweep: stopped by ${String(stop.signal.reason instanceof Error ? stop.signal.reason.message : stop.signal.reason)} with ${result.remaining} of ${result.planned} point(s) unfinished; finished runs are kept. To resume, run the same command again: ${again}\n`);
        process.exitCode = 130;
        return;
      }
      for (const f of result.failed) process.stderr.write(`sweep: point ${f.name} failed: ${f.error}\n`);
      if (shard && !result.complete) {
        process.stderr.write(`sweep: shard ${shard.index}/${shard.count} done (${result.ran} ran, ${result.skipped} skipped); other points are not finished yet — run \`mhil sweep merge ${sweepDir}\` when every shard has finished\n`);
      } else {
        await finish(sweepDir, config);
      }
      if (result.failed.length > 0) process.exitCode = 1;
    });

  sweep
    .command("merge")
    .description("join sweep directories (shards of one sweep) into --into (default: the first), then summary.json and report.html")
    .argument("<dirs...>", "sweep directories holding the same sweep.json")
    // Not --out: commander would give it to the parent `sweep` command, which has its own --out.
    .option("--into <dir>", "target sweep directory (default: the first DIR)")
    .option("--partial", "merge even if grid points have no successful run: the verdict covers the points there and is marked partial")
    .action(async (dirs: string[], opts: { into?: string; partial?: boolean }) => {
      const target = opts.into ?? dirs[0]!;
      // Without --partial a grid point missing everywhere refuses the merge (exit 2), naming every such point.
      const m = mergeSweepDirs(dirs, target, { partial: opts.partial === true });
      process.stderr.write(`sweep merge: ${m.copied} run(s) copied, ${m.alreadyPresent} already in ${basename(target)}, ${m.unfinished} unfinished left out\n`);
      if (m.missing.length > 0) process.stderr.write(`sweep merge --partial: ${m.missing.length} grid point(s) have no successful run: ${m.missing.join(", ")}\n`);
      await finish(target, m.config);
    });

  registerSubmit(sweep);
}

async function finish(sweepDir: string, config: SweepConfig): Promise<void> {
  const summary = summarizeSweep(sweepDir, config);
  const summaryPath = writeSweepSummary(sweepDir, summary);
  const { buildReport } = await import("../../report/build-report.js"); // vega: loaded only when a report is written
  const reportPath = await buildReport(sweepDir);
  const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));
  for (const [end, b] of Object.entries(summary.beta)) {
    if (b) process.stderr.write(`β (${end} end, ${b.method}): ${fmt(b.estimate)} [95% CI ${fmt(b.ci95[0])}, ${fmt(b.ci95[1])}]\n`);
  }
  const partial = summary.partial ? ` (partial: ${summary.points.analysed} of ${summary.points.grid} grid points)` : "";
  process.stderr.write(`verdict${partial}: ${summary.verdict}\n${summary.reasons.map((r) => `  - ${r}`).join("\n")}\n`);
  process.stdout.write(`${summaryPath}\n${reportPath}\n`);
}
