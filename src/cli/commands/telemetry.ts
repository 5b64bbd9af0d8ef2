// `mhil telemetry push RUN_DIR --influx URL` ships (or re-ships) a run's journal; `mhil telemetry status RUN_DIR`
// prints its counters. Credentials come from INFLUX_USERNAME/INFLUX_PASSWORD or --influx-credentials FILE.
import type { Command } from "commander";
import { describeOutcome } from "../../telemetry/lineSink.js";
import { pushRun, telemetryStatus } from "../../telemetry/push.js";
import { UserError } from "../../hal/user-error.js";

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n <= 0) throw new UserError(`${name} must be a positive integer, got ${JSON.stringify(v)}`);
    return n;
  };
}

function positiveSeconds(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UserError(`${name} must be a positive number of seconds, got ${JSON.stringify(v)}`);
    return n;
  };
}

export function register(program: Command): void {
  const telemetry = program.command("telemetry").description("the run's telemetry journal (telemetry.lp) and its InfluxDB shipping");

  telemetry
    .command("push")
    .description("ship a run's journal to InfluxDB, continuing from its offset file (idempotent: points keep their journal timestamps)")
    .argument("<run-dir>", "run directory holding telemetry.lp")
    .requiredOption("--influx <url>", "InfluxDB 1.x write endpoint, http://HOST:8086/DATABASE")
    .option("--influx-credentials <file>", 'file with {"username","password"} JSON or INFLUX_USERNAME=/INFLUX_PASSWORD= lines (default: those environment variables)')
    .option("--from-start", "forget the offset file and the dead-letter file and ship the whole journal again")
    .option("--batch-size <points>", "points per request", positiveInt("--batch-size"), 20_000)
    .option("--parallel <requests>", "requests in flight at once", positiveInt("--parallel"), 4)
    .option("--timeout <seconds>", "give up after this long while the server is unreachable", positiveSeconds("--timeout"), 60)
    .action(async (runDir: string, o: { influx: string; influxCredentials?: string; fromStart?: boolean; batchSize: number; parallel: number; timeout: number }) => {
      const res = await pushRun({
        runDir,
        influxUrl: o.influx,
        ...(o.influxCredentials !== undefined ? { credentialsFile: o.influxCredentials } : {}),
        fromStart: o.fromStart === true,
        batchSize: o.batchSize,
        maxInFlight: o.parallel,
        timeoutMs: o.timeout * 1000,
        log: (line) => process.stderr.write(line + "\n"),
      });
      const c = res.counters;
      process.stdout.write(`added ${c.added}, written ${c.written}, dead-lettered ${c.deadLettered}, dropped ${c.dropped}, pending ${c.pending}\n`);
      if (!res.complete) {
        // A server that refuses (wrong database, credentials) ends the push at once; one that is away, after --timeout.
        const tried = res.problem?.kind === "refused" ? "" : ` after trying for ${o.timeout} s`;
        const why = res.problem ? describeOutcome(res.problem) : "no answer";
        throw new UserError(`telemetry push: ${c.pending} points not shipped${tried} (${why}); they stay in the journal, run the push again when this is fixed`, 1);
      }
    });

  telemetry
    .command("status")
    .description("print the run's telemetry counters: added = written + dead-lettered + dropped + pending")
    .argument("<run-dir>", "run directory holding telemetry.lp")
    .option("--json", "one JSON object instead of text")
    .action((runDir: string, o: { json?: boolean }) => {
      const s = telemetryStatus(runDir);
      if (o.json) {
        process.stdout.write(JSON.stringify(s) + "\n");
        return;
      }
      const c = s.counters;
      const lines = [
        `journal        ${s.journal} (${s.journalBytes} bytes of whole lines${s.tornTailBytes > 0 ? `, torn last line of ${s.tornTailBytes} bytes` : ""})`,
        `added          ${c.added}`,
        `written        ${c.written}`,
        `dead-lettered  ${c.deadLettered}${s.deadLetterLines > 0 ? " (telemetry.deadletter.jsonl)" : ""}`,
        `dropped        ${c.dropped}`,
        `pending        ${c.pending}`,
        `shipped up to  byte ${s.shippedThroughBytes}`,
      ];
      process.stdout.write(lines.join("\n") + "\n");
    });
}
