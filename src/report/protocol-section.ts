// The protocols side by side: the summary's analysis of each protocol's runs alone (verdict, β on each end,
// Landauer multiple of E_learn) with, from the runs, the mean energies and the final accuracy per label mode.
import type { ProtocolVerdict } from "../experiment/per-protocol.js";
import { BRACKET_ENDS, type ExperimentPoint } from "../experiment/point.js";
import { esc, num, withCi } from "./format.js";

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : Number.NaN);
const finite = (xs: readonly (number | null | undefined)[]) => xs.filter((x): x is number => typeof x === "number" && Number.isFinite(x));

export function protocolSection(rows: readonly ProtocolVerdict[], points: readonly ExperimentPoint[]): string {
  const runsOf = (r: ProtocolVerdict) => points.filter((p) => p.protocol === r.protocol);
  const row = (name: string, cell: (r: ProtocolVerdict) => string, key: string) => `<tr data-row="${key}"><th>${name}</th>${rows.map((r) => `<td>${cell(r)}</td>`).join("")}</tr>`;
  const labels = [...new Set(points.map((p) => p.labelMode))].sort();
  const accuracy = (r: ProtocolVerdict, l: string) => {
    const own = runsOf(r).filter((p) => p.labelMode === l);
    if (own.length === 0) return "—";
    return `${num(mean(finite(own.map((p) => p.accuracy?.train))))} / ${num(mean(finite(own.map((p) => p.accuracy?.test))))} <span class="note">(${own.length} runs)</span>`;
  };
  const body = [
    row("verdict", (r) => `<span class="verdict ${esc(r.verdict)}">${esc(r.verdict)}</span>`, "verdict"),
    row("runs", (r) => String(r.runs), "runs"),
    ...BRACKET_ENDS.map((end) =>
      row(
        `β, ${end} end [95% CI]`,
        (r) => {
          const b = r.beta[end];
          return b ? esc(withCi(b.estimate, b.ci95[0], b.ci95[1])) : "no fit: fewer than 3 runs with I &gt; 0";
        },
        `beta-${end}`,
      ),
    ),
    row("Landauer multiple of E_learn, estimate of I [95% CI]", (r) => (r.landauerLearningEstimate ? esc(withCi(r.landauerLearningEstimate.estimate, r.landauerLearningEstimate.ci95[0], r.landauerLearningEstimate.ci95[1])) : "no run with I &gt; 0"), "landauer"),
    row("E_learn per run, mean", (r) => `${num(r.meanLearningJoules)} J`, "e-learn"),
    row("overhead per run, mean", (r) => `${num(mean(finite(runsOf(r).map((p) => p.overheadJoules))))} J`, "overhead"),
    ...labels.map((l) => row(`final accuracy, ${esc(l)} labels (train / test)`, (r) => accuracy(r, l), `accuracy-${esc(l)}`)),
  ];
  const reasons = rows.map((r) => `<details class="protocol-reasons" data-protocol="${esc(r.protocol)}"><summary>Why ${esc(r.protocol)} ${esc(r.verdict)} (${r.reasons.length} reasons)</summary><ol class="reasons">${r.reasons.map((x) => `<li>${esc(x)}</li>`).join("")}</ol></details>`);
  return `<h2>Protocols side by side</h2>
<table id="protocols"><tr><th></th>${rows.map((r) => `<th data-protocol="${esc(r.protocol)}">${esc(r.protocol)}</th>`).join("")}</tr>${body.join("")}</table>
<p class="sub">Each column is the analysis of that protocol's runs alone, by the same rules; the verdict at the top pools the protocols.</p>
${reasons.join("\n")}`;
}
