// A single run's figures: its cell, E_learn with the overhead and total beside it, its bracket, accuracy.
import type { ExperimentPoint } from "../experiment/point.js";
import { esc, num } from "./format.js";

export function runSection(p: ExperimentPoint, runSummary: Record<string, unknown>): string {
  const acc = (runSummary.accuracy ?? {}) as Record<string, unknown>;
  const n = (x: unknown) => num(typeof x === "number" ? x : undefined);
  return `<h2>Summary</h2><table id="run-table">
<tr><th>samples n</th><td>${p.n}</td><th>classes C</th><td>${p.classes}</td><th>labels</th><td>${esc(p.labelMode)}</td></tr>
<tr><th>E_learn</th><td>${num(p.energyJoules)} J</td><th>overhead</th><td>${num(p.overheadJoules)} J</td><th>total</th><td>${num(p.totalJoules)} J</td></tr>
<tr><th>bits, lower end</th><td>${num(p.bits.lower)} (${esc(p.bitsBound.lower)})</td><th>bits, estimate</th><td>${num(p.bits.estimate)}</td><th>bits, upper end</th><td>${num(p.bits.upper)} (${esc(p.bitsBound.upper)})</td></tr>
<tr><th>updates</th><td>${num(p.updates)}</td><th>Σ‖Δθ‖₁</th><td>${num(p.weightPathL1)}</td><th>protocol</th><td>${esc(p.protocol)}</td></tr>
<tr><th>train accuracy</th><td>${n(acc.train)}</td><th>test accuracy</th><td>${n(acc.test)}</td><th>device</th><td>${esc(runSummary.device_uri ?? "")}</td></tr>
</table>`;
}
