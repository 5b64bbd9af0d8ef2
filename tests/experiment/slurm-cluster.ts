// A real one-node Slurm for tests: Debian's munge and slurm-wlm daemons (munged, slurmctld, slurmd) on a
// temporary configuration (a temporary directory, free loopback ports, this host as the only node, its own
// munge socket and key), stopped by PID afterwards. Client commands reach it through SLURM_CONF.
//
//   const slurm = await startSlurm();   // throws with the daemons' logs when a daemon does not come up
//   spawnSync("sbatch", [...], { env: slurm.env });
//   await slurm.stop();
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../bench/telemetry-influxd.js";

const DAEMONS = { munged: "/usr/sbin/munged", slurmctld: "/usr/sbin/slurmctld", slurmd: "/usr/sbin/slurmd" } as const;
const CLIENTS = ["sbatch", "squeue", "scancel", "scontrol", "sinfo"];

/** Why this machine cannot run the Slurm test, or null when it can. */
export function slurmUnavailable(): string | null {
  const missing = [...Object.values(DAEMONS).filter((p) => !existsSync(p)), ...CLIENTS.filter((c) => spawnSync("sh", ["-c", `command -v ${c}`]).status !== 0)];
  const root = process.getuid?.() === 0;
  if (missing.length > 0) {
    return `Slurm is not installed (missing ${missing.join(", ")}); ${root ? "`npm test` installs slurm-wlm and munge (scripts/ensure-system-deps.mjs)" : "as root, `npm test` installs it; or run: sudo apt-get update && sudo apt-get install -y slurm-wlm munge"}`;
  }
  if (!root) return "starting slurmd (which runs jobs as their users) needs root";
  return null;
}

