#!/usr/bin/env node
// Entry point for the `mhil` command: runs the compiled CLI (built by `npm install` via `prepare`), bundled
// into one file when the bundle is at least as new as the compiled modules (scripts/bundle-cli.mjs).
import { existsSync, statSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const main = join(root, "dist", "src", "cli", "main.js");
const bundle = join(root, "dist", "cli-bundle", "main.js");
if (!existsSync(main)) {
  console.error(`mhil: the compiled CLI is missing (${main}). Run: npm run build`);
  process.exit(2);
}
const fresh = existsSync(bundle) && statSync(bundle).mtimeMs >= statSync(main).mtimeMs;
await import(pathToFileURL(fresh ? bundle : main).href);
