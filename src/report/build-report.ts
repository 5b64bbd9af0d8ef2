// Writes DIR/report.html: one self-contained page (inline SVG and CSS, no scripts, no network) for a sweep
// directory or a single run directory.
import { writeFileAtomic } from "../files/atomic-write.js";
import { join } from "node:path";
import { accuracyChart, conductanceChart, energyByComponentChart, energyVsBitsChart, landauerChart } from "./charts.js";
import { renderSvg } from "./render-svg.js";
import { loadReportData, type ReportData } from "./report-data.js";

export const REPORT_FILE = "report.html";

export async function buildReport(dir: string): Promise<string> {
  const data = loadReportData(dir);
  const html = await reportHtml(data);
  const path = join(dir, REPORT_FILE);
  writeFileAtomic(path, html);
  return path;
}

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const num = (x: unknown, digits = 3) => (typeof x === "number" && Number.isFinite(x) ? (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(digits - 1) : x.toPrecision(digits)) : "—");

async function figure(id: string, caption: string, spec: Parameters<typeof renderSvg>[0] | null, emptyNote: string): Promise<string> {
  const body = spec ? await renderSvg(spec) : `<p class="empty">${esc(emptyNote)}</p>`;
  return `<figure id="${id}">${body}<figcaption>${esc(caption)}</figcaption></figure>`;
}

