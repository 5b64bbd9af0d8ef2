// The devices on the Firmata twin's board: a sim/devices preset (the same DeviceParams, models and
// population the simulated crossbar uses), plus the one thing the board's sense path adds, its ADC noise.
import type { DeviceParams } from "../../sim/devices/params.js";
import { validateDeviceParams } from "../../sim/devices/params.js";
import type { DevicePreset } from "../../sim/devices/presets.js";

/** The twin's device parameters: a sim/devices device, and the ADC input noise of the board that senses it. */
export type TwinDeviceParams = DeviceParams & {
  /** ADC input noise, standard deviation in LSB (an AVR ADC shows about half an LSB). */
  adcNoiseLsb: number;
};

/**
 * The 2 × 4 test board's discrete memristors as a sim/devices preset. Provenance, honestly: these are not
 * fitted to a published device. They are sized to the board (protocol/firmata/board-config.ts): 5–50 µS
 * beside 22 kΩ sense resistors reads 16–130 ADC codes at the 0.8 V default read; a 1.2 V threshold keeps
 * reads (≤ 1 V on the branch) and the V/3 half-select of a 3.5 V pulse (≤ 1.17 V) below switching; host-timed
 * pulses last tens of milliseconds, so the nominal pulse is 20 ms. The step law is aihwkit's
 * SoftBoundsDevice (Rasch et al. 2021, "A flexible and fast PyTorch toolkit for simulating training and
 * inference on analog crossbar arrays", AICAS 2021), as models.ts implements it; about 15 steps across the
 * range at mid-range. A published ms-pulse discrete device that fits these voltages would replace them.
 */
export const FIRMATA_BOARD_PRESET: DevicePreset = {
  name: "firmata-board",
  source: "sized to the 2x4 Firmata test board (5-50 uS beside 22 kOhm, 1.2 V threshold, 20 ms pulses); soft bounds after aihwkit SoftBoundsDevice; not a published fit",
  device: validateDeviceParams(
    {
      model: "softBounds",
      gMinSiemens: 5e-6,
      gMaxSiemens: 50e-6,
      // Soft bounds halve the step at mid-range: 6 µS at the floor is 3 µS in the middle, 15 steps across.
      stepSiemens: 6e-6,
      upDownAsymmetry: 0,
      stepSpreadD2d: 0.1,
      boundsSpreadD2d: 0,
      writeNoiseC2c: 0.1,
      readNoise: 0.005,
      stuckAtMinProbability: 0,
      stuckAtMaxProbability: 0,
      thresholdVoltsPositive: 1.2,
      thresholdVoltsNegative: 1.2,
      nominalVoltsPositive: 2.2,
      nominalVoltsNegative: 2.2,
      nominalPulseWidthSeconds: 0.02,
      amplitudeExponent: 1,
      // The twin integrates switching over time (a pulse's width is how long its lines hold): linear in time.
      widthExponent: 1,
      gammaUp: 0,
      gammaDown: 0,
      // The twin pulses its devices in time slices, which are not pulses: it models no wear.
      endurancePulses: Infinity,
      initialConductance: "uniform",
      maxReadVolts: 1,
      maxProgramVoltsPositive: 3.5,
      maxProgramVoltsNegative: 3.5,
      minPulseWidthSeconds: 0.02,
      maxPulseWidthSeconds: 1,
      complianceAmperes: 1e-3,
    },
    "firmata twin preset.",
  ),
  peripherals: {},
  // The board's own energies (sense resistors, host-timed lines) are the Firmata driver's: no table here.
  array: {},
  energyTable: [],
};

export const DEFAULT_TWIN_DEVICE: TwinDeviceParams = { ...FIRMATA_BOARD_PRESET.device, adcNoiseLsb: 0.5 };
