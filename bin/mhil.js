#!/usr/bin/env node
// Entry point for the `mhil` command: runs the compiled CLI (built by `npm install` via `prepare`).
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const main = join(root, "dist", "src", "cli", "main.js");
if (!existsSync(main)) {
  console.error(`mhil: the compiled CLI is missing (${main}). Run: npm run build`);
  process.exit(2);
}
await import(pathToFileURL(main).href);
