// Stops a run safely when the device says something is wrong: a compliance trip while programming, or a
// measured current over the device's compliance limit. The run's error path grounds every line and writes
// the stop record; this decorator only notices, reports a device event, and throws a clear error.
import type { Crossbar, DeviceIdentity, Measured, MvmRequest, ProgramReport, Pulse } from "../hal/crossbar.js";
import type { Volts } from "../hal/units.js";
import { CrossbarDecorator } from "../hal/crossbar-decorator.js";
import type { DeviceEvent } from "./device-events.js";

export class ComplianceTripError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ComplianceTripError";
  }
}

export class CurrentOverLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CurrentOverLimitError";
  }
}

export class SafetyGuardCrossbar extends CrossbarDecorator {
  constructor(inner: Crossbar, private readonly id: DeviceIdentity, private readonly report: (e: DeviceEvent) => void) {
    super(inner);
  }

  override async readCell(row: number, col: number, readVolts?: Volts) {
    const m = await this.inner.readCell(row, col, readVolts);
    this.checkCurrent(Math.abs(m.value * (readVolts ?? 0)), `reading cell (${row}, ${col})`);
    return m;
  }
  override async mvm(request: MvmRequest): Promise<Measured<Float64Array>> {
    const m = await this.inner.mvm(request);
    let max = 0;
    for (const i of m.value) if (Math.abs(i) > max) max = Math.abs(i);
    this.checkCurrent(max, `a ${request.direction} product`);
    return m;
  }
  override async program(pulses: Pulse[]): Promise<Measured<ProgramReport>> {
    const m = await this.inner.program(pulses);
    if (m.value.complianceTrips > 0) {
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
