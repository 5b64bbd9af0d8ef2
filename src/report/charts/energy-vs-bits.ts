// E_learn against I on log–log axes with each run's bracket as a bar and the Deming fit of every end; runs
// with I = 0 in a strip beside it. A second chart puts the overhead and the total beside E_learn.
import { BRACKET_ENDS, type ExperimentPoint } from "../../experiment/point.js";
import type { SweepSummary } from "../../experiment/sweep-summary.js";
import type { ChartSpec } from "../render-svg.js";
import type { BitsPlacement, PlacedRun } from "./bits-placement.js";
import { extent, HEIGHT, SCHEMA, WIDTH } from "./common.js";

type Layer = Record<string, unknown>;

interface PanelOptions {
  title: string;
  yTitle: string;
  /** Rows for the panels, one per run (E_learn) or per run and energy kind (overhead and total). */
  placed: Record<string, unknown>[];
  zero: Record<string, unknown>[];
  zeroCount: number;
  color: Layer;
  shape?: Layer;
  /** Drawn on the log panel under the points: the bracket bars, the fits. */
  under: Layer[];
  over: Layer[];
  xDomain: [number, number];
}

const yLog = (title: string) => ({ field: "E", type: "quantitative", scale: { type: "log" }, title, axis: { format: ".0~s" } });

/** A layer on the log panel: its own fields on the panel's x and y scales, so the layers share one axis each. */
function withAxes(layer: Layer, x: Layer, y: Layer): Layer {
  const e = (layer.encoding ?? {}) as Record<string, Layer>;
  return { ...layer, encoding: { ...e, x: { ...x, ...e.x }, y: { ...y, ...e.y } } };
}

/** A strip of runs at I = 0 (one column per label mode) and the log–log panel, sharing the energy axis. */
function panels(o: PanelOptions): ChartSpec {
  const y = yLog(o.yTitle);
  const mark = { type: "point", filled: true, size: 36, opacity: 0.75 };
  const encode = { y, color: o.color, ...(o.shape ? { shape: o.shape } : {}) };
  const strip = {
    name: "zero_strip",
    width: { step: 44 },
    height: HEIGHT,
    title: { text: `I = 0: ${o.zeroCount} run(s)`, fontSize: 12 },
    data: { values: o.zero },
    mark,
    encoding: {
      ...encode,
      x: { field: "group", type: "nominal", title: "estimate of I = 0", axis: { labelAngle: -35, labelLimit: 120 } },
      xOffset: { field: "jitter", type: "quantitative", scale: { domain: [-0.6, 1.6] } },
    },
  };
  const x = { field: "I", type: "quantitative", scale: { type: "log", domain: o.xDomain, clamp: true }, title: "bits learned I (point: estimate; bar: bracket, lower to upper end)" };
  const main = {
    name: "log_panel",
    width: WIDTH,
    height: HEIGHT,
    title: { text: "I > 0 (log–log)", fontSize: 12 },
    layer: [
      ...o.under.map((l) => withAxes(l, x, y)),
      { name: "run_points", data: { values: o.placed }, mark, encoding: { ...encode, x } },
      ...o.over.map((l) => withAxes(l, x, y)),
    ],
  };
  const views = [...(o.zero.length ? [strip] : []), ...(o.placed.length ? [main] : [])];
  return {
    $schema: SCHEMA,
    title: { text: o.title, anchor: "start" },
    hconcat: views,
    spacing: 12,
    resolve: { scale: { y: "shared", color: "shared", shape: "shared" } },
  } as unknown as ChartSpec;
}

/** The shape channel: the protocol when the sweep has several, else the number of classes. */
function shapeOf(points: readonly ExperimentPoint[]): Layer {
  return new Set(points.map((p) => p.protocol)).size > 1 ? { field: "protocol", type: "nominal", title: "protocol" } : { field: "C", type: "nominal", title: "classes C" };
}

