// Simulator benchmarks: pulsed device updates and matrix-vector products, each beside the numpy anchor
// (device_update_numpy.py in the anchors folder, bench/anchor.ts) run in the same invocation.
import { Rng } from "../src/random/rng.js";
import { createDeviceModel, newTally } from "../sim/devices/models.js";
import { drawPopulation } from "../sim/devices/population.js";
import { anchorNumber, runAnchor } from "./anchor.js";
import { ANCHOR_DEVICE, DEVICE_ANCHOR as ANCHOR } from "./anchor-device.js";
import { pinnedProductRatio } from "./pinned-products.js";
import { withRatio, type Benchmark } from "./types.js";

function anchorFigure(key: string): number {
  return anchorNumber(ANCHOR, runAnchor(ANCHOR), key);
}

/** Updates/s of the SoftBounds pulse kernel the crossbar uses, on 2^20 devices with random signs, 20 rounds (the anchor's work). */
function devicePulseUpdatesPerSecond(): number {
  const n = 1 << 20;
  const rng = new Rng(0);
  const pop = drawPopulation(ANCHOR_DEVICE, n, rng.fork("devices"));
  const model = createDeviceModel(ANCHOR_DEVICE);
  const g = pop.conductances; // where the crossbar keeps them: beside the device properties, in the kernel's memory
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 0; i < n; i++) {
    g[i] = pop.gMin[i]! + (pop.gMax[i]! - pop.gMin[i]!) * rng.uniform();
    (rng.uniform() < 0.5 ? up : down).push(i);
  }
  const upCells = Int32Array.from(up), downCells = Int32Array.from(down);
  const write = rng.fork("write");
  const tally = newTally();
  const round = () => {
    model.pulse(g, pop, upCells, 0, upCells.length, 1, 1, 1, Infinity, write, tally);
    model.pulse(g, pop, downCells, 0, downCells.length, 1, -1, 1, Infinity, write, tally);
  };
  for (let w = 0; w < 3; w++) round(); // warm-up: one round left the kernels' optimized compile inside the timed rounds (first two ~1.5× slower)
  const reps = 20;
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) round();
  const seconds = (performance.now() - t0) / 1000;
  return (n * reps) / seconds;
}

export const benchmarks: Benchmark[] = [
  {
    name: "device_pulse_updates_per_s",
    async run() {
      const ours = devicePulseUpdatesPerSecond();
      return withRatio(ours, anchorFigure("device_pulse_updates_per_s"), "updates/s", { devices: 1 << 20, rounds: 20, model: "softBounds", c2c: 0.05, d2d: 0.2 });
    },
  },
  {
    name: "mvm_64_per_s",
    run: () => pinnedProductRatio(64, "mvm_64x64_per_s"),
  },
  {
    name: "mvm_256_per_s",
    run: () => pinnedProductRatio(256, "mvm_256x256_per_s"),
  },
];
