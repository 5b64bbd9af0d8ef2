// Host CPU energy from Linux powercap (RAPL) counters, when the machine exposes them; unavailable (null) otherwise.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Joules } from "../hal/units.js";

export const DEFAULT_POWERCAP_ROOT = "/sys/class/powercap";

/** What the meter reports: joules since start, or null with the reason it cannot measure. */
export interface HostEnergyReading {
  joules: Joules | null;
  /** The zones summed, e.g. ["intel-rapl:0 (package-0)"]; empty when unavailable. */
  zones: string[];
  /** Why the host energy is unavailable, when it is. */
  unavailableReason: string | null;
}

interface Zone {
  label: string;
  energyFile: string;
  maxRangeMicrojoules: number;
  lastMicrojoules: number;
  accumulatedMicrojoules: number;
}

/**
 * Sums the top-level RAPL package zones (intel-rapl:N; `psys` is skipped because it overlaps them).
 * The counters wrap at max_energy_range_uj: a reading below the previous one is a wrap, counted as
 * (max − previous) + now. Sample more often than one full range takes to pass (start() samples on a
 * timer; every sample() call also counts).
 */
export class HostEnergyMeter {
  private readonly zones: Zone[] = [];
  private readonly reason: string | null;
  private timer: NodeJS.Timeout | null = null;

  constructor(powercapRoot: string = DEFAULT_POWERCAP_ROOT) {
    this.reason = this.discover(powercapRoot);
  }

  get available(): boolean {
    return this.reason === null;
  }

  /** Reads every zone now and adds what it spent since the last reading. */
  sample(): void {
    for (const z of this.zones) {
      let now: number;
      try {
        now = readMicrojoules(z.energyFile);
      } catch {
        continue; // a transient read failure loses nothing: the next sample covers the interval
      }
      const delta = now >= z.lastMicrojoules ? now - z.lastMicrojoules : z.maxRangeMicrojoules - z.lastMicrojoules + now;
      z.accumulatedMicrojoules += delta;
      z.lastMicrojoules = now;
    }
  }

  /** Samples every `intervalSeconds` so a counter cannot wrap twice between readings. */
  start(intervalSeconds = 5): void {
    if (!this.available || this.timer) return;
    this.timer = setInterval(() => this.sample(), intervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.available) this.sample();
  }

  reading(): HostEnergyReading {
    if (!this.available) return { joules: null, zones: [], unavailableReason: this.reason };
    let uj = 0;
    for (const z of this.zones) uj += z.accumulatedMicrojoules;
    return { joules: uj * 1e-6, zones: this.zones.map((z) => z.label), unavailableReason: null };
  }

  private discover(root: string): string | null {
    if (!existsSync(root)) return `${root} does not exist (no powercap/RAPL on this host)`;
    const names = readdirSync(root).filter((n) => /^(intel|amd)-rapl:\d+$/.test(n)).sort();
    if (names.length === 0) return `${root} has no RAPL package zones`;
    const problems: string[] = [];
    for (const n of names) {
      const dir = join(root, n);
      const zoneName = readText(join(dir, "name")) ?? n;
      if (zoneName === "psys") continue;
      try {
        const energyFile = join(dir, "energy_uj");
        const now = readMicrojoules(energyFile);
        const max = readMicrojoules(join(dir, "max_energy_range_uj"));
        this.zones.push({ label: `${n} (${zoneName})`, energyFile, maxRangeMicrojoules: max, lastMicrojoules: now, accumulatedMicrojoules: 0 });
      } catch (e) {
        problems.push(`${dir}: ${(e as Error).message}`);
      }
    }
    if (this.zones.length === 0) return `no readable RAPL zone (${problems.join("; ") || "only psys"}); energy_uj is often root-only`;
    return null;
  }
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return null;
  }
}

function readMicrojoules(file: string): number {
  const text = readFileSync(file, "utf8").trim();
  const v = Number(text);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${file}: "${text}" is not a counter in microjoules`);
  return v;
}
