// The report's charts as vega-lite specs, built from report data (pure: no I/O).
import { landauerJoulesPerBit } from "../energy/landauer.js";
import type { ChartSpec } from "./render-svg.js";
import type { ReportData } from "./report-data.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";
const WIDTH = 520;
const HEIGHT = 300;

/** E against I on log–log axes: each point at the estimate with the bracket as an error bar, and the fit on each end. */
export function energyVsBitsChart(d: ReportData): ChartSpec {
  const pts = d.points
    .filter((p) => p.energyJoules > 0)
    .map((p) => {
      const { lower, estimate, upper } = p.bits;
      // Where to put the run on a log axis: the estimate, else the middle of a positive bracket.
      // A bracket [0, U] with no estimate is drawn at U: "at most U bits".
      const mid = estimate > 0 ? estimate : lower > 0 && upper > 0 ? Math.sqrt(lower * upper) : upper > 0 ? upper : Number.NaN;
      return { run: p.id, labels: p.labelMode, C: p.classes, n: p.n, E: p.energyJoules, I: mid, Ilo: lower > 0 ? lower : mid, Ihi: upper > 0 ? upper : mid };
    })
    .filter((r) => r.I > 0);
  const fits: { end: string; I: number; E: number }[] = [];
  for (const [end, b] of Object.entries(d.summary?.beta ?? {})) {
    if (!b || end === "estimate" || !Number.isFinite(b.estimate)) continue;
    const xs = d.points.map((p) => p.bits[end as "lower" | "upper"]).filter((x) => x > 0);
    if (xs.length === 0) continue;
    for (const I of [Math.min(...xs), Math.max(...xs)]) fits.push({ end: `fit, ${end} end: β = ${b.estimate.toFixed(2)} [${b.ci95[0].toFixed(2)}, ${b.ci95[1].toFixed(2)}]`, I, E: Math.exp(b.intercept) * I ** b.estimate });
  }
  const x = { field: "I", type: "quantitative" as const, scale: { type: "log" as const }, title: "bits learned I (estimate; bar = bracket lower–upper)" };
  const y = { field: "E", type: "quantitative" as const, scale: { type: "log" as const }, title: "device energy E (J)", axis: { format: ".0~s" } };
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: HEIGHT,
    title: "Energy against bits learned (log–log)",
    layer: [
      { data: { values: pts }, mark: { type: "rule", opacity: 0.5 }, encoding: { x: { ...x, field: "Ilo" }, x2: { field: "Ihi" }, y, color: { field: "labels", type: "nominal", title: "labels" } } },
      {
        data: { values: pts },
        mark: { type: "point", filled: true, size: 40 },
        encoding: { x, y, color: { field: "labels", type: "nominal", title: "labels" }, shape: { field: "C", type: "nominal", title: "classes C" }, tooltip: [{ field: "run" }, { field: "E" }, { field: "I" }] },
      },
      ...(fits.length
        ? [{ data: { values: fits }, mark: { type: "line" as const, strokeDash: [6, 3], strokeWidth: 2 }, encoding: { x, y, strokeDash: { field: "end", type: "nominal" as const, title: "Deming fit (95% CI)", legend: { labelLimit: 360 } }, color: { value: "#333" } } }]
        : []),
    ],
    resolve: { scale: { color: "shared" } },
  } as ChartSpec;
}

/** Mean energy per component (by activity and by physical component; each set sums to the total). */
export function energyByComponentChart(d: ReportData): ChartSpec {
  const sums = new Map<string, number>();
  for (const p of d.points) for (const [k, v] of Object.entries(p.energyByComponentJoules)) sums.set(k, (sums.get(k) ?? 0) + v);
  const n = Math.max(d.points.length, 1);
  const rows = [...sums.entries()].map(([k, v]) => {
    const [kind, name] = k.includes(":") ? k.split(":", 2) : ["other", k];
    return { split: kind === "activity" ? "by activity" : kind === "physical" ? "by physical component" : kind, component: name, joules: v / n };
  });
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: { step: 22 },
    title: d.kind === "sweep" ? `Energy by component (mean over ${d.points.length} runs)` : "Energy by component",
    data: { values: rows },
    mark: "bar",
    encoding: {
      y: { field: "component", type: "nominal", title: null, sort: "-x" },
      x: { field: "joules", type: "quantitative", title: "energy (J)", axis: { format: ".2~s" } },
      color: { field: "split", type: "nominal", legend: null },
      row: { field: "split", type: "nominal", title: null, header: { labelAngle: 0, labelAlign: "left" } },
      tooltip: [{ field: "component" }, { field: "joules", format: ".3e" }],
    },
    resolve: { scale: { y: "independent" } },
  } as ChartSpec;
}

