// The board's analog reports as the driver collects them: recordings open while a measurement needs
// samples, a wait for every sense channel, and what a sample says about its branch.
import type { BoardConfig } from "../../protocol/firmata/board-config.js";
import { adcVolts, branchReading, type BranchReading, type LinePattern } from "./circuit.js";
import { DeviceLinkError } from "./link.js";
import type { LinkWatch } from "./link-watch.js";

export interface Sample {
  channel: number;
  code: number;
  /** Host clock (seconds) when the report arrived. */
  at: number;
  /** Its place in the order reports and answers arrived in (answers take the count at their turn: a fence). */
  seq: number;
}

export class AnalogSamples {
  /** Open recordings: each collects every analog report while a measurement needs them. */
  private readonly recordings = new Set<Sample[]>();
  private readonly waiters = new Set<() => void>();
  private arrived = 0;

  constructor(
    private readonly config: BoardConfig,
    private readonly path: string,
    private readonly watch: LinkWatch,
    /** Writes a message the board ignores (LinkWatch.untilAnswered). */
    private readonly probeLink: () => void,
  ) {}

  /** An analog report arrived (firmata-io's analog-read). */
  onSample(channel: number, code: number): void {
    const s: Sample = { channel, code, at: performance.now() / 1000, seq: this.arrived++ };
    for (const r of this.recordings) r.push(s);
    for (const w of [...this.waiters]) w();
  }

  /** Reports arrived so far: taken by an answer when it arrives, it splits the reports before it from those after. */
  get arrivals(): number {
    return this.arrived;
  }

  /** Starts collecting every analog report as it arrives. */
  record(): Sample[] {
    const rec: Sample[] = [];
    this.recordings.add(rec);
    return rec;
  }

  stop(rec: Sample[]): void {
    this.recordings.delete(rec);
  }

  /** Waits until the recording holds a report from every sense channel. */
  untilEveryChannel(rec: readonly Sample[]): Promise<void> {
    const ready = () => this.config.devices.every((d) => rec.some((x) => x.channel === d.analogChannel));
    if (ready()) return Promise.resolve();
    const timeout = 2 + 10 * this.config.samplingIntervalSeconds;
    let check: () => void = () => undefined;
    return this.watch
      .untilAnswered(
        new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new DeviceLinkError(`firmata board on ${this.path} sent no analog reports within ${timeout} s`)), timeout * 1000);
          check = () => {
            if (!ready()) return;
            clearTimeout(t);
            resolve();
          };
          this.waiters.add(check);
        }),
        this.probeLink,
      )
      .finally(() => this.waiters.delete(check));
  }

  /** Each device's branch as its first (or last) sample says, with the lines at `pattern`. */
  /**
   * Each device's branch from its first or last sample, or the mean over all of them: a pulse's energy is
   * the mean power over the pulse, not one sample's, because the device switches while it is on.
   */
  readingsOf(pattern: LinePattern, samples: readonly Sample[], which: "first" | "last" | "mean"): Map<number, BranchReading> {
    const out = new Map<number, BranchReading>();
    const { bits, referenceVolts } = this.config.adc;
    for (const d of this.config.devices) {
      const mine = samples.filter((x) => x.channel === d.analogChannel);
      if (mine.length === 0) continue;
      const at = (s: Sample) => branchReading(pattern.rowVolts[d.row]!, pattern.colVolts[d.col]!, adcVolts(s.code, bits, referenceVolts), d.senseResistorOhms);
      if (which !== "mean") {
        out.set(d.analogChannel, at(which === "first" ? mine[0]! : mine[mine.length - 1]!));
        continue;
      }
      const all = mine.map(at);
      const mean = (f: (b: BranchReading) => number) => all.reduce((sum, b) => sum + f(b), 0) / all.length;
      out.set(d.analogChannel, {
        amperes: mean((b) => b.amperes),
        deviceVolts: mean((b) => b.deviceVolts),
        siemens: mean((b) => b.siemens),
        memristorWatts: mean((b) => b.memristorWatts),
        senseResistorWatts: mean((b) => b.senseResistorWatts),
      });
    }
    return out;
  }
}