/** Deming fit lines log E_learn = α + β·log I on each end, over the positive I of that end. */
function fitLines(points: readonly ExperimentPoint[], summary: SweepSummary | null, xDomain: [number, number]): { end: string; I: number; E: number }[] {
  const lines: { end: string; I: number; E: number }[] = [];
  for (const end of BRACKET_ENDS) {
    const b = summary?.beta[end];
    if (!b || typeof b.estimate !== "number" || typeof b.intercept !== "number") continue;
    const xs = points.filter((p) => p.energyJoules > 0).map((p) => p.bits[end]).filter((x) => x > 0 && Number.isFinite(x));
    if (xs.length === 0) continue;
    const blind = summary?.ends[end]?.label_blind ? ", label-blind: not judged" : "";
    const label = `${end} end: β = ${b.estimate.toFixed(2)} [${num2(b.ci95[0])}, ${num2(b.ci95[1])}]${blind}`;
    const [min, max] = extent(xs);
    for (const I of [Math.max(min, xDomain[0]), Math.min(max, xDomain[1])]) lines.push({ end: label, I, E: Math.exp(b.intercept) * I ** b.estimate });
  }
  return lines;
}

const num2 = (x: number | null) => (typeof x === "number" && Number.isFinite(x) ? x.toFixed(2) : "—");
const asRow = (r: PlacedRun, E: number, extra: Record<string, unknown> = {}) => ({ ...r, E, ...extra });

export function energyVsBitsChart(points: readonly ExperimentPoint[], placement: BitsPlacement, summary: SweepSummary | null): ChartSpec {
  const labelsColor = { field: "labels", type: "nominal", title: "labels" };
  const fits = fitLines(points, summary, placement.xDomain);
  const bars = placement.placed.map((r) => asRow(r, r.eLearn));
  return panels({
    title: "E_learn against bits learned I",
    yTitle: "E_learn (J)",
    placed: bars,
    zero: placement.zero.map((r) => asRow(r, r.eLearn)),
    zeroCount: placement.zero.length,
    color: labelsColor,
    shape: shapeOf(points),
    xDomain: placement.xDomain,
    under: [{ name: "bracket_bars", data: { values: bars }, mark: { type: "rule", opacity: 0.25 }, encoding: { x: { field: "Ilo" }, x2: { field: "Ihi" }, color: labelsColor } }],
    over: fits.length
      ? [{ name: "fit_lines", data: { values: fits }, mark: { type: "line", strokeWidth: 2, color: "#222" }, encoding: { strokeDash: { field: "end", type: "nominal", title: "Deming fit, β [95% CI]", legend: { labelLimit: 520, titleLimit: 400, orient: "bottom", direction: "vertical" } } } }]
      : [],
  });
}

const KINDS = [
  { kind: "E_learn", of: (r: PlacedRun) => r.eLearn },
  { kind: "overhead", of: (r: PlacedRun) => r.overhead },
  { kind: "total", of: (r: PlacedRun) => r.total },
];

/** E_learn, overhead and total of every run against the same I: the overhead does not follow I. */
export function energyKindsChart(placement: BitsPlacement): ChartSpec {
  const rows = (runs: readonly PlacedRun[]) => runs.flatMap((r) => KINDS.map((k) => asRow(r, k.of(r), { kind: k.kind })).filter((x) => x.E > 0));
  return panels({
    title: "Overhead and total beside E_learn, against the same I",
    yTitle: "energy per run (J)",
    placed: rows(placement.placed),
    zero: rows(placement.zero),
    zeroCount: placement.zero.length,
    // No explicit sort (it would split the legend in two): the names sort as listed in KINDS.
    color: { field: "kind", type: "nominal", title: "energy", scale: { range: ["#1f77b4", "#e6550d", "#555555"] } },
    // Overhead and total nearly coincide when the overhead dominates: the shape tells them apart.
    shape: { field: "kind", type: "nominal", title: "energy", scale: { range: ["circle", "triangle-up", "cross"] } },
    xDomain: placement.xDomain,
    under: [],
    over: [],
  });
}
