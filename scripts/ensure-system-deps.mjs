#!/usr/bin/env node
// Makes sure the Debian tools the tests drive for real are installed: installs them with apt-get
// when run as root, otherwise stops with the exact command to run.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Debian package → how we know it is present. */
const NEEDED = [
  { pkg: "socat", present: () => onPath("socat"), why: "pseudo-terminal pairs for the serial driver tests" },
  { pkg: "influxdb", present: () => onPath("influxd"), why: "a real InfluxDB for the telemetry tests" },
  { pkg: "gcc-avr", present: () => onPath("avr-gcc"), why: "the AVR firmware build" },
  { pkg: "avr-libc", present: () => existsSync("/usr/lib/avr/include/avr/io.h"), why: "the AVR firmware build" },
  { pkg: "arduino-core-avr", present: () => existsSync("/usr/share/arduino/hardware/arduino/avr/cores/arduino"), why: "the AVR firmware build (Arduino core)" },
  { pkg: "chromium", present: () => existsSync("/usr/bin/chromium"), why: "the headless browser test of the report" },
  { pkg: "libsimavr-dev", present: () => existsSync("/usr/include/simavr/parts/uart_pty.h"), why: "running the AVR firmware image under simavr (it brings simavr's libraries)" },
  { pkg: "slurm-wlm", present: () => ["slurmctld", "slurmd"].every((d) => existsSync(`/usr/sbin/${d}`)) && onPath("sbatch"), why: "a real one-node Slurm for the sweep submit test" },
  { pkg: "munge", present: () => existsSync("/usr/sbin/munged"), why: "Slurm's authentication (the Slurm test starts its own munged)" },
];

function onPath(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

const missing = NEEDED.filter((n) => !n.present());
if (missing.length === 0) process.exit(0);

const pkgs = missing.map((m) => m.pkg).join(" ");
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
if (!isRoot) {
  console.error(`The tests need these Debian packages: ${missing.map((m) => `${m.pkg} (${m.why})`).join(", ")}.`);
  console.error(`Install them with:\n  sudo apt-get update && sudo apt-get install -y ${pkgs}`);
  process.exit(1);
}
console.error(`Installing Debian packages the tests need: ${pkgs}`);
const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
execFileSync("apt-get", ["update"], { stdio: ["ignore", "ignore", "inherit"], env });
execFileSync("apt-get", ["install", "-y", "--no-install-recommends", ...missing.map((m) => m.pkg)], { stdio: ["ignore", "ignore", "inherit"], env });
const still = missing.filter((m) => !m.present());
if (still.length > 0) {
  console.error(`apt-get finished but these are still missing: ${still.map((m) => m.pkg).join(" ")}`);
  process.exit(1);
}