export async function reportHtml(d: ReportData): Promise<string> {
  const sections: string[] = [];
  if (d.summary) sections.push(verdictSection(d));
  else if (d.runSummary) sections.push(runSection(d));

  const placeable = d.points.filter((p) => p.energyJoules > 0 && (p.bits.estimate > 0 || p.bits.upper > 0));
  const hasEI = placeable.length > 0;
  const noE = d.points.filter((p) => !(p.energyJoules > 0)).length;
  const unplaced = d.points.length - placeable.length - noE;
  const eiNote = `${noE ? ` ${noE} run(s) spent no device energy (E = 0, e.g. ideal weights) and are not shown.` : ""}${unplaced ? ` ${unplaced} run(s) with no positive bits at any end are not shown.` : ""} A bracket whose lower end is 0 is drawn from the estimate; one with no positive estimate either is drawn at its upper end.`;
  sections.push(
    await figure("plot-energy-vs-bits", `Each point is one run at its bits estimate; the horizontal bar spans the bracket from the lower to the upper bound. Dashed lines: Deming fits of log E on log I on each end of the bracket.${eiNote}`, hasEI ? energyVsBitsChart(d) : null, `No run has both positive energy and positive bits.${eiNote}`),
  );
  const hasComp = d.points.some((p) => Object.keys(p.energyByComponentJoules).length > 0);
  sections.push(await figure("plot-energy-components", "Device energy split two ways: by what the device was doing (activity) and by where it was dissipated (physical component). Each split sums to the device total.", hasComp ? energyByComponentChart(d) : null, "The run summaries carry no per-component energy."));
  sections.push(await figure("plot-landauer", "How many times the Landauer floor k_B·T·ln2 per bit each component spent, using the bits from each end of the bracket (the lower bound on bits gives the upper bound on the multiple).", hasEI ? landauerChart(d) : null, "No run has positive bits: the Landauer multiple is undefined."));
  const accNote = d.accuracyMissing.length ? ` No accuracy columns in metrics.csv of: ${d.accuracyMissing.slice(0, 5).join(", ")}${d.accuracyMissing.length > 5 ? ` and ${d.accuracyMissing.length - 5} more` : ""}.` : "";
  sections.push(await figure("plot-accuracy", `From each run's metrics.csv (one row per epoch).${accNote}`, d.accuracy.length ? accuracyChart(d) : null, "No metrics.csv with accuracy columns was found."));
  sections.push(await figure("plot-conductance", d.conductances.length ? `Conductances ${d.conductanceNote}.` : "Conductance histogram", d.conductances.length ? conductanceChart(d) : null, `No conductance histogram: ${d.conductanceNote}.`));
  if (d.summary && d.summary.analysis.contrasts.length) sections.push(contrastSection(d));

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(d.title)} — memristor-hil report</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d1d1f;max-width:1100px;margin:2em auto;padding:0 1.5em;background:#fafafa}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em}
.sub{color:#555;margin-top:0}
.verdict{display:inline-block;padding:.25em .8em;border-radius:1em;font-weight:600;color:#fff}
.verdict.supports{background:#2e7d32}.verdict.refutes{background:#c62828}.verdict.inconclusive{background:#8d6e00}
table{border-collapse:collapse;margin:.6em 0;background:#fff}td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left;font-variant-numeric:tabular-nums}th{background:#f0f0f0}
figure{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:1em;margin:1.2em 0}
figcaption{color:#555;font-size:.9em;margin-top:.4em}
.empty{color:#8d6e00;font-style:italic}
ul.reasons li{margin:.3em 0}
</style></head>
<body>
<h1>${esc(d.title)}</h1>
<p class="sub">${esc(d.kind === "sweep" ? "sweep directory" : "run directory")} <code>${esc(d.dir)}</code> · ${d.points.length} run(s) · generated ${esc(new Date().toISOString())}</p>
${sections.join("\n")}
</body></html>
`;
}

function verdictSection(d: ReportData): string {
  const s = d.summary!;
  const rows = Object.entries(s.beta)
    .map(([end, b]) => (b ? `<tr><td>${esc(end)}</td><td>${esc(b.method)}</td><td>${num(b.estimate)}</td><td>[${num(b.ci95[0])}, ${num(b.ci95[1])}]</td><td>${b.points}${b.points_dropped ? ` (+${b.points_dropped} with I ≤ 0 left out)` : ""}</td><td>${b.clusters}</td></tr>` : `<tr><td>${esc(end)}</td><td colspan="5">no usable points</td></tr>`))
    .join("");
  const trainingRows = Object.entries(s.beta_training_only ?? {})
    .map(([end, b]) => (b ? `<tr><td>${esc(end)}</td><td>training only (reset excluded; not in the verdict)</td><td>${num(b.estimate)}</td><td>[${num(b.ci95[0])}, ${num(b.ci95[1])}]</td><td>${b.points}</td><td></td></tr>` : ""))
    .join("");
  const partial = Object.values(s.analysis.ends)
    .map((a) => (a ? `<tr><td>${esc(a.end)}</td><td>${num(a.logIAfterCompetitors?.partialR2)}</td><td>${num(a.competitorsAfterLogI?.partialR2)}</td><td>${esc(a.competitors.map((c) => (c.used ? c.name : `${c.name} (left out: ${c.note})`)).join("; "))}</td></tr>` : ""))
    .join("");
  return `<h2>Verdict on E ∝ I: <span class="verdict ${esc(s.verdict)}">${esc(s.verdict)}</span></h2>
<ul class="reasons">${s.reasons.map((r) => `<li>${esc(r)}</li>`).join("")}</ul>
<table id="beta-table"><tr><th>bracket end</th><th>bound</th><th>β</th><th>95% CI (cluster bootstrap)</th><th>runs</th><th>clusters</th></tr>${rows}${trainingRows}</table>
<p class="sub">log E = α + β·log I, Deming fit with error-variance ratio δ = ${num(s.error_variance_ratio)}, ${s.bootstrap_resamples} resamples of sweep cells. ${s.points.analysed} of ${s.points.grid} grid points analysed.</p>
<table id="partial-r2"><tr><th>bracket end</th><th>partial R² of log I after competitors</th><th>partial R² of competitors after log I</th><th>competitors</th></tr>${partial}</table>`;
}

function runSection(d: ReportData): string {
  const s = d.runSummary!;
  const p = d.points[0]!;
  const acc = (s.accuracy ?? {}) as Record<string, unknown>;
  return `<h2>Summary</h2><table id="run-table">
<tr><th>samples n</th><td>${p.n}</td><th>classes C</th><td>${p.classes}</td><th>labels</th><td>${esc(p.labelMode)}</td></tr>
<tr><th>energy (device total)</th><td>${num(p.energyJoules)} J</td><th>updates</th><td>${num(p.updates)}</td><th>Σ‖Δθ‖₁</th><td>${num(p.weightPathL1)}</td></tr>
<tr><th>bits lower</th><td>${num(p.bits.lower)} (${esc(p.bitsMethod.lower)})</td><th>bits estimate</th><td>${num(p.bits.estimate)}</td><th>bits upper</th><td>${num(p.bits.upper)} (${esc(p.bitsMethod.upper)})</td></tr>
<tr><th>train accuracy</th><td>${num(acc.train)}</td><th>test accuracy</th><td>${num(acc.test)}</td><th>device</th><td>${esc(s.device_uri ?? "")}</td></tr>
</table>`;
}

function contrastSection(d: ReportData): string {
  const rows = d.summary!.analysis.contrasts
    .map((c) => {
      const ci = (b: { estimate: number; lower: number; upper: number } | undefined) => (b ? `×${num(Math.exp(b.estimate))} [×${num(Math.exp(b.lower))}, ×${num(Math.exp(b.upper))}]` : "—");
      return `<tr><td>${esc(c.match)}</td><td>random vs ${esc(c.against)}</td><td>${c.seeds.random}/${c.seeds.against}</td><td>${ci(c.deltaLogE)}</td><td>${ci(c.deltaLogI.lower)}</td><td>${ci(c.deltaLogI.upper)}</td></tr>`;
    })
    .join("");
  return `<h2>Matched contrasts (same n, C and budget)</h2>
<table id="contrasts"><tr><th>match</th><th>labels</th><th>runs</th><th>E ratio (95% CI)</th><th>I ratio, lower end</th><th>I ratio, upper end</th></tr>${rows}</table>
<p class="sub">If E ∝ I, the E ratio equals the I ratio. Ratios are geometric means of random-label runs over the other label mode.</p>`;
}
