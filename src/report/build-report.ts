// Writes DIR/report.html: one self-contained page (inline SVG and CSS, no scripts, no network) for a sweep
// directory or a single run directory. Every sentence stating a result is built from the data.
import { join } from "node:path";
import { endCounts } from "../experiment/end-fit.js";
import { BRACKET_ENDS, CONTROL_LABELS } from "../experiment/point.js";
import { writeFileAtomic } from "../files/atomic-write.js";
import { accuracyChart } from "./charts/accuracy-chart.js";
import { placeRuns, type BitsPlacement } from "./charts/bits-placement.js";
import { jitter } from "./charts/common.js";
import { conductanceBins, conductanceChart } from "./charts/conductance-chart.js";
import { controlCells, controlChart } from "./charts/control-chart.js";
import { componentMeans, energyComponentsChart } from "./charts/energy-components.js";
import { energyKindsChart, energyVsBitsChart } from "./charts/energy-vs-bits.js";
import { landauerChart, landauerPoints } from "./charts/landauer-chart.js";
import { conductanceNote } from "./checkpoint-conductances.js";
import { contrastSection, controlFindings, controlTable } from "./contrast-section.js";
import { countsText, esc } from "./format.js";
import { figure, page } from "./page.js";
import { protocolSection } from "./protocol-section.js";
import { pulseEnergySection } from "./pulse-energy-section.js";
import { loadReportData, type ReportData } from "./report-data.js";
import { runSection } from "./run-section.js";
import { energyTableSection } from "./energy-table-section.js";
import { competitorsTable, endsTable, energyTable, verdictSection } from "./verdict-section.js";

export const REPORT_FILE = "report.html";

export async function buildReport(dir: string): Promise<string> {
  const html = await reportHtml(loadReportData(dir));
  const path = join(dir, REPORT_FILE);
  writeFileAtomic(path, html);
  return path;
}

/** What the E–I chart leaves off its log panel, and where it went. */
function placementCaption(d: ReportData, pl: BitsPlacement): string {
  const lowerZero = pl.placed.filter((r) => r.lowerIsZero).length;
  const ends = BRACKET_ENDS.filter((e) => e !== "estimate").map((end) => {
    const c = endCounts(d.points, end);
    return `${c.zeroI} on the ${end} end${c.zeroI ? ` (${countsText(c.zeroIByLabels)})` : ""}`;
  });
  return [
    `Each point on the log–log panel is one of ${pl.placed.length} runs at its estimate of I; its bar spans the bracket from the lower to the upper end${lowerZero ? `, and the ${lowerZero} bars that start at the left edge have a lower end of 0` : ""}.`,
    pl.zero.length ? `The strip on the left holds the ${pl.zero.length} runs whose estimate of I is 0 (${countsText(pl.zeroByLabels)}): a log axis has no 0.` : "No run has an estimate of I at 0.",
    `Runs at I = 0: ${ends.join(", ")}.`,
    d.summary ? "Lines: the Deming fit of log E_learn on log I on each end." : "",
    pl.noEnergy ? `${pl.noEnergy} run(s) spent no learning energy (E_learn = 0, e.g. ideal weights) and are on neither panel.` : "",
    pl.noEstimate ? `${pl.noEstimate} run(s) report no estimate of I and are on neither panel.` : "",
  ]
    .filter(Boolean)
    .join(" ");
}

async function energySections(d: ReportData, pl: BitsPlacement): Promise<string[]> {
  const shown = pl.placed.length + pl.zero.length > 0;
  const none = "No run has both E_learn > 0 and an estimate of I.";
  const out = [await figure("plot-energy-vs-bits", placementCaption(d, pl), shown ? energyVsBitsChart(d.points, pl, d.summary) : null, `${none} ${placementCaption(d, pl)}`)];
  if (d.summary) out.push(endsTable(d.summary), energyTable(d.summary));
  const ratio = pl.placed.concat(pl.zero).map((r) => r.overhead / r.eLearn).filter((x) => Number.isFinite(x) && x > 0);
  const median = ratio.sort((a, b) => a - b)[Math.floor(ratio.length / 2)];
  const kindsCaption = `The same runs and the same I axis, with every run's overhead (reset, initialisation, characterisation, scoring the trained network) and total beside its E_learn.${median !== undefined ? ` The median run spent ${median >= 100 ? Math.round(median) : median.toPrecision(3)} times its E_learn on overhead.` : ""} Only E_learn enters the fit and the contrasts.`;
  out.push(await figure("plot-energy-kinds", kindsCaption, shown ? energyKindsChart(pl) : null, none));
  if (d.summary) out.push(competitorsTable(d.summary));
  return out;
}

