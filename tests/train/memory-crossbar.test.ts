// The associative memory on crossbar weights (simulated ReRAM, 64 units on a 64×128 array): W and Wᵀ from
// one array, storage as pulses booked in the ledger as E_learn, recall reads beside it. Known answers: a
// light load recalls; at P/N = 0.25 Hebbian storage collapses and the trainer's EqProp rule recalls.
import { describe, expect, it } from "vitest";
import { parseDeviceUri } from "../../src/hal/uri.js";
import { runRecall } from "../../src/run/recall-run.js";
import { parseMemoryConfig, type MemoryConfigInput } from "../../src/train/memory/memory-config.js";
import { simCrossbarFromUri } from "../../sim/crossbar/open.js";

const URI = "sim:reram?rows=64&cols=128";

async function onDevice(input: MemoryConfigInput) {
  const config = parseMemoryConfig({ weights: "crossbar", units: 64, corrupt: 0.1, seed: 1, ...input });
  return runRecall({ config, deviceUri: URI, crossbar: simCrossbarFromUri(parseDeviceUri(URI)) });
}

describe("associative memory on the simulated crossbar", () => {
  it("Hebbian, P/N = 0.05: recalls; every storage pulse is in E_learn, the recall reads are not", async () => {
    const s = await onDevice({ rule: "hebbian", patterns: 3 });
    expect(s.overlap).toBeGreaterThanOrEqual(0.97);
    expect(s.storage.pulses).toBeGreaterThan(0);
    expect(s.storage.updates).toBe(3);
    const a = s.energy_joules.by_activity;
    // Storing is the pulses plus the two products that centre the biases; recalling is reads only.
    expect(a.program!).toBeGreaterThan(0);
    expect(s.energy_joules.learning + s.energy_joules.recall).toBeCloseTo(a.program! + a.freeRead! + a.refresh!, 15);
    expect(s.energy_joules.learning).toBeGreaterThan(a.program!);
    expect(s.energy_joules.recall).toBeGreaterThan(0);
    expect(s.energy_joules.total).toBeCloseTo(s.energy_joules.learning + s.energy_joules.recall + s.energy_joules.overhead, 15);
    // Joules per bit divide E_learn by the bits at each end of the bracket.
    expect(s.joules_per_bit.estimate).toBeCloseTo(s.energy_joules.learning / s.bits_stored.estimate, 20);
    expect(s.devices).toBe(2 * 64 * 64);
  });

  it("P/N = 0.25: Hebbian collapses on the device, the trainer's EqProp rule (as pulses) recalls", async () => {
    const hebbian = await onDevice({ rule: "hebbian", patterns: 16 });
    expect(hebbian.overlap).toBeLessThan(0.6);
    const learned = await onDevice({ rule: "learned", patterns: 16 });
    expect(learned.overlap).toBeGreaterThanOrEqual(0.97);
    expect(learned.storage.pulses).toBeGreaterThan(hebbian.storage.pulses);
    expect(learned.energy_joules.learning).toBeGreaterThan(hebbian.energy_joules.learning);
  });

  it("modern Hopfield on the device: 128 patterns of 64 units (P = 2N) retrieved in one update, both products on the array", async () => {
    const uri = "sim:reram?rows=64&cols=256";
    const config = parseMemoryConfig({ weights: "crossbar", rule: "modern", units: 64, patterns: 128, corrupt: 0.1, seed: 1 });
    const s = await runRecall({ config, deviceUri: uri, crossbar: simCrossbarFromUri(parseDeviceUri(uri)) });
    expect(s.overlap).toBeGreaterThanOrEqual(0.99);
    expect(s.storage.updates).toBe(128);
    // The retrieval is two products per batch of cues plus nothing else on the device: a read, not a pulse.
    expect(s.energy_joules.recall).toBeGreaterThan(0);
    expect(s.energy_joules.recall).toBeLessThan(s.energy_joules.learning);
  });
});
