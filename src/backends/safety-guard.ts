// The guard every command's device stack puts in front of the backend. Always: every read, product and pulse
// batch is checked against the device's limits on the host before it reaches the device (refused whole,
// nothing applied). With the stop-on-trip compliance policy also: a compliance trip while programming, or a
// measured current over the compliance limit on any read or product, is reported as a device event and
// stops the caller with a clear error (the caller grounds every line).
import type { Crossbar, DeviceIdentity, Measured, MvmRequest, ProgramReport, Pulse } from "../hal/crossbar.js";
import type { Volts } from "../hal/units.js";
import { CrossbarDecorator } from "../hal/crossbar-decorator.js";
import { checkCell, checkMvm, checkPulses, checkReadVolts } from "../hal/limits.js";
import type { DeviceEvent } from "./device-events.js";
import { UserError } from "../hal/user-error.js";

/** A compliance trip under the stop-on-trip policy: the run stops safely (exit 1). */
export class ComplianceTripError extends UserError {
  constructor(message: string) {
    super(message, 1);
  }
}

/** A measured current over the device's compliance limit under the stop-on-trip policy (exit 1). */
export class CurrentOverLimitError extends UserError {
  constructor(message: string) {
    super(message, 1);
  }
}

/**
 * The voltage a read without one is made at. A backend whose identify() reports `defaultReadVolts` is taken
 * at its word; the Crossbar contract does not carry it yet, so otherwise the largest read voltage the device
 * allows, which bounds every backend's default: a current computed with it is never an underestimate.
 */
export function defaultReadVolts(id: DeviceIdentity): Volts {
  const reported = (id as DeviceIdentity & { defaultReadVolts?: unknown }).defaultReadVolts;
  return typeof reported === "number" && Number.isFinite(reported) && reported > 0 ? reported : id.limits.maxReadVolts;
}

export interface SafetyGuardOptions {
  /** The compliance policy: stop at a trip or an over-limit current (default false: only limits are checked). */
  stopOnTrip?: boolean;
  /** Where trips and over-limit currents are reported before the error is thrown. */
  report?: (e: DeviceEvent) => void;
}

export class SafetyGuardCrossbar extends CrossbarDecorator {
  private readonly stopOnTrip: boolean;
  private readonly report: (e: DeviceEvent) => void;

  constructor(inner: Crossbar, private readonly id: DeviceIdentity, o: SafetyGuardOptions = {}) {
    super(inner);
    this.stopOnTrip = o.stopOnTrip ?? false;
    this.report = o.report ?? (() => undefined);
  }

  override async readCell(row: number, col: number, readVolts?: Volts) {
    checkCell(this.id, row, col);
    const volts = readVolts ?? defaultReadVolts(this.id);
    checkReadVolts(this.id, volts);
    const m = await this.inner.readCell(row, col, readVolts);
    if (this.stopOnTrip) this.checkCurrent(Math.abs(m.value * volts), `reading cell (${row}, ${col})`);
    return m;
  }

  override async readArray(readVolts?: Volts) {
    const volts = readVolts ?? defaultReadVolts(this.id);
    checkReadVolts(this.id, volts);
    const m = await this.inner.readArray(readVolts);
    if (this.stopOnTrip) this.checkCurrent(maxAbs(m.value) * Math.abs(volts), "reading the array");
    return m;
  }

  override mvm(request: MvmRequest): Promise<Measured<Float64Array>> {
    try {
      checkMvm(this.id, request);
    } catch (e) {
      return Promise.reject(e); // refused as the async contract says: a rejected promise, not a throw
    }
    // Without the compliance policy the backend's answer goes back as it is (no second promise per product).
    if (!this.stopOnTrip) return this.inner.mvm(request);
    return this.inner.mvm(request).then((m) => {
      this.checkCurrent(maxAbs(m.value), `a ${request.direction} product`);
      return m;
    });
  }

  override async program(pulses: Pulse[]): Promise<Measured<ProgramReport>> {
    checkPulses(this.id, pulses);
    const m = await this.inner.program(pulses);
    if (this.stopOnTrip && m.value.complianceTrips > 0) {
      const message = `compliance tripped on ${m.value.complianceTrips} pulse(s) of a batch (limit ${this.id.limits.complianceAmperes} A on ${this.id.model}, serial ${this.id.serial}): stopping safely with every line grounded; check the cells before going on`;
      this.report({ kind: "compliance_trip", message });
      throw new ComplianceTripError(message);
    }
    return m;
  }

  private checkCurrent(amperes: number, what: string): void {
    const limit = this.id.limits.complianceAmperes;
    if (!(amperes > limit)) return;
    const message = `measured current ${amperes.toExponential(3)} A in ${what} is over the ${limit} A limit of ${this.id.model} (serial ${this.id.serial}): stopping safely with every line grounded`;
    this.report({ kind: "current_over_limit", message });
    throw new CurrentOverLimitError(message);
  }
}

function maxAbs(values: Float64Array): number {
  let max = 0;
  for (const v of values) if (Math.abs(v) > max) max = Math.abs(v);
  return max;
}
