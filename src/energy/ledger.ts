// The energy ledger: fed only by what backends return, kept by activity and by physical component.
import { ENERGY_COMPONENTS, type EnergyBreakdown, type EnergyComponent, type Measured } from "../hal/crossbar.js";
import type { Joules, Seconds } from "../hal/units.js";

/**
 * What the device was doing when it spent the energy. Each is in the device total. Learning: the free and
 * nudged relaxation reads, the update pulses, verify reads and refresh (re-centring pairs during training).
 * Overhead: grounding the lines (reset), writing the initial weights (initialise), measuring the array
 * before training, and at each checkpoint of a device that cannot save its state (characterise), and scoring
 * the trained network on the train and test splits (evaluate). Joules per bit, the Landauer multiple and the
 * E-vs-I fit use learning only: a first version used the whole cycle, and the fixed characterisation made up
 * 99.8% of every sweep run; the scoring was booked as free reads until the default run's 1,000 test digits
 * made up 26% of its E_learn, which then grew with the size of the test split.
 */
export const LEARNING_ACTIVITIES = ["freeRead", "nudgedRead", "program", "verifyRead", "refresh"] as const;
export const OVERHEAD_ACTIVITIES = ["reset", "initialise", "characterise", "evaluate"] as const;
export const ACTIVITIES = [...LEARNING_ACTIVITIES, ...OVERHEAD_ACTIVITIES] as const;
export type Activity = (typeof ACTIVITIES)[number];
export type ActivityGroup = "learning" | "overhead";

/** Physical components the backend splits every answer into; a partition of the same total. */
export const PHYSICAL = ["cell", "halfSelected", "peripheral"] as const;
export type PhysicalComponent = (typeof PHYSICAL)[number];

/**
 * The finer split: where the energy physically went (device SET/RESET/read, half-selected cells, ADC, DAC, TIA,
 * line and gate-line charging, leakage, line resistance), as the backend answers it. A backend that cannot split
 * (a board over serial) is booked whole: its cell energy as `cellUnsplit`, its peripheral energy as
 * `peripheralUnsplit` (its half-selected energy is `halfSelected` either way). Another partition of the total.
 */
export const HARDWARE_COMPONENTS = [...ENERGY_COMPONENTS, "cellUnsplit", "peripheralUnsplit"] as const;
export type HardwareComponent = (typeof HARDWARE_COMPONENTS)[number];

/** What one answer adds to each hardware component. */
export function hardwareSplit(e: EnergyBreakdown): Partial<Record<HardwareComponent, number>> {
  if (e.components) return e.components;
  return { cellUnsplit: e.cell, halfSelected: e.halfSelected, peripheralUnsplit: e.peripheral };
}

export interface LedgerEntry {
  /** The three contract parts, and in `components` the hardware split (every HardwareComponent). */
  energy: EnergyBreakdown;
  durationSeconds: Seconds;
  calls: number;
}

export interface LedgerSnapshot {
  /** activity → physical component → joules, plus duration and call counts. */
  byActivity: Record<Activity, LedgerEntry>;
  /** Board power from a power monitor, when the backend has one (not double counted in deviceTotal). */
  boardPowerJoules: Joules | null;
  /** Host CPU energy from RAPL, when present; reported beside the device total, not in it. */
  hostCpuJoules: Joules | null;
}

const zeroHardware = (): Record<HardwareComponent, number> => Object.fromEntries(HARDWARE_COMPONENTS.map((c) => [c, 0])) as Record<HardwareComponent, number>;

const emptyEntry = (): LedgerEntry => ({ energy: { cell: 0, halfSelected: 0, peripheral: 0, components: zeroHardware() as Record<EnergyComponent, number> }, durationSeconds: 0, calls: 0 });

/** An entry from a snapshot; one written before the hardware split had none: its parts are booked unsplit. */
function restoredEntry(e: LedgerEntry | undefined): LedgerEntry {
  if (!e) return emptyEntry();
  const out = structuredClone(e);
  if (!out.energy.components) {
    out.energy.components = { ...zeroHardware(), ...hardwareSplit({ cell: e.energy.cell, halfSelected: e.energy.halfSelected, peripheral: e.energy.peripheral }) } as Record<EnergyComponent, number>;
  }
  return out;
}

export class EnergyLedger {
  private byActivity: Record<Activity, LedgerEntry>;
  private boardPowerJoules: Joules | null = null;
  private hostCpuJoules: Joules | null = null;

  constructor(snapshot?: LedgerSnapshot) {
    this.byActivity = Object.fromEntries(ACTIVITIES.map((a) => [a, emptyEntry()])) as Record<Activity, LedgerEntry>;
    if (snapshot) this.restore(snapshot);
  }

