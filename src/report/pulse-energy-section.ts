// The pulse-energy trade-off in the report: joules per siemens against the update pulse's width, one line per
// amplitude, for every device model whose runs measured it (`mhil recall --pulse minimum-energy`; the
// procedure is src/train/pulse-energy.ts). Read from the runs' summary.json; nothing when no run measured it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { PulseEnergyResult } from "../train/pulse-energy.js";
import type { ChartSpec } from "./render-svg.js";
import { HEIGHT, SCHEMA, WIDTH } from "./charts/common.js";
import { figure } from "./page.js";

/** The first measured trade-off of each device model among the summaries under `dir` (a sweep or one run). */
export function pulseTradeOffs(dir: string): PulseEnergyResult[] {
  const runs = existsSync(join(dir, "runs")) ? readdirSync(join(dir, "runs")).sort().map((r) => join(dir, "runs", r)) : [dir];
  const byModel = new Map<string, PulseEnergyResult>();
  for (const run of runs) {
    const path = join(run, "summary.json");
    if (!existsSync(path)) continue;
    let t: PulseEnergyResult | null | undefined;
    try {
      t = (JSON.parse(readFileSync(path, "utf8")) as { pulse?: { trade_off?: PulseEnergyResult | null } }).pulse?.trade_off;
    } catch {
      continue; // an unreadable summary is the run section's to report
    }
    if (t && !byModel.has(t.model)) byModel.set(t.model, t);
  }
  return [...byModel.values()];
}

function chart(trades: readonly PulseEnergyResult[]): ChartSpec {
  const values = trades.flatMap((t) => [
    ...t.points.filter((p) => p.joulesPerSiemens !== null && p.reachedTarget).map((p) => ({ kind: "shape", model: t.model, volts: `${p.volts.toPrecision(3)} V`, width: p.widthSeconds, jps: p.joulesPerSiemens })),
    ...(t.minimum ? [{ kind: "minimum", model: t.model, volts: `${t.minimum.volts.toPrecision(3)} V`, width: t.minimum.widthSeconds, jps: t.minimum.joulesPerSiemens }] : []),
  ]);
  const x = { field: "width", type: "quantitative", scale: { type: "log" }, title: "pulse width (s)", axis: { format: ".0e" } };
  const y = { field: "jps", type: "quantitative", scale: { type: "log" }, title: "device joules per siemens of ΔG", axis: { format: ".0e" } };
  return {
    $schema: SCHEMA,
    title: { text: "Energy per conductance change against pulse width, at a fixed ΔG", anchor: "start" },
    data: { values },
    facet: { row: { field: "model", type: "nominal", title: null } },
    spec: {
      width: WIDTH,
      height: Math.round(HEIGHT * 0.7),
      layer: [
        { transform: [{ filter: "datum.kind === 'shape'" }], mark: { type: "line", point: true }, encoding: { x, y, color: { field: "volts", type: "nominal", title: "amplitude" } } },
        { transform: [{ filter: "datum.kind === 'minimum'" }], mark: { type: "point", shape: "diamond", size: 160, filled: false, color: "black" }, encoding: { x, y } },
      ],
    },
    resolve: { scale: { y: "independent" } },
  } as unknown as ChartSpec;
}

export async function pulseEnergySection(dir: string): Promise<string> {
  const trades = pulseTradeOffs(dir);
  if (trades.length === 0) return "";
  const minima = trades.map((t) => (t.minimum ? `${t.model}: ${t.minimum.volts.toPrecision(3)} V, ${t.minimum.widthSeconds.toPrecision(3)} s, ${t.minimum.joulesPerSiemens!.toPrecision(3)} J/S` : `${t.model}: no shape reached ΔG`));
  const caption = `Each run with the minimum-energy pulse measured its device first: pulses of each amplitude and width until the mean ΔG of ${trades.map((t) => `${t.cells} cells reached ${t.targetDeltaSiemens.toPrecision(3)} S on ${t.model}`).join("; ")}. Shapes that never reached it are not drawn. Diamond: the least joules per siemens (${minima.join("; ")}).`;
  return `<h2>The pulse-energy trade-off</h2>\n${await figure("plot-pulse-energy", caption, chart(trades), "")}`;
}
