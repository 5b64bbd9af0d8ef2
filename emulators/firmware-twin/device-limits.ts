// The twin's own limit checks, made before the simulator is touched (PROTOCOL.md §6: the device checks every
// request itself), with the firmware's refusal texts: `ERR LIMIT <name>: …` names the LIM key that refused.
import type { Pulse } from "../../src/hal/crossbar.js";
import { LimitError } from "../../src/hal/limits.js";
import type { WireLimits } from "../../protocol/serial-line/messages.js";
import { toUnits } from "../../protocol/serial-line/values.js";

/** A refusal the twin makes itself: SYNTAX for a malformed request, LIMIT for one beyond a limit. */
export class WireError extends Error {
  constructor(readonly code: "SYNTAX" | "LIMIT", detail: string) {
    super(detail);
    this.name = "WireError";
  }
}

const uV = (v: number) => toUnits(Math.abs(v), 6, true);
const ns = (s: number) => toUnits(s, 9, true);

export function checkIndex(name: "row" | "col" | "line", v: number, size: number): void {
  if (v >= size) throw new WireError("LIMIT", `${name}=${v} exceeds ${name === "col" ? "cols" : "rows"}-1=${size - 1}`);
}

export function checkReadLevel(l: WireLimits, volts: number): void {
  if (Math.abs(volts) > l.vrmax) throw new WireError("LIMIT", `vrmax: ${uV(volts)} uV exceeds ${uV(l.vrmax)} uV`);
}

/** Amplitude, width and every count of one pulse request against vpmax/vnmax, wmin/wmax and cmax. */
export function checkPulse(l: WireLimits, pulse: Pulse): void {
  const v = pulse.volts;
  if (v > l.vpmax) throw new WireError("LIMIT", `vpmax: ${uV(v)} uV exceeds ${uV(l.vpmax)} uV`);
  if (-v > l.vnmax) throw new WireError("LIMIT", `vnmax: ${uV(v)} uV exceeds ${uV(l.vnmax)} uV`);
  const w = pulse.widthSeconds;
  if (w < l.wmin || w > l.wmax) throw new WireError("LIMIT", `${w < l.wmin ? "wmin" : "wmax"}: ${ns(w)} ns outside ${ns(l.wmin)}..${ns(l.wmax)} ns`);
  const counts = pulse.kind === "cell" ? [pulse.count] : pulse.counts;
  const most = counts.reduce((m, c) => Math.max(m, c), 0);
  if (most > l.cmax) throw new WireError("LIMIT", `cmax: count ${most} exceeds ${l.cmax}`);
}

const HAL_TO_WIRE: [string, string][] = [
  ["maxReadVolts", "vrmax"], ["maxProgramVoltsPositive", "vpmax"], ["maxProgramVoltsNegative", "vnmax"],
  ["maxPulseCount", "cmax"],
];

/** The LIM key of a limit the simulator itself refused (a backstop: checkPulse and checkReadLevel come first). */
export function wireLimitName(e: LimitError, width?: number, l?: WireLimits): string {
  if (/PulseWidthSeconds/.test(e.message) && width !== undefined && l) return width < l.wmin ? "wmin" : "wmax";
  for (const [hal, wire] of HAL_TO_WIRE) if (e.message.includes(hal)) return wire;
  return e.field;
}
