// The run's "device" stream: what the device and its link said during the run (wear warnings, link lost and
// back, another device refused, trips), as run events. Events from before the run started (a wear warning at
// open) wait until it has; the stream is declared at its first event, so quiet runs look as before.
import type { DeviceEvent, DeviceEvents } from "../backends/device-events.js";
import type { RunEventBus } from "./run-events.js";
import { DEVICE_KEYS } from "./streams.js";

export class DeviceStream {
  private early: DeviceEvent[] = [];
  private bus: RunEventBus | null = null;
  private declared = false;
  private linkPaused = false;
  private readonly unsubscribe: () => void;

  constructor(readonly events: DeviceEvents) {
    this.unsubscribe = events.subscribe((e) => this.push(e));
  }

  /** From now on events go to `bus` (the ones that waited first). */
  attach(bus: RunEventBus): void {
    this.bus = bus;
    const waiting = this.early;
    this.early = [];
    for (const e of waiting) this.push(e);
  }

  push(e: DeviceEvent): void {
    if (!this.bus) {
      this.early.push(e);
      return;
    }
    if (e.kind === "link_lost") this.linkPaused = true;
    if (!this.declared) {
      this.bus.emit({ kind: "descriptor", stream: "device", dataKeys: DEVICE_KEYS });
      this.declared = true;
    }
    this.bus.emit({ kind: "device", event: e });
  }

  /** A batch finished after the link was lost: the driver found the same device again and went on. */
  batchDone(epoch: number, batch: number, serial: string): void {
    if (!this.linkPaused) return;
    this.linkPaused = false;
    this.push({ kind: "link_restored", message: `link back to the same device (serial ${serial}); resumed at epoch ${epoch}, batch ${batch}` });
  }

  close(): void {
    this.unsubscribe();
  }
}
