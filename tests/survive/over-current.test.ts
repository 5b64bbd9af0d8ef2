// A measured current over the device's limit stops safely: the guard reports a current_over_limit event and
// throws before the caller can use the product. Real simulated currents (Ohm's law), a real limit check.
import { describe, expect, it } from "vitest";
import { CurrentOverLimitError, SafetyGuardCrossbar } from "../../src/backends/safety-guard.js";
import { SimulatedCrossbar } from "../../sim/crossbar/simulated-crossbar.js";
import { IDEAL_PERIPHERALS } from "../../sim/crossbar/peripherals.js";
import { PRESETS } from "../../sim/devices/presets.js";
import type { DeviceEvent } from "../../src/backends/device-events.js";

describe("current over the limit", () => {
  it("a product drawing more than the limit throws CurrentOverLimitError and reports it; below the limit passes", async () => {
    const sim = new SimulatedCrossbar({ rows: 8, cols: 4, seed: 1, device: { ...PRESETS.ideal!.device, initialConductance: "gMax" }, peripherals: { ...IDEAL_PERIPHERALS } });
    const id = await sim.identify();
    const G = sim.trueConductances();
    const volts = new Float64Array(8).fill(0.2);
    // Column 0 sinks Σ_i 0.2 V · G[i][0] by Ohm's and Kirchhoff's laws.
    let column0 = 0;
    for (let i = 0; i < 8; i++) column0 += 0.2 * G[i * 4]!;
    const events: DeviceEvent[] = [];
    const below = new SafetyGuardCrossbar(sim, { ...id, limits: { ...id.limits, complianceAmperes: column0 * 1.01 } }, { stopOnTrip: true, report: (e) => events.push(e) });
    await expect(below.mvm({ direction: "forward", volts })).resolves.toBeDefined();
    expect(events).toEqual([]);

    const over = new SafetyGuardCrossbar(sim, { ...id, limits: { ...id.limits, complianceAmperes: column0 * 0.5 } }, { stopOnTrip: true, report: (e) => events.push(e) });
    const err = await over.mvm({ direction: "forward", volts }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CurrentOverLimitError);
    expect(events.map((e) => e.kind)).toEqual(["current_over_limit"]);
    expect(events[0]!.message).toMatch(/^measured current 1\.600e-4 A in a forward product is over the [0-9.e-]+ A limit of /);
    await sim.close();
  });
});