/** The Landauer multiple E/(k_B·T·ln2·I) per energy component on each end of the bracket (CIs for sweeps). */
export function landauerChart(d: ReportData): ChartSpec {
  let rows: { component: string; end: string; multiple: number; lo: number; hi: number }[];
  if (d.summary) {
    rows = d.summary.analysis.landauer.map((r) => ({ component: r.component, end: r.end, multiple: r.multiple.estimate, lo: r.multiple.lower ?? r.multiple.estimate, hi: r.multiple.upper ?? r.multiple.estimate }));
  } else {
    rows = [];
    for (const p of d.points) {
      const comps: [string, number][] = [["total", p.energyJoules], ...Object.entries(p.energyByComponentJoules)];
      for (const [component, e] of comps) {
        for (const end of ["lower", "estimate", "upper"] as const) {
          const bits = p.bits[end];
          if (!(bits > 0) || !(e > 0)) continue;
          const m = e / (landauerJoulesPerBit(p.temperatureKelvin) * bits);
          rows.push({ component, end, multiple: m, lo: m, hi: m });
        }
      }
    }
  }
  rows = rows.filter((r) => r.multiple > 0 && Number.isFinite(r.multiple));
  const x = { field: "multiple", type: "quantitative" as const, scale: { type: "log" as const }, title: "Landauer multiple E / (k_B·T·ln2 · I)", axis: { format: ".0e" } };
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: { step: 16 },
    title: d.summary ? "Landauer multiple per component (geometric mean over runs, 95% cluster-bootstrap CI)" : "Landauer multiple per component",
    data: { values: rows },
    encoding: { y: { field: "component", type: "nominal", title: null }, yOffset: { field: "end", type: "nominal", sort: ["lower", "estimate", "upper"] }, color: { field: "end", type: "nominal", title: "bits from", sort: ["lower", "estimate", "upper"] } },
    layer: [
      { mark: { type: "rule" }, encoding: { x: { ...x, field: "lo" }, x2: { field: "hi" } } },
      { mark: { type: "point", filled: true }, encoding: { x, tooltip: [{ field: "component" }, { field: "end" }, { field: "multiple", format: ".3e" }] } },
    ],
  } as ChartSpec;
}

/** Accuracy per epoch from each run's metrics.csv. */
export function accuracyChart(d: ReportData): ChartSpec {
  const sweep = d.kind === "sweep";
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: 220,
    title: sweep ? `Accuracy per epoch (${new Set(d.accuracy.map((r) => r.run)).size} runs)` : "Accuracy per epoch",
    data: { values: d.accuracy.map((r) => ({ ...r, line: `${r.run}/${r.series}` })) },
    mark: { type: "line", point: !sweep, opacity: sweep ? 0.35 : 1 },
    encoding: {
      x: { field: "epoch", type: "quantitative", title: "epoch", axis: { tickMinStep: 1, format: "d" } },
      y: { field: "accuracy", type: "quantitative", title: "accuracy", scale: { domain: [0, 1] } },
      color: sweep ? { field: "labelMode", type: "nominal", title: "labels" } : { field: "series", type: "nominal", title: "series" },
      ...(sweep ? { strokeDash: { field: "series", type: "nominal", title: "series" } } : {}),
      detail: { field: "line", type: "nominal" },
    },
  } as ChartSpec;
}

/** Histogram of the saved conductances, one colour per snapshot file. */
export function conductanceChart(d: ReportData): ChartSpec {
  const values: { file: string; microsiemens: number }[] = [];
  for (const c of d.conductances) for (const g of c.siemens) values.push({ file: c.file, microsiemens: g * 1e6 });
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: 200,
    title: "Conductance histogram",
    data: { values },
    mark: "bar",
    encoding: {
      x: { field: "microsiemens", type: "quantitative", bin: { maxbins: 40 }, title: "conductance (µS)" },
      y: { aggregate: "count", type: "quantitative", title: "devices" },
      color: { field: "file", type: "nominal", title: "snapshot", legend: { labelLimit: 300 } },
    },
  } as ChartSpec;
}
