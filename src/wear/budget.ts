// A wear budget around any Crossbar: counts every selected cell's pulses, persists them per device serial,
// warns at a fraction of the endurance and refuses a batch that would go past it (nothing is applied).
import type { Crossbar, DeviceIdentity, Measured, ProgramReport, Pulse } from "../hal/crossbar.js";
import { checkPulses } from "../hal/limits.js";
import { CrossbarDecorator } from "../hal/crossbar-decorator.js";
import type { WearRecord, WearStore } from "./store.js";
import { UserError } from "../hal/user-error.js";

/** A pulse batch refused by the wear budget (nothing applied); exit 1, like a run stopped by its device. */
export class WearBudgetError extends UserError {
  constructor(readonly row: number, readonly col: number, readonly pulses: number, readonly endurancePulses: number) {
    super(
      `wear budget: cell (row ${row}, col ${col}) would reach ${pulses} pulses, past its endurance of ${endurancePulses}; ` +
        `nothing was applied (override with --allow-worn, or use fresh cells)`,
      1,
    );
  }
}

export interface WearBudgetOptions {
  /** Pulses a cell survives; defaults to identify().endurancePulses. No budget when neither is known. */
  endurancePulses?: number;
  /** Warn once when the most-worn cell passes this fraction of the endurance (default 0.8). */
  warnFraction?: number;
  /** Apply pulses past the endurance anyway (still counted). */
  allowWorn?: boolean;
  /** Seconds between saves of the counts while running (they are always saved on close). */
  saveEverySeconds?: number;
  warn?: (message: string) => void;
}

export class WearBudgetCrossbar extends CrossbarDecorator {
  private warned = false;
  private lastSave = Date.now();
  /** Pulses counted since the last save (cell index → pulses): what save() adds to the stored record. */
  private unsaved = new Map<number, number>();
  /**
   * The largest count in the record, kept as program() adds to it (−1: not known, scanned when asked): every
   * program() checks it, and a scan of every cell each time was 1–4 % of a 128×128 training run.
   */
  private worst = -1;

  private constructor(
    inner: Crossbar,
    private readonly id: DeviceIdentity,
    private readonly store: WearStore,
    private current: WearRecord,
    private readonly o: WearBudgetOptions,
  ) {
    super(inner);
  }

  /** The counts as this process knows them: the stored record at the last load or save, plus its own since. */
  get record(): WearRecord {
    return this.current;
  }

  static async wrap(inner: Crossbar, store: WearStore, o: WearBudgetOptions = {}): Promise<WearBudgetCrossbar> {
    const id = await inner.identify();
    const w = new WearBudgetCrossbar(inner, id, store, store.load(id), o);
    w.checkWarning();
    return w;
  }

  get endurancePulses(): number | undefined {
    return this.o.endurancePulses ?? this.id.endurancePulses;
  }

  /** The largest count of any cell, and the fraction of the endurance it is. */
  mostWorn(): { pulses: number; fraction: number | null } {
    if (this.worst < 0) {
      let max = 0;
      for (const p of this.record.pulses) if (p > max) max = p;
      this.worst = max;
    }
    const max = this.worst;
    const e = this.endurancePulses;
    return { pulses: max, fraction: e ? max / e : null };
  }


  override async program(pulses: Pulse[]): Promise<Measured<ProgramReport>> {
    checkPulses(this.id, pulses);
    const add = new Map<number, number>();
    const bump = (i: number, n: number) => n > 0 && add.set(i, (add.get(i) ?? 0) + n);
    for (const p of pulses) {
      if (p.kind === "cell") bump(p.row * this.id.cols + p.col, p.count);
      else p.selected.forEach((s, j) => bump(p.kind === "row" ? p.line * this.id.cols + s : s * this.id.cols + p.line, p.counts[j]!));
    }
    const e = this.endurancePulses;
    if (e !== undefined && !this.o.allowWorn) {
      for (const [i, n] of add) {
        const total = this.record.pulses[i]! + n;
        if (total > e) throw new WearBudgetError(Math.floor(i / this.id.cols), i % this.id.cols, total, e);
      }
    }
    const m = await this.inner.program(pulses);
    // Counted as requested: a batch cut short by compliance still stressed the cells it reached.
    for (const [i, n] of add) {
      const total = (this.current.pulses[i]! += n);
      if (this.worst >= 0 && total > this.worst) this.worst = total;
      this.unsaved.set(i, (this.unsaved.get(i) ?? 0) + n);
    }
    this.checkWarning();
    if ((Date.now() - this.lastSave) / 1000 >= (this.o.saveEverySeconds ?? 5)) this.save();
    return m;
  }


  /** Adds the pulses counted since the last save to the stored record (which other processes may add to too). */
  save(): void {
    this.lastSave = Date.now();
    if (this.unsaved.size === 0) return;
    this.current = this.store.add(this.id, this.unsaved);
    this.unsaved = new Map();
    this.worst = -1; // the stored record holds other processes' counts too
  }

  override async close(): Promise<void> {
    try {
      this.save();
    } finally {
      await this.inner.close();
    }
  }

  private checkWarning(): void {
    const { pulses, fraction } = this.mostWorn();
    const at = this.o.warnFraction ?? 0.8;
    if (!this.warned && fraction !== null && fraction >= at) {
      this.warned = true;
      (this.o.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`)))(
        `wear: the most-worn cell of ${this.id.serial} has ${pulses} pulses, ${(100 * fraction).toFixed(0)}% of its endurance (${this.endurancePulses})`,
      );
    }
  }
}
