// The verdict on E ∝ I with every reason the analysis gave, then what each end of the bracket contributes:
// the bound that binds, the runs in the fit, the runs at I = 0 (per label mode), β, the VIF, label-blindness.
import { BRACKET_ENDS, type ExperimentPoint } from "../experiment/point.js";
import type { SweepSummary } from "../experiment/sweep-summary.js";
import { countsText, esc, listText, num, withCi } from "./format.js";

/** The design in one line, from the points: what varied and how many runs each level has. */
function designLine(points: readonly ExperimentPoint[]): string {
  const levels = (name: string, of: (p: ExperimentPoint) => string | number) => {
    const counts: Record<string, number> = {};
    for (const p of points) counts[String(of(p))] = (counts[String(of(p))] ?? 0) + 1;
    const keys = Object.keys(counts);
    return keys.length > 1 ? `${name} ${listText(keys)}` : null;
  };
  const varied = [levels("n", (p) => p.n), levels("C", (p) => p.classes), levels("labels", (p) => p.labelMode), levels("protocols", (p) => p.protocol), levels("budgets", (p) => p.budget)].filter(Boolean);
  return varied.length ? `The grid varies ${varied.join("; ")}.` : "";
}

function energyShare(points: readonly ExperimentPoint[]): string {
  const e = points.reduce((s, p) => s + (Number.isFinite(p.energyJoules) ? p.energyJoules : 0), 0);
  const t = points.reduce((s, p) => s + (Number.isFinite(p.totalJoules) ? p.totalJoules : 0), 0);
  return t > 0 ? ` Over all runs E_learn is ${num((100 * e) / t)}% of the device total; the rest is overhead.` : "";
}

export function verdictSection(s: SweepSummary, points: readonly ExperimentPoint[]): string {
  const notAnalysed = s.points.grid - s.points.analysed;
  // A summary written before the field existed: partial when it analysed fewer points than the grid has.
  const partial = s.partial ?? notAnalysed > 0;
  const partialBadge = partial ? ` <span class="verdict partial" id="verdict-partial">partial: ${s.points.analysed} of ${s.points.grid} grid points</span>` : "";
  return `<section id="verdict">
<h2>Verdict on E ∝ I: <span class="verdict ${esc(s.verdict)}" id="verdict-value">${esc(s.verdict)}</span>${partialBadge}</h2>
<p class="sub">${s.points.analysed} of ${s.points.grid} grid points analysed${notAnalysed ? ` (${notAnalysed} without a successful run)` : ""}. ${esc(designLine(points))}${esc(energyShare(points))} Every reason below is computed by the analysis (docs/science.md, “The rules”).</p>
<ol id="reasons" class="reasons">${s.reasons.map((r) => `<li>${esc(r)}</li>`).join("")}</ol>
</section>`;
}

/** Per end: bounds, runs in the fit, at I = 0 and without a value, β with its CI, VIF, label-blindness. */
export function endsTable(s: SweepSummary): string {
  const rows = BRACKET_ENDS.map((end) => {
    const e = s.ends[end];
    const b = s.beta[end];
    if (!e) return `<tr data-end="${end}"><td>${end}</td><td colspan="7">not in the summary</td></tr>`;
    const bounds = countsText(e.bounds);
    const beta = b ? withCi(b.estimate, b.ci95[0], b.ci95[1]) : "no fit (fewer than 3 runs with I > 0)";
    return `<tr data-end="${end}"><td>${end}</td><td>${esc(bounds)}</td><td>${e.used} of ${e.runs}${b ? ` in ${b.clusters} cells` : ""}</td><td class="zero-i" data-count="${e.zero_i}">${e.zero_i}${e.zero_i ? ` (${esc(countsText(e.zero_i_by_labels))})` : ""}</td><td>${e.missing_i}</td><td>${esc(beta)}</td><td>${num(e.vif)}</td><td>${e.label_blind ? "yes: set by n and C, enters no rule" : "no"}</td></tr>`;
  }).join("");
  return `<table id="ends"><tr><th>bracket end</th><th>binding bound (runs)</th><th>runs in the fit (I &gt; 0, E_learn &gt; 0)</th><th>runs at I = 0 (per label mode)</th><th>no value</th><th>β of log E_learn on log I [95% CI]</th><th>VIF of log I</th><th>label-blind</th></tr>${rows}</table>
<p class="sub">Deming fit with error-variance ratio δ = ${num(s.error_variance_ratio)}; CIs from ${s.bootstrap_resamples} cluster-bootstrap resamples of sweep cells. Runs at I = 0 cannot enter a log fit; they enter the contrasts.</p>`;
}

export function energyTable(s: SweepSummary): string {
  const row = (name: string, e: { mean: number; min: number; max: number } | undefined) => `<tr><td>${name}</td><td>${num(e?.mean)}</td><td>${num(e?.min)}</td><td>${num(e?.max)}</td></tr>`;
  return `<table id="energy"><tr><th>per run (J)</th><th>mean</th><th>min</th><th>max</th></tr>${row("E_learn (in the fit and the contrasts)", s.energy_joules.learning)}${row("overhead (reset, initialisation, characterisation, scoring)", s.energy_joules.overhead)}${row("total", s.energy_joules.total)}</table>`;
}

export function competitorsTable(s: SweepSummary): string {
  const rows = BRACKET_ENDS.map((end) => s.analysis.ends[end])
    .filter((a) => a !== undefined)
    .map((a) => `<tr><td>${esc(a.end)}</td><td>${num(a.competitorsR2)}</td><td>${num(a.logIAfterCompetitors?.partialR2)}</td><td>${num(a.competitorsAfterLogI?.partialR2)}</td><td>${esc(a.competitors.map((c) => (c.used ? c.name : `${c.name} (left out: ${c.note})`)).join("; "))}</td></tr>`)
    .join("");
  return `<table id="competitors"><tr><th>bracket end</th><th>R² of log E_learn on the competitors</th><th>partial R² of log I after them</th><th>partial R² of the competitors after log I</th><th>competitors</th></tr>${rows}</table>`;
}
