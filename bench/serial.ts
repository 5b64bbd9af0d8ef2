// Serial link benchmarks: the pipelined driver through a throttled in-process link to the firmware twin.
//   link_utilization_115200 / _1000000: fraction of the link's byte capacity (baud/10 B/s, busier direction)
//     used by a stream of products and pulses; needs ≥ 0.9.
//   pipelining_speedup: pipelined command rate / one-at-a-time rate with 1 ms latency each way; needs ≥ 10.
import type { Benchmark, BenchResult } from "./types.js";
import type { Crossbar } from "../src/hal/crossbar.js";
import { parseDeviceUri } from "../src/hal/uri.js";
import { Rng } from "../src/random/rng.js";
import { simCrossbarFromUri } from "../sim/crossbar/open.js";
import { FirmwareTwin } from "../emulators/firmware-twin/twin.js";
import { createLink, type Link } from "../emulators/link/link.js";
import { SerialCrossbar } from "../drivers/serial-crossbar/serial-crossbar.js";

const DEVICE = "sim:reram?rows=32&cols=32&seed=1";

async function rig(baud: number, latencyMs: number, window: number, device = DEVICE): Promise<{ serial: SerialCrossbar; link: Link; twin: FirmwareTwin }> {
  const twin = await FirmwareTwin.create(simCrossbarFromUri(parseDeviceUri(device)));
  const link = createLink({ throttle: { baud, latencyMs } });
  twin.serve(link.device);
  const serial = await SerialCrossbar.overStream(link.host, { window, timeoutSeconds: 2 });
  return { serial, link, twin };
}

/** A stream of forward/transposed products and cell/row pulses, drawn from a seed. */
function commandStream(seed: number, rows: number, cols: number): () => (c: Crossbar) => Promise<unknown> {
  const rng = new Rng(seed);
  return () => {
    const u = rng.uniform();
    if (u < 0.5) {
      const forward = u < 0.3;
      const volts = Float64Array.from({ length: forward ? rows : cols }, () => (rng.uniform() - 0.5) * 0.4);
      return (c) => c.mvm({ direction: forward ? "forward" : "transposed", volts });
    }
    if (u < 0.85) {
      const p = { kind: "cell" as const, row: rng.int(rows), col: rng.int(cols), volts: rng.uniform() < 0.5 ? 1.1 : -1.1, widthSeconds: 100e-9, count: 1 };
      return (c) => c.program([p]);
    }
    const p = { kind: "row" as const, line: rng.int(rows), selected: [1, 5, 9, 12], counts: [1, 2, 0, 1], volts: 1.0, widthSeconds: 50e-9, scheme: "V/2" as const };
    return (c) => c.program([p]);
  };
}

/** Runs commands for `seconds`, keeping up to `inFlight` calls outstanding; returns completed calls and seconds. */
async function drive(serial: SerialCrossbar, seconds: number, inFlight: number): Promise<{ done: number; seconds: number }> {
  const id = await serial.identify();
  const next = commandStream(3, id.rows, id.cols);
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  let done = 0;
  let outstanding = 0;
  let wake: (() => void) | null = null;
  const all: Promise<unknown>[] = [];
  while (performance.now() < until) {
    outstanding++;
    all.push(next()(serial).then(() => {
      done++;
      outstanding--;
      const w = wake;
      wake = null;
      w?.();
    }));
    // (Promise.race over the outstanding set would pile up handlers: wait for one slot instead.)
    if (outstanding >= inFlight) await new Promise<void>((r) => (wake = r));
  }
  await Promise.all(all);
  return { done, seconds: (performance.now() - t0) / 1000 };
}

async function utilization(baud: number, seconds: number): Promise<BenchResult> {
  const { serial, link, twin } = await rig(baud, 1, 32);
  const before = { h2d: link.hostToDevice.bytesOut, d2h: link.deviceToHost.bytesOut };
  const t0 = performance.now();
  const { done } = await drive(serial, seconds, 64);
  const elapsed = (performance.now() - t0) / 1000;
  const h2d = link.hostToDevice.bytesOut - before.h2d;
  const d2h = link.deviceToHost.bytesOut - before.d2h;
  const capacity = (baud / 10) * elapsed;
  await serial.close();
  twin.stop();
  return {
    ours: Math.max(h2d, d2h) / capacity,
    unit: "fraction of baud/10 bytes/s (busier direction)",
    notes: { baud, latencyMs: 1, window: serial.window, seconds: +elapsed.toFixed(2), commands: done, bytesHostToDevice: h2d, bytesDeviceToHost: d2h, device: DEVICE, need: "≥ 0.9" },
  };
}

async function speedup(): Promise<BenchResult> {
  // USB CDC links (the usual crossbar controller) ignore the baud rate and move ~1 MB/s in 1 ms frames.
  const baud = 12_000_000;
  const device = "sim:reram?rows=16&cols=16&seed=1";
  const rates: number[] = [];
  for (const [window, inFlight] of [[1, 1], [64, 128]] as const) {
    const { serial, twin } = await rig(baud, 1, window, device);
    const { done, seconds } = await drive(serial, 2, inFlight);
    rates.push(done / seconds);
    await serial.close();
    twin.stop();
  }
  const [one, piped] = rates as [number, number];
  return {
    ours: piped / one,
    unit: "pipelined rate / one-at-a-time rate",
    notes: { latencyMsEachWay: 1, baud, oneAtATimePerSecond: Math.round(one), pipelinedPerSecond: Math.round(piped), window: 64, device, need: "≥ 10" },
  };
}

export const benchmarks: Benchmark[] = [
  { name: "link_utilization_115200", run: () => utilization(115_200, 4) },
  { name: "link_utilization_1000000", run: () => utilization(1_000_000, 3) },
  { name: "pipelining_speedup", run: speedup },
];
