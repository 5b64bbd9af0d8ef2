// E_learn of the labelled runs against the control's, cell by cell (same n, C, protocol and budget). The
// control holds no information about its labels (I = 0), so if E ∝ I the labelled runs sit far above the
// diagonal; on it, the information cost nothing the device could measure.
import { CONTROL_LABELS, type ExperimentPoint } from "../../experiment/point.js";
import type { ChartSpec } from "../render-svg.js";
import { extent, SCHEMA } from "./common.js";

export interface ControlCell {
  match: string;
  labels: string;
  protocol: string;
  /** Mean E_learn over the seeds of each side, joules. */
  control: number;
  labelled: number;
  runs: { control: number; labelled: number };
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** One row per matched cell and labelled mode: the cell means of E_learn on both sides. */
export function controlCells(points: readonly ExperimentPoint[]): ControlCell[] {
  const byMatch = new Map<string, ExperimentPoint[]>();
  for (const p of points) {
    const m = `n=${p.n}|C=${p.classes}|protocol=${p.protocol}|${p.budget}`;
    byMatch.set(m, [...(byMatch.get(m) ?? []), p]);
  }
  const cells: ControlCell[] = [];
  for (const [match, runs] of [...byMatch.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const control = runs.filter((p) => p.labelMode === CONTROL_LABELS && Number.isFinite(p.energyJoules)).map((p) => p.energyJoules);
    if (control.length === 0) continue;
    for (const labels of [...new Set(runs.map((p) => p.labelMode))].filter((l) => l !== CONTROL_LABELS).sort()) {
      const labelled = runs.filter((p) => p.labelMode === labels && Number.isFinite(p.energyJoules)).map((p) => p.energyJoules);
      if (labelled.length === 0) continue;
      cells.push({ match, labels, protocol: runs[0]!.protocol, control: mean(control), labelled: mean(labelled), runs: { control: control.length, labelled: labelled.length } });
    }
  }
  return cells;
}

export function controlChart(cells: readonly ControlCell[]): ChartSpec {
  const shown = cells.filter((c) => c.control > 0 && c.labelled > 0);
  const [min, max] = extent(shown.flatMap((c) => [c.control, c.labelled]));
  const [lo, hi] = [min / 1.5, max * 1.5];
  const several = new Set(shown.map((c) => c.protocol)).size > 1;
  const axis = (field: string, title: string) => ({ field, type: "quantitative", scale: { type: "log", domain: [lo, hi] }, title, axis: { format: ".0~s" } });
  return {
    $schema: SCHEMA,
    width: 360,
    height: 360,
    title: { text: "E_learn with labels against E_learn of the control, per matched cell", anchor: "start" },
    layer: [
      { data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] }, mark: { type: "line", color: "#999", strokeDash: [4, 3] }, encoding: { x: axis("x", ""), y: axis("y", "") } },
      {
        name: "control_cells",
        data: { values: shown },
        mark: { type: "point", filled: true, size: 60 },
        encoding: {
          x: axis("control", "E_learn of the control, cell mean (J)"),
          y: axis("labelled", "E_learn with labels, cell mean (J)"),
          color: { field: "labels", type: "nominal", title: "labels" },
          ...(several ? { shape: { field: "protocol", type: "nominal", title: "protocol" } } : {}),
        },
      },
    ],
  } as unknown as ChartSpec;
}
