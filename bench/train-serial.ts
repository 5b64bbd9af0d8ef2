// Training over the serial line protocol at an emulated baud rate: the trainer on the pipelined driver,
// through an in-process link paced at baud/10 bytes/s each way (1 ms latency), to the firmware twin of a
// simulated ReRAM array. The bound is what the link allows: (baud/10) / (bytes one sample puts on the
// busier direction), from the bytes the epoch actually moved; the result is the fraction of it reached.
import { EnergyLedger } from "../src/energy/ledger.js";
import { parseDeviceUri } from "../src/hal/uri.js";
import { Rng } from "../src/random/rng.js";
import { parseTrainConfig } from "../src/train/config.js";
import { TrainingSession } from "../src/train/session.js";
import { QUICK_TRAIN_DEFAULTS } from "../src/run/train-defaults.js";
import { simCrossbarFromUri } from "../sim/crossbar/open.js";
import { FirmwareTwin } from "../emulators/firmware-twin/twin.js";
import { createLink } from "../emulators/link/link.js";
import { SerialCrossbar } from "../drivers/serial-crossbar/serial-crossbar.js";
import type { Benchmark, BenchResult } from "./types.js";

/**
 * The 49-16-10 network on 7×7 digits (`mhil train --layers 16`; the default run before it lost its hidden layer,
 * kept so the figures stay comparable) on the default array (sim:, 64×64).
 */
const HIDDEN_LAYER = { layers: [16], learningRates: [0.2, 0.1] };
const DEVICE = "sim:reram?rows=64&cols=64&seed=1";

async function trainSerialSamplesPerSecond(baud: number, samples: number): Promise<BenchResult> {
  const twin = await FirmwareTwin.create(simCrossbarFromUri(parseDeviceUri(DEVICE)));
  const link = createLink({ throttle: { baud, latencyMs: 1 } });
  twin.serve(link.device);
  const serial = await SerialCrossbar.overStream(link.host, { timeoutSeconds: 5 });
  try {
    const config = parseTrainConfig({ ...QUICK_TRAIN_DEFAULTS, ...HIDDEN_LAYER, samples, testSamples: 10, epochs: 1, persistentParticles: false }, "bench");
    // Placement, characterisation and the initial weights are not training: they run before the clock starts.
    const session = await TrainingSession.create({ config, crossbar: serial, ledger: new EnergyLedger(), rng: new Rng(config.seed) });
    const before = { h2d: link.hostToDevice.bytesOut, d2h: link.deviceToHost.bytesOut };
    const t0 = performance.now();
    const done = (await session.runEpoch()).samples;
    const seconds = (performance.now() - t0) / 1000;
    const h2d = link.hostToDevice.bytesOut - before.h2d;
    const d2h = link.deviceToHost.bytesOut - before.d2h;
    const bytesPerSample = Math.max(h2d, d2h) / done;
    const bound = baud / 10 / bytesPerSample;
    const ours = done / seconds;
    return {
      ours,
      unit: "train samples/s",
      anchor: bound,
      ratio: ours / bound,
      notes: {
        anchor_is: "the link bound: (baud/10 B/s) / (bytes per sample on the busier direction)",
        baud, latencyMs: 1, device: DEVICE, network: [49, ...(config.layers as number[]), 10].join("-"), batchSize: config.batchSize,
        samples: done, seconds: +seconds.toFixed(2), bytesHostToDevicePerSample: Math.round(h2d / done), bytesDeviceToHostPerSample: Math.round(d2h / done),
        need: "ratio ≥ 0.5",
      },
    };
  } finally {
    await serial.close();
    twin.stop();
  }
}

export const benchmarks: Benchmark[] = [
  { name: "train_serial_samples_per_s_115200", run: () => trainSerialSamplesPerSecond(115_200, 20) },
  { name: "train_serial_samples_per_s_1000000", run: () => trainSerialSamplesPerSecond(1_000_000, 100) },
];
