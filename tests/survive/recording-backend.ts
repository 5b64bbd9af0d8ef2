// A backend that records what reaches it: every pulse (per cell, as requested) and every call, below the
// device stack. Optionally it reports compliance trips from its k-th program call on, as a shorted cell would,
// and it may report a default read voltage in its identity.
import type { DeviceIdentity, Measured, MvmRequest, ProgramReport, Pulse } from "../../src/hal/crossbar.js";
import { CrossbarDecorator } from "../../src/hal/crossbar-decorator.js";
import type { Crossbar } from "../../src/hal/crossbar.js";

export class RecordingBackend extends CrossbarDecorator {
  /** Pulses that reached the backend, per cell (row-major), as requested. */
  pulses: number[] = [];
  programCalls = 0;
  readArrayCalls = 0;
  private tripFrom = Infinity;
  private cols = 0;

  constructor(inner: Crossbar, private readonly identityExtra: Partial<DeviceIdentity> & { defaultReadVolts?: number } = {}) {
    super(inner);
  }

  /** Reports a compliance trip on every program call from the `k`-th on (counting from now). */
  tripFromCall(k: number): void {
    this.tripFrom = this.programCalls + k;
  }

  override async identify(): Promise<DeviceIdentity> {
    const id = { ...(await this.inner.identify()), ...this.identityExtra };
    this.cols = id.cols;
    if (this.pulses.length === 0) this.pulses = new Array(id.rows * id.cols).fill(0);
    return id;
  }

  override async program(pulses: Pulse[]): Promise<Measured<ProgramReport>> {
    this.programCalls++;
    for (const p of pulses) {
      if (p.kind === "cell") this.pulses[p.row * this.cols + p.col]! += p.count;
      else p.selected.forEach((s, j) => (this.pulses[p.kind === "row" ? p.line * this.cols + s : s * this.cols + p.line]! += p.counts[j]!));
    }
    const m = await this.inner.program(pulses);
    return this.programCalls >= this.tripFrom ? { ...m, value: { ...m.value, complianceTrips: Math.max(1, m.value.complianceTrips) } } : m;
  }

  override async readArray(readVolts?: number): Promise<Measured<Float64Array>> {
    this.readArrayCalls++;
    return this.inner.readArray(readVolts);
  }

  override mvm(request: MvmRequest): Promise<Measured<Float64Array>> {
    return this.inner.mvm(request);
  }
}

export const total = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0);
