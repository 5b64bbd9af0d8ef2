// Histogram of the conductances the runs ended with (µS), one overlaid series per group, binned here so the
// chart carries ~40 bars per group instead of every device.
import type { ChartSpec } from "../render-svg.js";
import { extent, SCHEMA, WIDTH } from "./common.js";

export interface ConductanceBin {
  group: string;
  /** Bin edges, µS. */
  from: number;
  to: number;
  devices: number;
}

export function conductanceBins(siemens: Record<string, readonly number[]>, bins = 40): ConductanceBin[] {
  if (Object.values(siemens).every((g) => g.length === 0)) return [];
  const [lo, hi] = extent(Object.values(siemens).flatMap((g) => g.map((x) => x * 1e6)));
  const width = hi > lo ? (hi - lo) / bins : 1;
  const out: ConductanceBin[] = [];
  for (const [group, values] of Object.entries(siemens)) {
    const counts = new Array<number>(bins).fill(0);
    for (const g of values) counts[Math.min(bins - 1, Math.floor((g * 1e6 - lo) / width))]!++;
    counts.forEach((devices, i) => {
      if (devices > 0) out.push({ group, from: lo + i * width, to: lo + (i + 1) * width, devices });
    });
  }
  return out;
}

export function conductanceChart(bins: readonly ConductanceBin[], groupTitle: string): ChartSpec {
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: 220,
    title: { text: "Conductances at the end of training", anchor: "start" },
    name: "conductance_bars",
    data: { values: bins },
    mark: { type: "bar", opacity: 0.6 },
    encoding: {
      x: { field: "from", type: "quantitative", title: "conductance (µS)", scale: { zero: false, nice: false } },
      x2: { field: "to" },
      y: { field: "devices", type: "quantitative", title: "devices", stack: null },
      y2: { datum: 0 },
      color: { field: "group", type: "nominal", title: groupTitle },
    },
  } as unknown as ChartSpec;
}