  /** Adds what a backend call measured to `activity`. Returns the measurement unchanged for chaining. */
  record<T>(activity: Activity, m: Measured<T>): Measured<T> {
    const e = this.byActivity[activity];
    e.energy.cell += m.energy.cell;
    e.energy.halfSelected += m.energy.halfSelected;
    e.energy.peripheral += m.energy.peripheral;
    const into = e.energy.components as Record<string, number>;
    const split = hardwareSplit(m.energy) as Record<string, number>;
    // for…in, not Object.entries: no array per call (one per product of a training run).
    for (const k in split) into[k] = (into[k] ?? 0) + split[k]!;
    e.durationSeconds += m.durationSeconds;
    e.calls += 1;
    return m;
  }

  addBoardPower(joules: Joules): void {
    this.boardPowerJoules = (this.boardPowerJoules ?? 0) + joules;
  }

  addHostCpu(joules: Joules): void {
    this.hostCpuJoules = (this.hostCpuJoules ?? 0) + joules;
  }

  /** Joules of one activity, all physical components. */
  activityJoules(a: Activity): Joules {
    const e = this.byActivity[a].energy;
    return e.cell + e.halfSelected + e.peripheral;
  }

  /** Joules of one physical component, all activities. */
  physicalJoules(c: PhysicalComponent): Joules {
    let s = 0;
    for (const a of ACTIVITIES) s += this.byActivity[a].energy[c];
    return s;
  }

  /** Joules of one hardware component, over `activities` (default all). */
  hardwareJoules(c: HardwareComponent, activities: readonly Activity[] = ACTIVITIES): Joules {
    let s = 0;
    for (const a of activities) s += (this.byActivity[a].energy.components as Record<string, number> | undefined)?.[c] ?? 0;
    return s;
  }

  /** E_learn: the learning activities only (what joules per bit and the Landauer multiple divide). */
  learningJoules(): Joules {
    let s = 0;
    for (const a of LEARNING_ACTIVITIES) s += this.activityJoules(a);
    return s;
  }

  /** Reset, initialisation and characterisation: reported beside E_learn, in the total. */
  overheadJoules(): Joules {
    let s = 0;
    for (const a of OVERHEAD_ACTIVITIES) s += this.activityJoules(a);
    return s;
  }

  /** The device total: every activity (= every physical component). Host CPU and board power are beside it. */
  deviceTotalJoules(): Joules {
    let s = 0;
    for (const a of ACTIVITIES) s += this.activityJoules(a);
    return s;
  }

  /** Device-reported busy time across all calls. */
  deviceSeconds(): Seconds {
    let s = 0;
    for (const a of ACTIVITIES) s += this.byActivity[a].durationSeconds;
    return s;
  }

  snapshot(): LedgerSnapshot {
    return structuredClone({ byActivity: this.byActivity, boardPowerJoules: this.boardPowerJoules, hostCpuJoules: this.hostCpuJoules });
  }

  restore(s: LedgerSnapshot): void {
    for (const a of ACTIVITIES) this.byActivity[a] = restoredEntry(s.byActivity[a]);
    this.boardPowerJoules = s.boardPowerJoules;
    this.hostCpuJoules = s.hostCpuJoules;
  }

  /** A plain summary for energy.json and the CLI: what is in the total is said, not implied. */
  summary(): {
    total_joules: Joules;
    learning_joules: Joules;
    overhead_joules: Joules;
    groups: Record<ActivityGroup, readonly Activity[]>;
    by_activity_joules: Record<Activity, Joules>;
    by_physical_component_joules: Record<PhysicalComponent, Joules>;
    by_component_joules: Record<HardwareComponent, Joules>;
    by_component_learning_joules: Record<HardwareComponent, Joules>;
    board_power_joules: Joules | null;
    host_cpu_joules: Joules | null;
    in_total: string[];
    beside_total: string[];
  } {
    return {
      total_joules: this.deviceTotalJoules(),
      learning_joules: this.learningJoules(),
      overhead_joules: this.overheadJoules(),
      groups: { learning: [...LEARNING_ACTIVITIES], overhead: [...OVERHEAD_ACTIVITIES] },
      by_activity_joules: Object.fromEntries(ACTIVITIES.map((a) => [a, this.activityJoules(a)])) as Record<Activity, Joules>,
      by_physical_component_joules: Object.fromEntries(PHYSICAL.map((c) => [c, this.physicalJoules(c)])) as Record<PhysicalComponent, Joules>,
      by_component_joules: Object.fromEntries(HARDWARE_COMPONENTS.map((c) => [c, this.hardwareJoules(c)])) as Record<HardwareComponent, Joules>,
      by_component_learning_joules: Object.fromEntries(HARDWARE_COMPONENTS.map((c) => [c, this.hardwareJoules(c, LEARNING_ACTIVITIES)])) as Record<HardwareComponent, Joules>,
      board_power_joules: this.boardPowerJoules,
      host_cpu_joules: this.hostCpuJoules,
      in_total: [...ACTIVITIES],
      beside_total: ["board_power (whole-board monitor; overlaps the device total)", "host_cpu (RAPL)"],
    };
  }
}
