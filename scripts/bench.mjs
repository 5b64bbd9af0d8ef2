#!/usr/bin/env node
// `npm run bench -- [NAME...]`: runs the named benchmarks (all by default) from dist/bench/*.js and
// prints one JSON object on stdout, one key per benchmark. Progress goes to stderr.
//
// Each benchmark runs in a fresh Node process of its own (as JMH forks per benchmark): a benchmark
// measured after another inherits that one's heap, compiled code and GC debt, which moved the
// 64×64 product figure by 1.6× depending on what ran before it.
import { spawnSync } from "node:child_process";
import { readdirSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ONE = "--one-benchmark";

async function loadBenchmarks() {
  const dir = join(process.cwd(), "dist", "bench");
  const all = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".js")).sort()) {
    const mod = await import(pathToFileURL(join(dir, f)).href);
    if (Array.isArray(mod.benchmarks)) all.push(...mod.benchmarks);
  }
  return all;
}

async function runOne(name) {
  const b = (await loadBenchmarks()).find((x) => x.name === name);
  let result;
  try {
    result = await b.run();
  } catch (e) {
    result = { error: String(e?.message ?? e) };
  }
  process.stdout.write(JSON.stringify(result) + "\n");
}

async function main() {
  const build = spawnSync("npm", ["run", "--silent", "build"], { stdio: ["ignore", "ignore", "inherit"] });
  if (build.status !== 0) process.exit(build.status ?? 1);
  const all = await loadBenchmarks();
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !all.some((b) => b.name === w));
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(", ")}. Known: ${all.map((b) => b.name).join(", ")}`);
    process.exit(2);
  }
  const chosen = wanted.length > 0 ? all.filter((b) => wanted.includes(b.name)) : all;
  const started = new Date().toISOString();
  const results = {};
  for (const b of chosen) {
    process.stderr.write(`bench ${b.name} ...\n`);
    const t0 = Date.now();
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ONE, b.name], {
      stdio: ["ignore", "pipe", "inherit"],
      encoding: "utf8",
      maxBuffer: 1 << 24,
    });
    const last = (child.stdout ?? "").trim().split("\n").pop() ?? "";
    try {
      results[b.name] = JSON.parse(last);
    } catch {
      results[b.name] = { error: `benchmark process exited with ${child.status ?? child.signal} and no result` };
    }
    process.stderr.write(`bench ${b.name}: ${JSON.stringify(results[b.name])} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  }
  // bench.json is the latest run; a copy named by its start time keeps every run for comparison.
  mkdirSync("bench-out", { recursive: true });
  const text = JSON.stringify(results, null, 2) + "\n";
  writeFileSync(join("bench-out", "bench.json"), text);
  writeFileSync(join("bench-out", `bench-${started.replace(/[:.]/g, "-")}.json`), text);
  console.log(JSON.stringify(results));
}

if (process.argv[2] === ONE) await runOne(process.argv[3]);
else await main();
