// The serial driver against the firmware itself (host build, on its own pty) through a seeded byte-level fault
// link: 1% corrupted, 1% dropped, 0.5% duplicated bytes from the first byte on, and two link cuts. The same commands
// go to a second firmware process (same seed, noise off) over a clean link: every pulse report is the same, reads
// and products agree within the converters' last codes (the host build's front end runs on the real clock, so
// its analog settling is not bit-for-bit repeatable), every pulse was applied exactly once (the firmware's own
// EN counter), and nothing failed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Crossbar, Pulse } from "../../src/hal/crossbar.js";
import { SerialCrossbar } from "../../drivers/serial-crossbar/serial-crossbar.js";
import { openSerialPort } from "../../drivers/serial-crossbar/port.js";
import { formatLinkStats } from "../../drivers/serial-crossbar/link-stats.js";
import { bridge } from "../../emulators/link/bridge.js";
import { createLink, type Link } from "../../emulators/link/link.js";
import { Rng } from "../../src/random/rng.js";
import { LineClient, make, startFirmwareHost, type FirmwareHost } from "./host-process.js";

const ARGS = ["--seed", "21", "--noise", "0", "--serial", "FAULT-LINK"];
const COMMANDS = 300;
const CUT_AT = [100, 200];

type Op = (c: Crossbar) => Promise<unknown>;

/** A seeded mix of reads, products and pulses (about a third pulses), and the pulses requested in total. */
function commandMix(seed: number): { ops: Op[]; pulses: number } {
  const rng = new Rng(seed);
  const ops: Op[] = [];
  let pulses = 0;
  for (let k = 0; k < COMMANDS; k++) {
    const pick = rng.uniform();
    if (pick < 0.35) {
      const count = 1 + rng.int(3);
      const p: Pulse = { kind: "cell", row: rng.int(16), col: rng.int(16), volts: rng.uniform() < 0.5 ? 1.2 : -1.2, widthSeconds: 100e-6, count };
      pulses += count;
      ops.push(async (c) => (await c.program([p])).value);
    } else if (pick < 0.7) {
      const [r, col] = [rng.int(16), rng.int(16)];
      ops.push(async (c) => (await c.readCell(r, col)).value);
    } else {
      const volts = Float64Array.from({ length: 16 }, () => Math.round((rng.uniform() * 0.4 - 0.2) * 1000) / 1000);
      ops.push(async (c) => Array.from((await c.mvm({ direction: "forward", volts })).value));
    }
  }
  return { ops, pulses };
}

/** Pulse reports equal; conductances (S) and currents (A) within 8 ADC codes (≤ 8e-7) or 1%: the host build's front end drifts on the wall clock, and retries move a read later (4 codes seen on a quiet machine). */
function expectAlike(a: unknown, b: unknown, what: string): void {
  if (typeof a === "number" && typeof b === "number") {
    expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(Math.max(8e-7, 0.01 * Math.abs(b)));
  } else if (Array.isArray(a) && Array.isArray(b)) {
    expect(a.length).toBe(b.length);
    a.forEach((x, i) => expectAlike(x, b[i], `${what}[${i}]`));
  } else {
    expect(a, what).toEqual(b);
  }
}

describe("the firmware's host build through a fault link with cuts", () => {
  const hosts: FirmwareHost[] = [];
  beforeAll(() => {
    make(["host"]);
  }, 180_000);
  afterAll(async () => {
    for (const h of hosts) await h.stop();
  });

  it("1%/1%/0.5% damaged bytes and two cuts: the same answers as a clean link, every pulse applied once", async () => {
    const noisyHost = await startFirmwareHost(ARGS);
    const cleanHost = await startFirmwareHost(ARGS);
    hosts.push(noisyHost, cleanHost);
    const port = await openSerialPort(noisyHost.path, 1_000_000);
    let current: Link | null = null;
    let links = 0;
    const FAULTS = { corruptProbability: 0.01, dropProbability: 0.01, duplicateProbability: 0.005 };
    const noisy = await SerialCrossbar.open({
      label: "serial:fault-link-firmware",
      openTimeoutSeconds: 600, // no load outlasts it: the test waits on the answers, not on a clock
      connect: async () => {
        current = createLink({ seed: 100 + ++links, faults: FAULTS });
        bridge(current.device, port); // ends when the link is cut; the firmware's port stays open
        return current.host;
      },
    });
    const clean = await SerialCrossbar.open({ label: "serial:clean-firmware", connect: () => openSerialPort(cleanHost.path, 1_000_000) });
    try {
      const { ops, pulses } = commandMix(9);
      const noisyAnswers: unknown[] = [];
      const cleanAnswers: unknown[] = [];
      for (let k = 0; k < ops.length; k++) {
        if (CUT_AT.includes(k)) current!.cut();
        noisyAnswers.push(await ops[k]!(noisy));
        cleanAnswers.push(await ops[k]!(clean));
      }
      noisyAnswers.forEach((a, k) => expectAlike(a, cleanAnswers[k], `command ${k}`));
      const stats = noisy.linkStats();
      console.log(`firmware host build, 1%/1%/0.5% bytes, ${COMMANDS} commands, two cuts: ${formatLinkStats(stats)}`);
      expect(stats.reconnects).toBe(2);
      expect(stats.damagedReplies + stats.naks).toBeGreaterThan(50);
      await noisy.close();
      await clean.close();
      // The bridge's port still reads the noisy firmware's pty: close it, or it takes the counter's reply.
      await new Promise<void>((r) => port.close(() => r()));
      // The firmware's own count of pulses applied since boot: each requested pulse once, on both.
      for (const host of [noisyHost, cleanHost]) {
        const client = await LineClient.open(host.path);
        try {
          // A stale unsequenced line of the noisy session (a late probe's answer) may still sit in the pty: the EN answer is the one that says so.
          let answer = await client.ask("0000 EN");
          for (let attempt = 0; !/^0000 OK EN /.test(answer) && attempt < 5; attempt++) answer = await client.ask("0000 EN");
          expect(answer).toMatch(/^0000 OK EN /);
          expect(answer.split(" ")[11]).toBe(String(pulses));
        } finally {
          await client.close();
        }
      }
    } finally {
      await noisy.close();
      await clean.close();
      if (port.isOpen) await new Promise<void>((r) => port.close(() => r()));
    }
  }, 180_000);
});
