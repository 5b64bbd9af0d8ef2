// Shared parts of the survive tests: a small crossbar training config, a decorator that fails inside a pulse
// batch, and records.jsonl reading.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, rmSync, existsSync } from "node:fs";
import { Duplex } from "node:stream";
import type { FirmwareTwin } from "../../emulators/firmware-twin/twin.js";
import type { Crossbar, Pulse } from "../../src/hal/crossbar.js";
import { CrossbarDecorator } from "../../src/hal/crossbar-decorator.js";
import { parseTrainConfig } from "../../src/train/config.js";

/** 2-16-2 on toy:2d as conductance pairs: fits a 32×32 array, a few seconds on the simulator. */
export const smallCrossbarConfig = (over: Record<string, unknown> = {}) =>
  parseTrainConfig({ dataset: "toy:2d", samples: 100, testSamples: 20, layers: [16], learningRates: [0.2, 0.1], batchSize: 10, epochs: 3, seed: 4, weights: "crossbar", ...over }, "survive test");

export const readDocs = (file: string): Record<string, any>[] =>
  readFileSync(file, "utf8").trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));

/**
 * Passes everything through, but once armed (training under way) its `failOnCall`-th program() call applies
 * the first half of the batch and then throws (a failed assertion in the middle of a pulse batch).
 */
export class FailingMidBatchCrossbar extends CrossbarDecorator {
  programCalls = 0;
  thrown: Error | null = null;
  private armed = false;

  constructor(inner: Crossbar, private readonly failOnCall: number) {
    super(inner);
  }

  arm(): void {
    this.armed = true;
  }

  override async program(pulses: Pulse[]) {
    if (this.armed && ++this.programCalls === this.failOnCall) {
      if (pulses.length > 1) await this.inner.program(pulses.slice(0, Math.ceil(pulses.length / 2)));
      this.thrown = new Error(`assertion failed in pulse batch ${this.programCalls}: conductance step out of range`);
      throw this.thrown;
    }
    return this.inner.program(pulses);
  }
}

/** Serves `twin` on a fresh socat pty linked at `linkPath` (a replugged cable keeps its port name). */
/** The link= name each pty socat made, so that unplugging removes it as a pulled cable removes its device node. */
const linkNames = new WeakMap<ChildProcess, string>();

export async function plugInPty(twin: FirmwareTwin, linkPath: string): Promise<ChildProcess> {
  rmSync(linkPath, { force: true });
  const socat = spawn("socat", ["-d", "-d", `pty,raw,echo=0,ignoreeof,link=${linkPath}`, "STDIO"], { stdio: ["pipe", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`socat: no pty within 5 s: ${text}`)), 5000);
    socat.stderr!.on("data", (c: Buffer) => {
      text += c.toString();
      if (/PTY is \S+/.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    socat.once("exit", (code) => reject(new Error(`socat exited (${code}): ${text}`)));
  });
  // socat announces the pty before it creates the link= symlink: wait for the name to exist.
  for (let i = 0; i < 100 && !existsSync(linkPath); i++) await new Promise((r) => setTimeout(r, 20));
  socat.stdin!.on("error", () => undefined);
  const stream = Duplex.from({ readable: socat.stdout!, writable: socat.stdin! });
  stream.on("error", () => undefined);
  twin.serve(stream);
  linkNames.set(socat, linkPath);
  return socat;
}

/** Kills a socat (the cable is pulled) and waits until it is gone. */
export async function unplugPty(p: ChildProcess): Promise<void> {
  // The name goes first: SIGKILL leaves socat's symlink pointing at /dev/pts/N, a number the kernel hands to
  // the next pty another test opens, and a reconnecting driver would find that test's device behind it.
  const link = linkNames.get(p);
  if (link) rmSync(link, { force: true });
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once("exit", () => r()));
  p.kill("SIGKILL");
  await exited;
}
