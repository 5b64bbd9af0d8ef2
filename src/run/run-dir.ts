// A run directory: runs/<utc-timestamp>-<short-id>/ with its files written whole (write to .tmp, rename).
import { mkdirSync, appendFileSync, existsSync } from "node:fs";
import { writeFileAtomic, writeJsonAtomic } from "../files/atomic-write.js";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { UserError } from "../hal/user-error.js";
import { makeFolders } from "../files/make-folders.js";

/** A run directory that cannot be made where asked: names the folder and why. */
export class RunDirError extends UserError {}

/** 20261123T093512Z-3f9a1c: sorts by time, unique by the random suffix. */
export function runDirName(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

/** Creates outDir/name (outDir as needed); refuses a run directory that already exists. */
export function createRunDir(outDir: string, name: string = runDirName()): string {
  try {
    makeFolders(outDir);
  } catch (e) {
    throw new RunDirError(`${outDir}: cannot create the folder for run directories (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const dir = resolve(join(outDir, name));
  if (existsSync(dir)) throw new RunDirError(`run directory ${dir} already exists; choose another name`);
  try {
    mkdirSync(dir);
  } catch (e) {
    throw new RunDirError(`${outDir}: cannot create a run directory in it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  mkdirSync(join(dir, "checkpoints"));
  return dir;
}

/** Writes JSON atomically, so a reader never sees half a file. Non-finite numbers become null. */
export function writeJsonFile(file: string, value: unknown): void {
  writeJsonAtomic(file, value);
}

type CsvRow = Record<string, number | string | boolean | null>;

/** metrics.csv: a header, then one row per call, columns in the header's order. */
export class MetricsCsv {
  /** Writes the file afresh (atomically): its header, then `rows`. */
  constructor(private readonly file: string, private readonly columns: readonly string[], rows: readonly CsvRow[] = []) {
    writeFileAtomic(file, [columns.join(","), ...rows.map((r) => this.line(r))].map((l) => l + "\n").join(""));
  }

  row(values: CsvRow): void {
    appendFileSync(this.file, this.line(values) + "\n");
  }

  private line(values: CsvRow): string {
    return this.columns
      .map((c) => {
        const v = values[c];
        if (v === null || v === undefined) return "";
        const s = String(v);
        return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      })
      .join(",");
  }
}