export interface Slurm {
  dir: string;
  /** process.env with SLURM_CONF pointing at this cluster: pass it to every Slurm command and mhil. */
  env: NodeJS.ProcessEnv;
  nodeName: string;
  /** Runs a Slurm client command against this cluster; throws with its stderr when it fails. */
  run(cmd: string, args: string[]): string;
  /** A job's fields from `scontrol show job --oneliner` (JobState, Reason, ...), or null once Slurm forgot it. */
  job(id: string): Record<string, string> | null;
  /** The daemons' process ids, for the caller's own checks. */
  pids(): number[];
  /** The daemons' log tails, for a failed test's message. */
  logs(): string;
  /** Cancels whatever is still queued, stops slurmd, slurmctld and munged by PID, removes the directory. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value; fails (never passes) when the deadline comes first. */
export async function until<T>(what: string, timeoutMs: number, check: () => T | null | undefined | false, detail: () => string = () => ""): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== null && v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s\n${detail()}`);
    await sleep(50);
  }
}

function slurmConf(dir: string, node: string, ports: { ctld: number; slurmd: number }, cpus: number): string {
  return `# A one-node test cluster (tests/experiment/slurm-cluster.ts).
ClusterName=mhiltest
SlurmctldHost=${node}(127.0.0.1)
SlurmctldPort=${ports.ctld}
SlurmdPort=${ports.slurmd}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${join(dir, "munge", "munge.sock")}
StateSaveLocation=${join(dir, "state")}
SlurmdSpoolDir=${join(dir, "spool")}
SlurmctldPidFile=${join(dir, "slurmctld.pid")}
SlurmdPidFile=${join(dir, "slurmd.pid")}
SlurmctldLogFile=${join(dir, "slurmctld.log")}
SlurmdLogFile=${join(dir, "slurmd.log")}
# linuxproc: the process tracking that cannot see a process whose name has a space (issue 21); the sweep
# must stop under it. cgroup tracking is not needed for that and is not set up in every container.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
# Slurm's default: SIGKILL comes 30 s after SIGTERM, so a task that is gone within 5 s stopped on SIGTERM.
KillWait=30
NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} State=UNKNOWN
PartitionName=test Nodes=${node} Default=YES MaxTime=INFINITE State=UP
`;
}

export async function startSlurm(): Promise<Slurm> {
  const dir = mkdtempSync(join(tmpdir(), "mhil-slurm-"));
  // munged wants its socket's directories searchable by everyone and its key readable by it alone.
  chmodSync(dir, 0o755);
  for (const d of ["munge", "state", "spool"]) mkdirSync(join(dir, d), { mode: 0o755 });
  mkdirSync(join(dir, "key"), { mode: 0o700 });
  writeFileSync(join(dir, "key", "munge.key"), randomBytes(1024), { mode: 0o400 });
  const node = hostname().split(".")[0]!;
  const ports = { ctld: await freePort(), slurmd: await freePort() };
  while (ports.slurmd === ports.ctld) ports.slurmd = await freePort();
  const confPath = join(dir, "slurm.conf");
  writeFileSync(confPath, slurmConf(dir, node, ports, availableParallelism()));
  const env = { ...process.env, SLURM_CONF: confPath };
  const children: ChildProcess[] = [];
  const daemon = (path: string, args: string[], logName: string) => {
    const c = spawn(path, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    c.stderr!.setEncoding("utf8").on("data", (d: string) => (err = (err + d).slice(-8000)));
    c.on("exit", () => writeFileSync(join(dir, `${logName}.stderr`), err));
    children.push(c);
    return c;
  };
  const tail = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8").split("\n").slice(-15).join("\n") : "");
  const logs = () => ["munge/munged.log", "slurmctld.log", "slurmd.log"].map((f) => `--- ${f}\n${tail(f)}`).join("\n");
  const run = (cmd: string, args: string[]): string => {
    const r = spawnSync(cmd, args, { env, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
    return r.stdout;
  };
  const stopAll = async () => {
    // slurmd before slurmctld before munged; each is awaited by its exit event.
    for (const c of [...children].reverse()) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      const gone = new Promise<void>((r) => c.once("exit", () => r()));
      c.kill("SIGTERM");
      const t = setTimeout(() => c.kill("SIGKILL"), 10_000);
      await gone;
      clearTimeout(t);
    }
  };

  try {
    const munged = daemon(DAEMONS.munged, ["--foreground", `--socket=${join(dir, "munge", "munge.sock")}`, `--key-file=${join(dir, "key", "munge.key")}`, `--seed-file=${join(dir, "key", "munged.seed")}`, `--pid-file=${join(dir, "munge", "munged.pid")}`, `--log-file=${join(dir, "munge", "munged.log")}`], "munged");
    await until("munged's socket", 20_000, () => munged.exitCode === null && existsSync(join(dir, "munge", "munge.sock")), logs);
    daemon(DAEMONS.slurmctld, ["-D", "-f", confPath], "slurmctld");
    daemon(DAEMONS.slurmd, ["-D", "-f", confPath, "-N", node], "slurmd");
    await until("the Slurm node idle", 60_000, () => {
      const r = spawnSync("sinfo", ["--noheader", "--format=%T"], { env, encoding: "utf8" });
      return r.status === 0 && r.stdout.trim() === "idle";
    }, logs);
  } catch (e) {
    await stopAll();
    throw e;
  }

  return {
    dir,
    env,
    nodeName: node,
    run,
    job(id) {
      const r = spawnSync("scontrol", ["show", "job", "--oneliner", id], { env, encoding: "utf8" });
      if (r.status !== 0) return null;
      const fields: Record<string, string> = {};
      for (const m of r.stdout.matchAll(/(\w+)=(\S*)/g)) fields[m[1]!] ??= m[2]!;
      return fields;
    },
    pids: () => children.map((c) => c.pid!).filter(Boolean),
    logs,
    async stop() {
      // Nothing of the test's may run on after it: cancel every job this cluster still holds, then the daemons.
      spawnSync("scancel", ["--full", "--me"], { env });
      await until("the queue empty before the daemons stop", 60_000, () => spawnSync("squeue", ["--noheader"], { env, encoding: "utf8" }).stdout.trim() === "", logs).catch(() => undefined);
      await stopAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
