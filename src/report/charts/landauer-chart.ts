// The Landauer multiple E/(k_B·T·ln2·I) of E_learn, the total and each component, on each end of the bracket.
import { landauerJoulesPerBit } from "../../energy/landauer.js";
import { BRACKET_ENDS, type ExperimentPoint } from "../../experiment/point.js";
import type { SweepSummary } from "../../experiment/sweep-summary.js";
import type { ChartSpec } from "../render-svg.js";
import { SCHEMA, WIDTH } from "./common.js";

interface LandauerPoint {
  component: string;
  end: string;
  multiple: number;
  lo: number;
  hi: number;
}

/** The analysis names E_learn "learning"; the page calls it what the rest of the page does. */
const componentName = (c: string) => (c === "learning" ? "E_learn" : c === "total" ? "total (E_learn + overhead)" : c);

/** A sweep's geometric means with their CIs, or one run's multiples. */
export function landauerPoints(points: readonly ExperimentPoint[], summary: SweepSummary | null): LandauerPoint[] {
  let rows: LandauerPoint[];
  if (summary) {
    rows = summary.analysis.landauer.map((r) => ({ component: componentName(r.component), end: r.end, multiple: r.multiple.estimate, lo: r.multiple.lower ?? r.multiple.estimate, hi: r.multiple.upper ?? r.multiple.estimate }));
  } else {
    rows = points.flatMap((p) =>
      [["learning", p.energyJoules] as const, ["total", p.totalJoules] as const, ...Object.entries(p.energyByComponentJoules)].flatMap(([component, e]) =>
        BRACKET_ENDS.filter((end) => p.bits[end] > 0 && e > 0).map((end) => {
          const m = e / (landauerJoulesPerBit(p.temperatureKelvin) * p.bits[end]);
          return { component: componentName(component), end, multiple: m, lo: m, hi: m };
        }),
      ),
    );
  }
  return rows.filter((r) => typeof r.multiple === "number" && r.multiple > 0 && Number.isFinite(r.multiple));
}

export function landauerChart(rows: readonly LandauerPoint[], sweep: boolean): ChartSpec {
  const x = { field: "multiple", type: "quantitative", scale: { type: "log" }, title: "Landauer multiple E / (k_B·T·ln2 · I)", axis: { format: ".0e" } };
  const ends = [...BRACKET_ENDS];
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: { step: 14 },
    title: { text: sweep ? "Landauer multiple (geometric mean over runs with I > 0, 95% cluster-bootstrap CI)" : "Landauer multiple", anchor: "start" },
    data: { values: rows },
    encoding: {
      y: { field: "component", type: "nominal", title: null, sort: ["E_learn", "total (E_learn + overhead)"], axis: { labelLimit: 240 } },
      yOffset: { field: "end", type: "nominal", sort: ends },
      color: { field: "end", type: "nominal", title: "bits from end", sort: ends },
    },
    layer: [
      { mark: { type: "rule" }, encoding: { x: { ...x, field: "lo" }, x2: { field: "hi" } } },
      { mark: { type: "point", filled: true }, encoding: { x } },
    ],
  } as unknown as ChartSpec;
}
