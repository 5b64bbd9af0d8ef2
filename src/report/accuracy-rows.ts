// Accuracy per epoch from a run's metrics.csv (one row per epoch, any column whose header names accuracy).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface AccuracyRow {
  run: string;
  labelMode: string;
  protocol: string;
  epoch: number;
  /** The metrics.csv column, e.g. "train_accuracy". */
  series: string;
  accuracy: number;
}

export function readAccuracy(runDir: string, run: { id: string; labelMode: string; protocol: string }): AccuracyRow[] {
  const path = join(runDir, "metrics.csv");
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "");
  if (lines.length < 2) return [];
  const header = lines[0]!.split(",").map((h) => h.trim());
  const epochCol = header.findIndex((h) => /^epoch$/i.test(h));
  const accCols = header.map((h, i) => ({ h, i })).filter(({ h }) => /acc/i.test(h));
  const rows: AccuracyRow[] = [];
  lines.slice(1).forEach((line, k) => {
    const cells = line.split(",");
    const epoch = epochCol >= 0 ? Number(cells[epochCol]) : k + 1;
    for (const { h, i } of accCols) {
      const cell = cells[i]?.trim() ?? "";
      const v = Number(cell);
      if (cell !== "" && Number.isFinite(v)) rows.push({ run: run.id, labelMode: run.labelMode, protocol: run.protocol, epoch, series: h, accuracy: v });
    }
  });
  return rows;
}
