// What the device and its link said during a run (wear warnings, link lost and back, another device refused),
// so the run can write each as a record event. A driver's `log` option feeds it; the run subscribes.

export type DeviceEventKind =
  | "wear_warning" | "link_lost" | "link_restored" | "device_refused" | "device_reset" | "compliance_trip" | "current_over_limit" | "device_message";

export interface DeviceEvent {
  kind: DeviceEventKind;
  message: string;
}

/** Classifies a serial driver's progress message (drivers/serial-crossbar/link-session.ts wording). */
export function classifyDriverMessage(message: string): DeviceEventKind {
  if (/link lost/.test(message)) return "link_lost";
  if (/different device/.test(message)) return "device_refused";
  if (/was reset/.test(message)) return "device_reset";
  return "device_message";
}

/** A tiny event source: `log` has the shape of a driver's log option; listeners get classified events. */
export class DeviceEvents {
  private readonly listeners = new Set<(e: DeviceEvent) => void>();

  /** Pass as a driver's `log` option: each message becomes an event. */
  readonly log = (message: string): void => this.emit({ kind: classifyDriverMessage(message), message });

  emit(e: DeviceEvent): void {
    for (const l of this.listeners) l(e);
  }

  subscribe(listener: (e: DeviceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
