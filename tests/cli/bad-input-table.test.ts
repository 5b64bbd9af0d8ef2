// Every command a new user runs, with a table of bad inputs (issue 19): each answer is one line on stderr naming
// the flag, field or file, exit code 2 for what the user can fix, no stack trace (stacks only under --debug), and
// nothing written: the working folder holds afterwards exactly what it held before. Through the compiled CLI, each
// case in a fresh folder with its own state directory.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const BIN = resolve("bin/mhil.js");
const root = mkdtempSync(join(tmpdir(), "mhil-bad-input-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Case {
  args: string[];
  /** What the one line must name (a flag, a field, a file). */
  names: RegExp;
  /** Files the case needs in its folder first. */
  files?: Record<string, string>;
}

const CASES: Case[] = [
  // train
  { args: ["train", "--epochs", "abc"], names: /^mhil: --epochs abc: must be an integer$/ },
  { args: ["train", "--epochs", "-1"], names: /^mhil: --epochs -1: must be an integer ≥ 1$/ },
  { args: ["train", "--classes", "1"], names: /^mhil: --classes 1: must be an integer ≥ 2$/ },
  { args: ["train", "--temperature", "hot"], names: /^mhil: --temperature hot: must be a number$/ },
  { args: ["train", "--labels", "weird"], names: /^mhil: command line: labels: must be real, random, control/ },
  { args: ["train", "--layers", "500,x"], names: /^mhil: --layers 500,x: "x" is not a layer size/ },
  { args: ["train", "--dataset", "mnist:7x7", "--downsample", "14x14"], names: /^mhil: --downsample 14x14: --dataset mnist:7x7 already sets 7x7/ },
  { args: ["train", "--update", "sideways"], names: /'--update <protocol>' argument 'sideways' is invalid/ },
  { args: ["train", "--device", "bogus:x"], names: /^mhil: device URI "bogus:x": unknown scheme "bogus"/ },
  { args: ["train", "--device", "sim:reram?rows=4&cols=4"], names: /^mhil: network 49-10 does not fit on a 4×4 crossbar \(--device sim:reram\?rows=4&cols=4\): its weights need 980 cells as conductance pairs; use a larger device/ },
  { args: ["train", "--config", "nofile.json"], names: /^mhil: nofile\.json: \(top level\): file not found$/ },
  { args: ["train", "--config", "c.json"], files: { "c.json": '{"epochs": 0}' }, names: /^mhil: c\.json: epochs: / },
  { args: ["train", "--dataset", "csv:nofile.csv"], names: /^mhil: nofile\.csv: cannot read/ },
  { args: ["train", "--resume", "nodir"], names: /^mhil: nodir: not a run directory/ },
  { args: ["train", "--out", "/proc/nope"], names: /^mhil: \/proc\/nope: cannot create the folder for run directories/ },
  // calibrate
  { args: ["calibrate", "--out", "x.json", "--volts", "50"], names: /^mhil: --volts 50: above the device's positive program limit, 1\.6 V .*; nothing was measured$/ },
  { args: ["calibrate", "--out", "x.json", "--width", "1e-12"], names: /^mhil: --width 1e-12: outside the device's pulse widths/ },
  { args: ["calibrate", "--out", "x.json", "--cells", "0"], names: /^mhil: --cells 0: must be a positive integer$/ },
  { args: ["calibrate", "--out", "x.json", "--procedure", "bogus"], names: /^mhil: --procedure bogus: must be one of iv, pulse, noise, threshold, write-noise, spread, periphery, full$/ },
  { args: ["calibrate", "--procedure", "iv"], names: /^mhil: --out FILE is required/ },
  { args: ["calibrate", "--out", "/proc/nope/a.json"], names: /^mhil: \/proc\/nope\/a\.json: cannot be written in \/proc\/nope \(ENOENT\); nothing was measured$/ },
  { args: ["calibrate", "fit", "nofile.json"], names: /^mhil: nofile\.json: cannot read/ },
  // info, devices
  { args: ["info", "--device", "sim:bogus"], names: /^mhil: device URI "sim:bogus": unknown preset "bogus"/ },
  { args: ["info", "--device", "sim:reram?rows=0"], names: /^mhil: device URI "sim:reram\?rows=0": parameter rows=0 must be an integer ≥ 1/ },
  { args: ["devices", "--bogus"], names: /unknown option '--bogus'/ },
  // simulated devices
  { args: ["sim", "serve", "--baud", "fast"], names: /^mhil: --baud fast: must be a positive number \(e\.g\. 115200\)$/ },
  { args: ["sim", "serve", "--firmata", "--baud", "9600"], names: /^mhil: --baud: the Firmata twin runs at its board's own baud rate/ },
  // sweeps and reports
  { args: ["sweep", "--config", "nofile.json"], names: /^mhil: nofile\.json: cannot read the sweep config/ },
  { args: ["sweep", "--config", "s.json"], files: { "s.json": '{"name":"x","grid":{"n":[8],"classes":[2],"labels":["random"],"budgets":[{"epochs":1}],"seeds":2,"sedes":3}}' }, names: /^mhil: s\.json: .*"sedes"/ },
  { args: ["sweep", "merge", "nodir"], names: /^mhil: nodir\/sweep\.json: missing; nodir is not a sweep directory$/ },
  { args: ["report", "nodir"], names: /^mhil: report: nodir is not a directory$/ },
  // telemetry
  { args: ["telemetry", "push", "nodir", "--influx", "http://127.0.0.1:9/db"], names: /^mhil: nodir: no telemetry journal/ },
  { args: ["telemetry", "push", "run", "--influx", "notaurl"], files: { "run/telemetry.lp": "" }, names: /^mhil: --influx <unparseable URL>: / },
];

describe("bad input, command by command: one line naming the culprit, exit 2, no stack, nothing written", () => {
  it.each(CASES.map((c, i) => [c.args.join(" "), c, i] as const))("mhil %s", (_label, c, i) => {
    const cwd = join(root, `case-${i}`);
    mkdirSync(cwd);
    for (const [name, text] of Object.entries(c.files ?? {})) {
      mkdirSync(join(cwd, name, ".."), { recursive: true });
      writeFileSync(join(cwd, name), text);
    }
    const before = readdirSync(cwd, { recursive: true }).sort();
    const r = spawnSync(process.execPath, [BIN, ...c.args], { cwd, encoding: "utf8", timeout: 120_000, env: { ...process.env, MHIL_STATE_DIR: join(root, `state-${i}`) } });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    // Commander's own refusals add its usage hint on a second line; ours are one line.
    const lines = r.stderr.trimEnd().split("\n").filter((l) => l !== "(add --help for usage)");
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(c.names);
    expect(readdirSync(cwd, { recursive: true }).sort()).toEqual(before);
  });
});
