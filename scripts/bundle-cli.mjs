// Bundles the compiled CLI (dist/src/cli/main.js and the modules it imports, not the packages in
// node_modules) into dist/cli-bundle/main.js (and a chunk per dynamic import), which bin/mhil.js runs: Node 20 spends ~1–2 ms on every ES
// module it resolves, reads and links, and the train command's ~150 modules were 0.3–0.4 s of its start.
// Run after tsc (npm run build does both); bin/mhil.js falls back to dist/src/cli/main.js when the bundle
// is older than it (tsc ran since), so a stale bundle is never run.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// Chunk names carry a content hash: without emptying the folder first, every build left the last one's chunks behind.
rmSync(join(root, "dist", "cli-bundle"), { recursive: true, force: true });
await build({
  entryPoints: [join(root, "dist", "src", "cli", "main.js")],
  outdir: join(root, "dist", "cli-bundle"),
  // Chunks per dynamic import: a package imported only behind one (vega, serialport, johnny-five) stays unloaded.
  splitting: true,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  logLevel: "warning",
});
