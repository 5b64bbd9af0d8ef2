// The energy table of each simulated preset the runs trained on: every periphery and wire figure the joules were
// computed from, with its source. Runs on hardware (serial, Firmata) or a twin have no table: the section says so.
import type { ExperimentPoint } from "../experiment/point.js";
import { parseDeviceUri } from "../hal/uri.js";
import { DEFAULT_PRESET, presetNamed } from "../../sim/devices/presets.js";
import { esc, num } from "./format.js";

/** The sim preset a device URI names, or null (not a sim: URI, or unparseable). */
function presetOf(uri: string): string | null {
  try {
    const u = parseDeviceUri(uri);
    return u.scheme === "sim" ? u.target || DEFAULT_PRESET : null;
  } catch {
    return null;
  }
}

export function energyTableSection(points: readonly ExperimentPoint[]): string {
  const uris = [...new Set(points.map((p) => p.deviceUri).filter((u): u is string => typeof u === "string"))];
  const names = [...new Set(uris.map(presetOf).filter((n): n is string => n !== null))];
  const tables = names.flatMap((name) => {
    const preset = presetNamed(name);
    if (!preset || preset.energyTable.length === 0) return [];
    const rows = preset.energyTable
      .map((r) => `<tr><td>${esc(r.quantity)}</td><td>${esc(typeof r.value === "number" ? num(r.value) : r.value)}</td><td>${esc(r.unit)}</td><td>${esc(r.source)}</td></tr>`)
      .join("\n");
    return [`<h3>sim:${esc(name)}</h3><table class="energy-table" id="energy-table-${esc(name)}"><tr><th>quantity</th><th>value</th><th>unit</th><th>source</th></tr>\n${rows}\n</table>`];
  });
  const other = uris.filter((u) => presetOf(u) === null);
  const note = other.length ? `<p>Not simulated, so no table (their joules are what the device reported): ${other.map((u) => `<code>${esc(u)}</code>`).join(", ")}.</p>` : "";
  if (tables.length === 0) return `<h2>Energy tables</h2><p class="empty" id="no-energy-table">No run trained on a simulated preset with an energy table.</p>${note}`;
  return `<h2>Energy tables</h2><p>The periphery and wire figures each simulated preset's joules were computed from, with their sources (also <code>mhil devices --json</code>).</p>${tables.join("\n")}${note}`;
}
