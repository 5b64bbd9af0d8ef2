// The training config: defaults, and errors that name the file and the key path.
import { describe, expect, it } from "vitest";
import { TrainConfigError, layerRates, parseLabelMode, parseTrainConfig } from "../../src/train/config.js";

describe("parseTrainConfig", () => {
  it("fills the prototype defaults", () => {
    const c = parseTrainConfig({}, "x.json");
    expect(c.dataset).toBe("mnist");
    expect(c.layers).toEqual([500]);
    expect([c.T1, c.T2, c.beta, c.epsilon, c.batchSize]).toEqual([20, 4, 0.5, 0.5, 20]);
    expect(layerRates(c)).toEqual([0.1, 0.05]);
    expect(c.temperatureKelvin).toBe(300);
  });

  it("broadcasts one learning rate and accepts an empty hidden list", () => {
    const c = parseTrainConfig({ layers: [], learningRates: 0.2 }, "x.json");
    expect(layerRates(c)).toEqual([0.2]);
  });

  it.each([
    [{ T1: "a" }, /^bad\.json: T1: /],
    [{ crossbar: { pulseVolt: 1 } }, /^bad\.json: crossbar\.pulseVolt: unknown key/],
    [{ layers: [3, -1] }, /^bad\.json: layers\[1\]: /],
    [{ labels: "teacher:3" }, /^bad\.json: labels: must be real, random, control, teacher or teacher:p/],
    [{ epochz: 3 }, /^bad\.json: epochz: unknown key/],
    [{ layers: [10, 10], learningRates: [0.1, 0.1] }, /^bad\.json: learningRates: has 2 rates but the network has 3 weight layers/],
  ])("refuses %j naming the file and the key", (bad, message) => {
    let err: unknown;
    try {
      parseTrainConfig(bad, "bad.json");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TrainConfigError);
    expect((err as Error).name).toBe("TrainConfigError");
    expect((err as Error).message).toMatch(message);
  });

  it("parses label modes", () => {
    expect(parseLabelMode("teacher:0.25")).toEqual({ kind: "teacher", replaceFraction: 0.25 });
    expect(parseLabelMode("teacher")).toEqual({ kind: "teacher", replaceFraction: 0 });
    expect(parseLabelMode("random")).toEqual({ kind: "random" });
  });
});
