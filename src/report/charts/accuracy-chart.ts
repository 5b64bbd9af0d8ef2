// Accuracy per epoch from each run's metrics.csv: every run faint, the mean per label mode bold, one panel
// per protocol when the sweep has several. The epoch axis shows whole epochs only.
import type { AccuracyRow } from "../accuracy-rows.js";
import type { ChartSpec } from "../render-svg.js";
import { extent, SCHEMA } from "./common.js";

/** Whole epochs from the first to the last, at most ~12 of them (a step of 1, 2, 5, 10, …). */
export function epochTicks(epochs: readonly number[]): number[] {
  const [min, max] = extent(epochs);
  const lo = Math.floor(min);
  const hi = Math.ceil(max);
  const span = hi - lo;
  const step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].find((s) => span / s <= 12) ?? Math.ceil(span / 12);
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e += step) ticks.push(e);
  return ticks;
}

interface MeanRow {
  protocol: string;
  labelMode: string;
  series: string;
  epoch: number;
  accuracy: number;
  runs: number;
}

function means(rows: readonly AccuracyRow[]): MeanRow[] {
  const acc = new Map<string, MeanRow>();
  for (const r of rows) {
    const key = `${r.protocol}|${r.labelMode}|${r.series}|${r.epoch}`;
    const m = acc.get(key) ?? { protocol: r.protocol, labelMode: r.labelMode, series: r.series, epoch: r.epoch, accuracy: 0, runs: 0 };
    m.accuracy += r.accuracy;
    m.runs++;
    acc.set(key, m);
  }
  return [...acc.values()].map((m) => ({ ...m, accuracy: m.accuracy / m.runs }));
}

export function accuracyChart(rows: readonly AccuracyRow[], sweep: boolean): ChartSpec {
  const epochs = rows.map((r) => r.epoch);
  const x = { field: "epoch", type: "quantitative", title: "epoch", scale: { domain: extent(epochs), nice: false }, axis: { values: epochTicks(epochs), format: "d" } };
  const y = { field: "accuracy", type: "quantitative", title: "accuracy", scale: { domain: [0, 1] } };
  if (!sweep) {
    return {
      $schema: SCHEMA,
      width: 420,
      height: 220,
      title: { text: "Accuracy per epoch", anchor: "start" },
      data: { values: rows },
      mark: { type: "line", point: true },
      encoding: { x, y, color: { field: "series", type: "nominal", title: "series" } },
    } as unknown as ChartSpec;
  }
  const values = [...rows.map((r) => ({ ...r, kind: "run", line: `${r.run}/${r.series}` })), ...means(rows).map((m) => ({ ...m, kind: "mean", line: `mean/${m.labelMode}/${m.series}` }))];
  const protocols = new Set(rows.map((r) => r.protocol));
  const color = { field: "labelMode", type: "nominal", title: "labels" };
  const dash = { field: "series", type: "nominal", title: "series" };
  const layers = [
    { transform: [{ filter: "datum.kind === 'run'" }], mark: { type: "line", opacity: 0.12, strokeWidth: 1 }, encoding: { x, y, color, strokeDash: dash, detail: { field: "line", type: "nominal" } } },
    { transform: [{ filter: "datum.kind === 'mean'" }], mark: { type: "line", strokeWidth: 3 }, encoding: { x, y, color, strokeDash: dash, detail: { field: "line", type: "nominal" } } },
  ];
  const title = { text: `Accuracy per epoch (${new Set(rows.map((r) => r.run)).size} runs faint, mean per label mode bold)`, anchor: "start" };
  if (protocols.size <= 1) return { $schema: SCHEMA, width: 460, height: 220, title, data: { values }, layer: layers } as unknown as ChartSpec;
  return {
    $schema: SCHEMA,
    title,
    data: { values },
    facet: { column: { field: "protocol", type: "nominal", title: "protocol" } },
    spec: { width: 340, height: 220, layer: layers },
  } as unknown as ChartSpec;
}
