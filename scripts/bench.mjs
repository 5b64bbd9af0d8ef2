#!/usr/bin/env node
// `npm run bench -- [NAME...]`: runs the named benchmarks (all by default) from dist/bench/*.js and
// prints one JSON object on stdout, one key per benchmark. Progress goes to stderr.
import { spawnSync } from "node:child_process";
import { readdirSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const build = spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { stdio: ["ignore", "ignore", "inherit"] });
if (build.status !== 0) process.exit(build.status ?? 1);

const dir = join(process.cwd(), "dist", "bench");
const all = [];
for (const f of readdirSync(dir).filter((f) => f.endsWith(".js")).sort()) {
  const mod = await import(pathToFileURL(join(dir, f)).href);
  if (Array.isArray(mod.benchmarks)) all.push(...mod.benchmarks);
}
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.some((b) => b.name === w));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}. Known: ${all.map((b) => b.name).join(", ")}`);
  process.exit(2);
}
const chosen = wanted.length > 0 ? all.filter((b) => wanted.includes(b.name)) : all;
const results = {};
for (const b of chosen) {
  process.stderr.write(`bench ${b.name} ...\n`);
  const t0 = Date.now();
  try {
    results[b.name] = await b.run();
  } catch (e) {
    results[b.name] = { error: String(e?.message ?? e) };
  }
  process.stderr.write(`bench ${b.name}: ${JSON.stringify(results[b.name])} (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
}
mkdirSync("bench-out", { recursive: true });
writeFileSync(join("bench-out", "bench.json"), JSON.stringify(results, null, 2) + "\n");
console.log(JSON.stringify(results));
