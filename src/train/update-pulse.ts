// The trainer's `--pulse minimum-energy`: measure the pulse-energy trade-off on the device before the weights are
// placed, and write updates with the shape that spends the least per siemens. A resume reuses the shape its
// checkpoint recorded, so it neither re-measures (pulses the array again) nor changes the pulse mid-run.
import type { Crossbar } from "../hal/crossbar.js";
import { UserError } from "../hal/user-error.js";
import type { CrossbarSettings } from "./config.js";
import type { EnergyLedger } from "../energy/ledger.js";
import { measurePulseEnergy, type PulseEnergyResult } from "./pulse-energy.js";

export interface ChosenPulse {
  pulse: { volts: number; widthSeconds: number } | null;
  /** The measurement it was chosen from (null on a resume and with the default pulse). */
  tradeOff: PulseEnergyResult | null;
}

/** A device on which no pulse shape reached the asked-for change: the user can lower the target or use the default. */
export class NoMinimumPulseError extends UserError {}

export async function chooseUpdatePulse(
  settings: CrossbarSettings,
  crossbar: Crossbar,
  ledger: EnergyLedger,
  resumed: { volts: number; widthSeconds: number } | undefined,
): Promise<ChosenPulse> {
  if (settings.pulse !== "minimum-energy") return { pulse: null, tradeOff: null };
  if (resumed) return { pulse: resumed, tradeOff: null };
  const tradeOff = await measurePulseEnergy(crossbar, { targetFraction: settings.pulseTargetFraction, record: (m) => ledger.record("characterise", m) });
  if (tradeOff.minimum === null) {
    throw new NoMinimumPulseError(
      `--pulse minimum-energy: on ${tradeOff.model} no pulse shape of ${tradeOff.points.length} reached a ΔG of ${tradeOff.targetDeltaSiemens.toPrecision(3)} S ` +
        `(crossbar.pulseTargetFraction ${settings.pulseTargetFraction} of the range); lower it or use the default pulse`,
    );
  }
  return { pulse: { volts: tradeOff.minimum.volts, widthSeconds: tradeOff.minimum.widthSeconds }, tradeOff };
}
