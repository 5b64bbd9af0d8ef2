// Mean joules per run by activity (grouped as E_learn or overhead) and by physical component, on a log axis:
// E_learn's activities are orders of magnitude below the characterisation and would vanish on a linear one.
import { LEARNING_ACTIVITIES, type HardwareComponent } from "../../energy/ledger.js";
import { HARDWARE_COMPONENT_NAMES } from "../../energy/component-names.js";
import type { ExperimentPoint } from "../../experiment/point.js";
import type { ChartSpec } from "../render-svg.js";
import { SCHEMA, WIDTH } from "./common.js";

export interface ComponentMean {
  /** "E_learn activity", "overhead activity", "physical component" (the contract's three) or "hardware component". */
  split: string;
  component: string;
  joules: number;
}

const LEARNING = new Set<string>(LEARNING_ACTIVITIES);

/** Mean over runs of every component a run summary reports (a run without it counts 0). */
export function componentMeans(points: readonly ExperimentPoint[]): ComponentMean[] {
  const sums = new Map<string, number>();
  for (const p of points) for (const [k, v] of Object.entries(p.energyByComponentJoules)) sums.set(k, (sums.get(k) ?? 0) + v);
  return [...sums.entries()].map(([key, sum]) => {
    const [kind, name] = key.includes(":") ? (key.split(":", 2) as [string, string]) : ["other", key];
    const split = kind === "activity" ? (LEARNING.has(name) ? "E_learn activity" : "overhead activity") : kind === "physical" ? "physical component" : kind === "hardware" ? "hardware component" : kind;
    const label = kind === "hardware" ? HARDWARE_COMPONENT_NAMES[name as HardwareComponent] ?? name : name;
    return { split, component: label, joules: sum / Math.max(points.length, 1) };
  });
}

export function energyComponentsChart(means: readonly ComponentMean[], runs: number): ChartSpec {
  return {
    $schema: SCHEMA,
    width: WIDTH,
    height: { step: 20 },
    title: { text: runs > 1 ? `Energy by component, mean over ${runs} runs` : "Energy by component", anchor: "start" },
    data: { values: means.filter((m) => m.joules > 0) },
    mark: { type: "point", filled: true, size: 70 },
    encoding: {
      y: { field: "component", type: "nominal", title: null, sort: { field: "joules", order: "descending" } },
      x: { field: "joules", type: "quantitative", scale: { type: "log" }, title: "joules per run (log)", axis: { format: ".0~s" } },
      color: { field: "split", type: "nominal", title: null, sort: ["E_learn activity", "overhead activity", "physical component", "hardware component"] },
      row: { field: "split", type: "nominal", title: null, sort: ["E_learn activity", "overhead activity", "physical component", "hardware component"], header: { labelAngle: 0, labelAlign: "left" } },
    },
    resolve: { scale: { y: "independent" } },
  } as unknown as ChartSpec;
}