async function controlSection(d: ReportData): Promise<string> {
  if (!d.points.some((p) => p.labelMode === CONTROL_LABELS)) {
    return `<h2>The control</h2><p class="empty" id="no-control">This sweep has no control runs (labels “${CONTROL_LABELS}”, in ${new Set(d.points.map((p) => p.labelMode)).size} label mode(s) run): E_learn without information cannot be compared.</p>`;
  }
  const cells = controlCells(d.points);
  const above = cells.filter((c) => c.labelled > c.control).length;
  const findings = d.summary ? controlFindings(d.summary) : [];
  const caption = `One point per matched cell and label mode (${cells.length} in all): the mean E_learn of the labelled runs against the mean E_learn of the control runs at the same n, C, protocol and budget. Dashed: equal energy. ${above} of ${cells.length} sit above it.`;
  return `<h2>The control: E_learn without information</h2>
<ul id="control-findings">${findings.map((f) => `<li>${esc(f)}</li>`).join("")}</ul>
${await figure("plot-control", caption, cells.some((c) => c.control > 0 && c.labelled > 0) ? controlChart(cells) : null, "No matched cell has E_learn > 0 on both sides.")}
${d.summary ? controlTable(d.summary) : ""}`;
}

async function runFileSections(d: ReportData): Promise<string[]> {
  const means = componentMeans(d.points);
  const zeroComponents = means.filter((m) => !(m.joules > 0)).map((m) => m.component);
  const componentsCaption = `Mean joules per run by what the device was doing (E_learn's activities, the overhead's) and by where it was dissipated; each split sums to the device total.${zeroComponents.length ? ` At 0 J and not drawn: ${zeroComponents.join(", ")}.` : ""}`;
  const landauer = landauerPoints(d.points, d.summary);
  const accNote = d.accuracyMissing.length ? ` No accuracy column in metrics.csv of ${d.accuracyMissing.length} run(s), e.g. ${d.accuracyMissing.slice(0, 3).join(", ")}.` : "";
  const bins = conductanceBins(d.conductances.siemens);
  const gNote = conductanceNote(d.conductances);
  return [
    await figure("plot-energy-components", componentsCaption, means.some((m) => m.joules > 0) ? energyComponentsChart(means, d.points.length) : null, "The run summaries carry no per-component energy."),
    await figure("plot-landauer", "How many times the Landauer floor k_B·T·ln2 per bit each energy spent, with the bits from each end of the bracket (the lower end gives the largest multiple). Runs at I = 0 on an end have no multiple there.", landauer.length ? landauerChart(landauer, d.kind === "sweep") : null, "No run has I > 0 and E > 0: the Landauer multiple is undefined."),
    await figure("plot-accuracy", `From each run's metrics.csv, one row per epoch.${accNote}`, d.accuracy.length ? accuracyChart(d.accuracy, d.kind === "sweep") : null, "No metrics.csv with an accuracy column was found."),
    await figure("plot-conductance", `${gNote}.`, bins.length ? conductanceChart(bins, d.conductanceGroup) : null, `No conductance histogram: ${gNote}.`),
  ];
}

export async function reportHtml(d: ReportData): Promise<string> {
  const pl = placeRuns(d.points, jitter);
  const sections: string[] = [];
  if (d.summary) sections.push(verdictSection(d.summary, d.points));
  else if (d.runSummary) sections.push(runSection(d.points[0]!, d.runSummary));
  sections.push(...(await energySections(d, pl)));
  if (d.kind === "sweep") {
    sections.push(await controlSection(d));
    if (d.summary) sections.push(contrastSection(d.summary));
    if (d.summary && d.summary.by_protocol.length > 1) sections.push(protocolSection(d.summary.by_protocol, d.points));
  }
  sections.push(...(await runFileSections(d)));
  const pulse = await pulseEnergySection(d.dir);
  if (pulse) sections.push(pulse);
  sections.push(energyTableSection(d.points));
  const subtitle = `${esc(d.kind === "sweep" ? "sweep directory" : "run directory")} <code>${esc(d.dir)}</code> · ${d.points.length} run(s) · generated ${esc(new Date().toISOString())}`;
  return page(d.title, subtitle, sections);
}
