// The product benchmarks (mvm_64_per_s, mvm_256_per_s): ours and the numpy anchor measured on the same core.
//
// This machine's two cores are not alike: on one, both sides run ~1.4× slower than on the other (256×256: ours 5.6–6.3
// against 8.3–8.6 µs a product, the anchor 71–76k against 54–71k products/s, measured pinned with taskset), as if it
// were shared with another tenant. Unpinned, each process lands on either, so a best-of-three of each side compared
// one core's figure with the other's as often as not (ratios 1.69–1.98 for one build). Pinned, each side is measured on
// every core in turn, so each gets the same chances at the quiet one; the headline is the best figure of each side
// (interference only ever slows a run down), and every core's figures and ratio are in the notes. Where taskset or a
// second core is missing, both run unpinned.
import { execFileSync, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { anchorNumber, pinnedTo, runAnchorOnce } from "./anchor.js";
import { DEVICE_ANCHOR as ANCHOR } from "./anchor-device.js";
import type { BenchResult } from "./types.js";

/** Runs of the anchor per core: its figure is the best of them (ours: the best of three windows in one process). */
const ANCHOR_RUNS = 3;
/** Devices the anchor updates when it is run for its products only (its products do not depend on them). */
const PRODUCT_ANCHOR_DEVICES = 1024;
const CHILD = join(dirname(fileURLToPath(import.meta.url)), "pinned", "product-rate.js");

/** The cores this process may run on (`taskset -cp`), or [] when it cannot pin a child or has one core. */
export function pinnableCores(): number[] {
  const probe = spawnSync("taskset", ["-cp", String(process.pid)], { encoding: "utf8" });
  if (probe.status !== 0) return [];
  const list = /affinity list:\s*(\S+)/.exec(probe.stdout)?.[1] ?? "";
  const cores: number[] = [];
  for (const part of list.split(",")) {
    const [a, b] = part.split("-").map(Number);
    if (!Number.isInteger(a)) return [];
    for (let c = a!; c <= (b ?? a)!; c++) cores.push(c);
  }
  return cores.length >= 2 ? cores : [];
}

function oursOnce(size: number, core: number | null): number {
  const [file, ...rest] = pinnedTo(core, [process.execPath, CHILD, String(size)]);
  const out = execFileSync(file!, rest, { encoding: "utf8" });
  return (JSON.parse(out.trim().split("\n").pop()!) as { rate: number }).rate;
}

function anchorBest(key: string, core: number | null): number {
  let best = 0;
  for (let r = 0; r < ANCHOR_RUNS; r++) {
    best = Math.max(best, anchorNumber(ANCHOR, runAnchorOnce(ANCHOR, [String(PRODUCT_ANCHOR_DEVICES)], core ?? undefined), key));
  }
  return best;
}

/** Products/s of a size×size array, ours and the anchor's (`key`), per core; the ratio of each side's best. */
export async function pinnedProductRatio(size: number, key: string): Promise<BenchResult> {
  const cores = pinnableCores();
  const perCore: { core: number | null; ours: number; anchor: number; ratio: number }[] = [];
  for (const core of cores.length > 0 ? cores : [null]) {
    const anchor = anchorBest(key, core);
    const ours = oursOnce(size, core);
    perCore.push({ core, ours: Math.round(ours), anchor: Math.round(anchor), ratio: +(ours / anchor).toFixed(2) });
  }
  const ours = Math.max(...perCore.map((c) => c.ours));
  const anchor = Math.max(...perCore.map((c) => c.anchor));
  return {
    ours,
    anchor,
    ratio: ours / anchor,
    unit: "mvm/s",
    notes: {
      size: `${size}x${size}`, vectorsPerCall: 1, pinned: cores.length > 0 ? "each side on every core in turn; each side's best" : "no (taskset or a second core missing)",
      perCore, bestOf: { ours: "3 one-second windows after 3 s warm-up", anchor: `${ANCHOR_RUNS} runs` },
    },
  };
}
