// The base of every Crossbar decorator (wear budget, safety guard, responsiveness, test wrappers):
// it forwards each call to the wrapped backend, so a decorator overrides only what it changes.
import type { Crossbar, DeviceIdentity, DeviceState, LinkCounters, Measured, MvmRequest, ProgramReport, Pulse } from "./crossbar.js";
import type { Siemens, Volts } from "./units.js";

export class CrossbarDecorator implements Crossbar {
  /** Present exactly when the wrapped backend has them (a state that dies with the process). */
  saveState?: () => Promise<DeviceState>;
  loadState?: (state: DeviceState) => Promise<void>;
  linkStats?: () => LinkCounters;

  constructor(protected readonly inner: Crossbar) {
    if (inner.saveState && inner.loadState) {
      this.saveState = () => inner.saveState!();
      this.loadState = (state) => inner.loadState!(state);
    }
    if (inner.linkStats) this.linkStats = () => inner.linkStats!();
  }

  identify(): Promise<DeviceIdentity> {
    return this.inner.identify();
  }
  readCell(row: number, col: number, readVolts?: Volts): Promise<Measured<Siemens>> {
    return this.inner.readCell(row, col, readVolts);
  }
  readArray(readVolts?: Volts): Promise<Measured<Float64Array>> {
    return this.inner.readArray(readVolts);
  }
  mvm(request: MvmRequest): Promise<Measured<Float64Array>> {
    return this.inner.mvm(request);
  }
  program(pulses: Pulse[]): Promise<Measured<ProgramReport>> {
    return this.inner.program(pulses);
  }
  reset(): Promise<Measured<void>> {
    return this.inner.reset();
  }
  isSafe(): Promise<boolean> {
    return this.inner.isSafe();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
