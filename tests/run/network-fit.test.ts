// A default network sized to the device: the widest that fits, by hand-checked placements; layers the user
// chose are left alone; nothing fits: the refusal names the smallest network.
import { describe, expect, test } from "vitest";
import { fitNetworkToDevice, fittingLayers } from "../../src/run/network-fit.js";
import { QUICK_TRAIN_DEFAULTS, resolveTrainConfig } from "../../src/run/train-defaults.js";
import { parseTrainConfig } from "../../src/train/config.js";
import { PlacementError } from "../../src/train/placement.js";

const config = (o: Record<string, unknown>) => parseTrainConfig({ layers: [16], learningRates: [0.2, 0.1], fitLayers: true, ...o });

describe("network sized to the device", () => {
  test("the widest hidden layer that fits, by shelf placement", () => {
    // 2-4-2 on 4×8: layer 1 is a 2×8 block, layer 2 a 4×4 block on a second shelf, rows 2–5 > 4. 2-3-2: 2×6,
    // then 3×4 cannot sit beside it (6 + 4 > 8) nor below (2 + 3 > 4). 2-2-2: 2×4 and 2×4 side by side.
    expect(fittingLayers(2, [4], 2, 4, 8)).toEqual([2]);
    // 49-16-10 (`mhil train --layers 16`) fits the default 64×64 array as it is.
    expect(fittingLayers(49, [16], 10, 64, 64)).toEqual([16]);
    // Two hidden layers narrow together, in proportion: 2-4-2-2 does not fit (2×8, then 4×4 below: 6 rows), but
    // 2-3-1-2 does: 2×6 and 3×2 side by side on the first shelf (3 rows), 1×4 on a second (row 3).
    expect(fittingLayers(2, [8, 4], 2, 4, 8)).toEqual([3, 1]);
    // A 2×4 board holds 2 inputs × 2 outputs as conductance pairs and nothing more.
    expect(fittingLayers(2, [16], 2, 2, 4)).toEqual([]);
    expect(fittingLayers(49, [16], 10, 2, 4)).toBeNull();
  });

  test("a default network too big for a 2×4 board: no hidden layer, the output layer's rate, one line saying so", () => {
    const fit = fitNetworkToDevice(config({}), 2, 2, 2, 4);
    expect(fit.config.layers).toEqual([]);
    expect(fit.config.learningRates).toEqual([0.1]);
    expect(fit.note).toBe("network 2-16-2 does not fit on the 2×4 crossbar: training 2-2 (no hidden layer), the widest network that fits (set layers to choose another)");
    const fits = fitNetworkToDevice(config({}), 49, 10, 64, 64);
    expect(fits).toEqual({ config: config({}), note: null });
  });

  test("nothing fits: PlacementError with the smallest network's cells; chosen layers are never changed", () => {
    expect(() => fitNetworkToDevice(config({}), 49, 10, 2, 4)).toThrow(PlacementError);
    expect(() => fitNetworkToDevice(config({}), 49, 10, 2, 4)).toThrow(
      "network 49-16-10 does not fit on a 2×4 crossbar, nor does 49-10 with no hidden layer: its weights need 980 cells as conductance pairs; use a larger device (sim:PRESET?rows=&cols=) or data with fewer inputs or classes",
    );
    // With no hidden layer asked for (mhil train's default), the refusal names that one network once.
    expect(() => fitNetworkToDevice(config({ layers: [], learningRates: [0.2] }), 49, 10, 2, 4)).toThrow(
      /^network 49-10 does not fit on a 2×4 crossbar: its weights need 980 cells as conductance pairs; use a larger device/,
    );
    const chosen = config({ fitLayers: false });
    expect(fitNetworkToDevice(chosen, 2, 2, 2, 4)).toEqual({ config: chosen, note: null });
  });

  test("mhil train's own default layers may be fitted; layers a file or flag gives (even the same numbers) may not", () => {
    expect(resolveTrainConfig({ ...QUICK_TRAIN_DEFAULTS }, "test").fitLayers).toBe(true);
    expect(resolveTrainConfig({ ...QUICK_TRAIN_DEFAULTS, layers: [16] }, "test").fitLayers).toBe(false);
    expect(resolveTrainConfig({ ...QUICK_TRAIN_DEFAULTS, fitLayers: false }, "test").fitLayers).toBe(false);
    expect(parseTrainConfig({}).fitLayers).toBe(false);
  });
});
