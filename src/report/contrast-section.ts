// The matched contrasts (labels, protocol, budget: two levels of one factor, every other coordinate equal)
// and E_learn against the control, as tables with their CIs and what each holds equal.
import { contrastsToJudge, type MatchedContrast } from "../experiment/contrasts.js";
import type { LogShift } from "../experiment/group-shift.js";
import { BRACKET_ENDS } from "../experiment/point.js";
import type { SummaryControlContrast, SweepSummary } from "../experiment/sweep-summary.js";
import { esc, heldEqual, joules, num, ratioCi, withCi } from "./format.js";

/** A shift a/b: the ratio over the cells with both sides positive, and the cells where a side is 0. */
export function shiftHtml(s: LogShift, quantity: string, a: string, b: string): string {
  const c = s.cells;
  const parts: string[] = [];
  if (s.finite) parts.push(`${esc(ratioCi(s.finite))} over ${c.finite} cell(s)`);
  if (c.bZero) parts.push(`${esc(quantity)}(${esc(b)}) = 0 in ${c.bZero} cell(s): ratio ∞`);
  if (c.aZero) parts.push(`${esc(quantity)}(${esc(a)}) = 0 in ${c.aZero} cell(s): ratio 0`);
  if (c.bothZero) parts.push(`0 on both sides in ${c.bothZero} cell(s)`);
  if (c.missing) parts.push(`no value in ${c.missing} cell(s)`);
  return parts.length ? parts.join("<br>") : "—";
}

function differences(c: MatchedContrast): string {
  const d = (name: string, i: { estimate: number; lower: number; upper: number }) => `${name} ${esc(withCi(i.estimate, i.lower, i.upper, " J"))}`;
  return [d("E_learn", c.energyDifferenceJoules), d("overhead", c.overheadDifferenceJoules), d("total", c.totalDifferenceJoules)].join("<br>");
}

function contrastRow(c: MatchedContrast): string {
  const ends = BRACKET_ENDS.map((end) => `<td>${shiftHtml(c.deltaLogI[end], "I", c.a, c.b)}</td>`).join("");
  return `<tr data-factor="${esc(c.factor)}"><td>${esc(c.factor)}: ${esc(c.a)} vs ${esc(c.b)}</td><td>${esc(heldEqual(c.factor))}</td><td>${esc(c.match === "pooled" ? `${c.matches} cells` : c.match)}</td><td>${c.runs.a} / ${c.runs.b}</td><td>${shiftHtml(c.deltaLogE, "E_learn", c.a, c.b)}</td>${ends}<td>${differences(c)}</td></tr>`;
}

const CONTRAST_HEAD = `<tr><th>contrast a vs b</th><th>held equal</th><th>matched</th><th>runs a / b</th><th>E_learn ratio a/b [95% CI]</th>${BRACKET_ENDS.map((e) => `<th>I ratio a/b, ${e}</th>`).join("")}<th>difference a − b [95% CI]</th></tr>`;

export function contrastSection(s: SweepSummary): string {
  const all = s.analysis.matchedContrasts;
  if (all.length === 0) return `<h2>Matched contrasts</h2><p class="empty">No factor has two levels in matched cells: there is nothing to contrast.</p>`;
  const judged = contrastsToJudge(all);
  const perCell = all.filter((c) => !judged.includes(c));
  return `<h2>Matched contrasts</h2>
<p class="sub">Each contrast compares two levels of one factor in cells where every other coordinate is equal; the ratio is of the seed means, pooled over cells with both means positive; a cell with 0 on one side is counted, not pooled. These ${judged.length} are the contrasts the verdict judges (rules: I moves at least ×${num(s.analysis.rules.labelIMinFactor)} while E_learn stays within ×${num(s.analysis.rules.labelEMaxFactor)} for labels; E_learn moves at least ×${num(s.analysis.rules.designEMinFactor)} while I stays within ×${num(s.analysis.rules.designIMaxFactor)} for protocol and budget).</p>
<table id="contrasts">${CONTRAST_HEAD}${judged.map(contrastRow).join("")}</table>
${perCell.length ? `<details><summary>The ${perCell.length} label contrasts cell by cell</summary><table id="contrasts-per-cell">${CONTRAST_HEAD}${perCell.map(contrastRow).join("")}</table></details>` : ""}`;
}

function controlRow(c: SummaryControlContrast): string {
  const d = (i: { estimate: number; ci95: [number, number] }) => esc(withCi(i.estimate, i.ci95[0], i.ci95[1], " J"));
  const falls = BRACKET_ENDS.map((e) => `${e} ${c.i_falls_to_zero_cells[e] ?? 0}`).join(", ");
  const ratio = c.e_learn_ratio ? `×${num(c.e_learn_ratio.estimate)} [×${num(c.e_learn_ratio.ci95[0])}, ×${num(c.e_learn_ratio.ci95[1])}]` : "— (no cell with both positive)";
  return `<tr data-labels="${esc(c.labels)}" data-match="${esc(c.match)}"><td>${esc(c.labels)}</td><td>${esc(c.match)}</td><td>${c.runs.labels} / ${c.runs.control}</td><td class="e-diff">${d(c.e_learn_difference_joules)}</td><td>${ratio}</td><td>${d(c.overhead_difference_joules)}</td><td>${d(c.total_difference_joules)}</td><td>${falls}</td></tr>`;
}

/** One row per label mode: its pooled contrast with the control, or its only cell. */
function headlineRows(s: SweepSummary): SummaryControlContrast[] {
  const labels = [...new Set(s.control_contrasts.map((c) => c.labels))];
  return labels.map((l) => s.control_contrasts.find((c) => c.labels === l && c.match === "pooled") ?? s.control_contrasts.find((c) => c.labels === l)!);
}

/** The headline rows in words, e.g. "E_learn(random) − E_learn(control) = 2.97e-6 J [95% CI …], ratio ×1.04 […]". */
export function controlFindings(s: SweepSummary): string[] {
  return headlineRows(s).map((c) => {
    const d = c.e_learn_difference_joules;
    const ratio = c.e_learn_ratio ? `, ratio ×${num(c.e_learn_ratio.estimate)} [×${num(c.e_learn_ratio.ci95[0])}, ×${num(c.e_learn_ratio.ci95[1])}]` : "";
    return `E_learn(${c.labels}) − E_learn(control) = ${joules(d.estimate)} [95% CI ${num(d.ci95[0])}, ${num(d.ci95[1])}]${ratio} (${c.runs.labels} vs ${c.runs.control} runs, ${c.match === "pooled" ? "pooled over matched cells" : c.match})`;
  });
}

export function controlTable(s: SweepSummary): string {
  const main = headlineRows(s);
  const cells = s.control_contrasts.filter((c) => !main.includes(c));
  const head = `<tr><th>labels</th><th>matched cell</th><th>runs labels / control</th><th>E_learn(labels) − E_learn(control) [95% CI]</th><th>E_learn ratio [95% CI]</th><th>overhead difference</th><th>total difference</th><th>cells where I(control) = 0 &lt; I(labels), per end</th></tr>`;
  return `<table id="control-contrasts">${head}${main.map(controlRow).join("")}</table>
${cells.length ? `<details><summary>The ${cells.length} matched cells one by one</summary><table id="control-contrasts-per-cell">${head}${cells.map(controlRow).join("")}</table></details>` : ""}
<p class="sub">Held equal: ${esc(heldEqual("labels"))}. The control's bracket is [0, 0]: if E ∝ I, E_learn(control) is 0 and the difference is all of E_learn(labels).</p>`;
}
