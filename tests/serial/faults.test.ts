// Exactly-once under faults: 1% corrupted bytes, 1% dropped bytes, 0.2% duplicated bytes from the first byte on
// (the open and every reconnect cross the same faults) and two link cuts during 10,000 mixed commands (2,000 of
// them pulses). Every pulse is applied exactly once (the twin's own log), every answer equals the simulator's own
// answer for the same calls, and the driver ends connected.
import { afterAll, describe, expect, it } from "vitest";
import type { Crossbar, Measured, Pulse } from "../../src/hal/crossbar.js";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { Rng } from "../../src/random/rng.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";
import { FirmwareTwin } from "../../emulators/firmware-twin/twin.js";
import { createLink, type Link } from "../../emulators/link/link.js";
import { SerialCrossbar } from "../../drivers/serial-crossbar/serial-crossbar.js";
import { formatLinkStats } from "../../drivers/serial-crossbar/link-stats.js";

const URI = "sim:reram?rows=4&cols=4&seed=11";
const COMMANDS = 10_000;
const PULSES = 2_000;
const CUT_AT = [3_000, 7_000];
const IN_FLIGHT = 48;

type Op = (c: Crossbar) => Promise<Measured<unknown>>;

/** The command mix, drawn from a seed: exactly PULSES pulse requests among COMMANDS. */
function commandMix(seed: number): { ops: Op[]; pulses: Pulse[] } {
  const rng = new Rng(seed);
  const isPulse = new Array<boolean>(COMMANDS).fill(false);
  for (let k = 0; k < PULSES; k++) isPulse[k] = true;
  rng.shuffle(isPulse);
  const ops: Op[] = [];
  const pulses: Pulse[] = [];
  for (let k = 0; k < COMMANDS; k++) {
    if (isPulse[k]) {
      const up = rng.uniform() < 0.5;
      const p: Pulse = rng.uniform() < 0.8
        ? { kind: "cell", row: rng.int(4), col: rng.int(4), volts: up ? 1.1 : -1.1, widthSeconds: 100e-9, count: 1 + rng.int(3) }
        : { kind: "row", line: rng.int(4), selected: [0, 2, 3], counts: [rng.int(3), 1, rng.int(2)], volts: up ? 1.0 : -1.0, widthSeconds: 50e-9, scheme: "V/2" };
      pulses.push(p);
      ops.push((c) => c.program([p]));
      continue;
    }
    const kind = rng.uniform();
    if (kind < 0.45) {
      const [r, c] = [rng.int(4), rng.int(4)];
      ops.push((x) => x.readCell(r, c));
    } else if (kind < 0.97) {
      const volts = Float64Array.from({ length: 4 }, () => Math.round((rng.uniform() * 0.6 - 0.3) * 1000) / 1000);
      const direction = kind < 0.75 ? "forward" : "transposed";
      ops.push((x) => x.mvm({ direction, volts }));
    } else {
      ops.push((x) => x.readArray());
    }
  }
  return { ops, pulses };
}

const twins: FirmwareTwin[] = [];
afterAll(() => {
  for (const t of twins) t.stop();
});

describe("exactly-once under a faulty link", () => {
  it("10,000 commands, 2,000 pulses, 1% corruption, 1% drops, duplicates, two cuts: every pulse once, every answer right", async () => {
    const twin = await FirmwareTwin.create(simCrossbarFromUri(parseDeviceUri(URI)));
    twins.push(twin);
    const reference = simCrossbarFromUri(parseDeviceUri(URI));
    let links = 0;
    let current: Link | null = null;
    const FAULTS = { corruptProbability: 0.01, dropProbability: 0.01, duplicateProbability: 0.002 };
    const serial = await SerialCrossbar.open({
      label: "serial:fault-link",
      window: 16,
      // Windows no load can outlast: the test waits on the commands, not on a clock (a loaded CI once ran past 5 s).
      reconnectSeconds: 600,
      openTimeoutSeconds: 600,
      connect: async () => {
        current = createLink({ seed: ++links, faults: FAULTS });
        twin.serve(current.device);
        return current.host;
      },
    });
    const { ops, pulses } = commandMix(5);
    // Up to IN_FLIGHT calls outstanding; the simulator answers the same calls in the same order.
    let wrong = 0;
    let errors = 0;
    let firstError: string | undefined;
    const plain = (v: unknown) => JSON.stringify(v instanceof Float64Array ? Array.from(v, (x) => x + 0) : typeof v === "number" ? v + 0 : v);
    let outstanding = 0;
    let wake: (() => void) | null = null;
    const all: Promise<void>[] = [];
    for (let k = 0; k < COMMANDS; k++) {
      const got = ops[k]!(serial);
      const expected = plain((await ops[k]!(reference)).value);
      outstanding++;
      all.push(got.then(
        (m) => void (plain(m.value) !== expected && wrong++),
        (error: Error) => {
          errors++;
          firstError ??= `command ${k}: ${error.message}`;
        },
      ).finally(() => {
        outstanding--;
        const w = wake;
        wake = null;
        w?.();
      }));
      if (CUT_AT.includes(k)) current!.cut();
      if (outstanding >= IN_FLIGHT) await new Promise<void>((r) => (wake = r));
    }
    await Promise.all(all);
    expect(wrong).toBe(0);
    expect({ errors, firstError }).toEqual({ errors: 0, firstError: undefined });
    // Exactly once, in order: the twin's own log holds each pulse request once, as issued.
    await twin.idle();
    expect(twin.appliedPulses).toHaveLength(PULSES);
    expect(twin.appliedPulses.map((r) => r.pulse)).toEqual(pulses.map((p) => (p.kind === "cell" ? p : { ...p, selected: p.selected.filter((_, j) => p.counts[j]! > 0), counts: p.counts.filter((c) => c > 0) })));
    // And the array ends in exactly the state the simulator reaches on its own.
    expect(Array.from(twin.crossbar.trueConductances())).toEqual(Array.from(reference.trueConductances()));
    // The faults really happened and were recovered from; the driver is still connected.
    expect(serial.linkCounters.reconnects).toBe(2);
    expect(serial.linkCounters.resends).toBeGreaterThan(100);
    expect(twin.counters.damagedLines).toBeGreaterThan(100);
    expect(twin.counters.replayed).toBeGreaterThan(10);
    expect(serial.connected).toBe(true);
    console.log(`1%/1%/0.2% bytes, 10,000 commands, two cuts: ${formatLinkStats(serial.linkStats())}`);
    expect((await serial.readCell(0, 0)).value).toBe((await reference.readCell(0, 0)).value);
    await serial.close();
  }, 600_000);
});
