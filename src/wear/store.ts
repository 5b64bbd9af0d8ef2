// Per-cell pulse counts, persisted per device serial across runs and processes: a small JSON file per device,
// to which each process adds what it counted (under a lock), so parallel sweep workers lose no pulse.
import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../files/atomic-write.js";
import { homedir } from "node:os";
import { join } from "node:path";
import type { DeviceIdentity } from "../hal/crossbar.js";
import { withFileLock } from "./file-lock.js";
import { UserError } from "../hal/user-error.js";
import { makeFolders } from "../files/make-folders.js";

export const WEAR_SCHEMA = "memristor-hil/wear";
export const WEAR_VERSION = 1;

/** A wear file that cannot be used: names the file and what to do. */
export class WearStoreError extends UserError {
  constructor(readonly file: string, detail: string) {
    super(`${file}: ${detail}`);
  }
}

export interface WearRecord {
  schema: typeof WEAR_SCHEMA;
  version: typeof WEAR_VERSION;
  serial: string;
  model: string;
  rows: number;
  cols: number;
  /** Programming pulses each cell received as a selected cell, row-major. */
  pulses: number[];
  updated: string;
}

/** Where wear records live: $MHIL_STATE_DIR/wear, else ~/.local/state/memristor-hil/wear. */
export function defaultWearDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.MHIL_STATE_DIR ?? join(env.XDG_STATE_HOME ?? join(homedir(), ".local", "state"), "memristor-hil");
  return join(base, "wear");
}

export class WearStore {
  constructor(readonly dir: string = defaultWearDir()) {}

  fileFor(serial: string): string {
    return join(this.dir, `${serial.replace(/[^A-Za-z0-9._-]/g, "_")}.json`);
  }

  /** The device's record, or a fresh one; a record of another shape or model under the same serial is refused. */
  load(id: DeviceIdentity): WearRecord {
    const file = this.fileFor(id.serial);
    if (!existsSync(file)) {
      return { schema: WEAR_SCHEMA, version: WEAR_VERSION, serial: id.serial, model: id.model, rows: id.rows, cols: id.cols, pulses: new Array(id.rows * id.cols).fill(0), updated: new Date().toISOString() };
    }
    let rec: WearRecord;
    try {
      rec = JSON.parse(readFileSync(file, "utf8")) as WearRecord;
    } catch (e) {
      throw new WearStoreError(file, `not valid JSON (${(e as Error).message}); move it aside to start counting afresh`);
    }
    if (rec.schema !== WEAR_SCHEMA || rec.version !== WEAR_VERSION) throw new WearStoreError(file, `schema ${JSON.stringify(rec.schema)} version ${JSON.stringify(rec.version)} is not ${WEAR_SCHEMA} version ${WEAR_VERSION}`);
    if (rec.rows !== id.rows || rec.cols !== id.cols || rec.model !== id.model || !Array.isArray(rec.pulses) || rec.pulses.length !== id.rows * id.cols) {
      throw new WearStoreError(file, `records a ${rec.rows}×${rec.cols} ${rec.model} under serial ${rec.serial}, but the connected device is a ${id.rows}×${id.cols} ${id.model}`);
    }
    return rec;
  }

  /** Atomic write (temp file, then rename): an interrupted save never leaves a torn record. */
  save(rec: WearRecord): void {
    makeFolders(this.dir);
    rec.updated = new Date().toISOString();
    const file = this.fileFor(rec.serial);
    writeFileAtomic(file, JSON.stringify(rec) + "\n");
  }

  /**
   * Adds `counts` (cell index → pulses) to the device's record as it is on disk now, under a lock (another
   * process may have added its own since this one loaded it), and returns the record saved.
   */
  add(id: DeviceIdentity, counts: ReadonlyMap<number, number>): WearRecord {
    makeFolders(this.dir);
    return withFileLock(this.fileFor(id.serial), () => {
      const rec = this.load(id);
      for (const [i, n] of counts) rec.pulses[i]! += n;
      this.save(rec);
      return rec;
    });
  }
}
