// The report in a real browser: Debian's chromium, headless, over file://. The sweep is a fixture built like the
// real output (control runs at I = 0, two protocols, checkpoints with conductances); the page must show what the
// fixture's files and summary.json say, draw every plot with marks, and log no errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { writeFixtureSweep } from "./fixture.js";
import { summarizeSweep, writeSweepSummary, type SweepSummary } from "../../src/experiment/sweep-summary.js";
import { readSweepDirConfig } from "../../src/experiment/sweep-runner.js";
import { buildReport } from "../../src/report/build-report.js";

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let dir: string;
let browser: Browser | null = null;
let summary: SweepSummary;

interface FixtureRun {
  id: string;
  labels: string;
  protocol: string;
  bits: { lower: number; estimate: number; upper: number };
  learning: number;
  lastConductances: number;
}

/** What the fixture's run directories hold, read from the files the way a person would check the page. */
function fixtureRuns(): FixtureRun[] {
  return readdirSync(join(dir, "runs")).map((id) => {
    const run = join(dir, "runs", id);
    const s = JSON.parse(readFileSync(join(run, "summary.json"), "utf8"));
    const point = JSON.parse(readFileSync(join(run, "sweep-point.json"), "utf8"));
    const last = readdirSync(join(run, "checkpoints")).sort((a, b) => Number(/\d+/.exec(b)![0]) - Number(/\d+/.exec(a)![0]))[0]!;
    const cp = JSON.parse(readFileSync(join(run, "checkpoints", last), "utf8"));
    const b = s.bits_learned;
    return { id, labels: point.labels, protocol: point.protocol, bits: { lower: b.lower.bits, estimate: b.estimate.bits, upper: b.upper.bits }, learning: s.energy_joules.learning, lastConductances: cp.session.store.conductancesSiemens.length };
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mhil-report-"));
  writeFixtureSweep(dir);
  writeSweepSummary(dir, summarizeSweep(dir, readSweepDirConfig(dir)));
  // The report reads summary.json back as written (±Infinity and NaN as null), as `mhil report` does.
  summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as SweepSummary;
  await buildReport(dir);
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function openReport(path: string) {
  const page = await browser!.newPage({ viewport: { width: 1200, height: 900 } });
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  // Nothing may leave the file: every request other than the report itself is a defect (a CDN, a font).
  page.on("request", (r) => {
    if (r.url() !== pathToFileURL(path).href) problems.push(`request: ${r.url()}`);
  });
  await page.goto(pathToFileURL(path).href);
  return { page, problems };
}

const marks = (page: Page, selector: string) => page.locator(`${selector} path, ${selector} line`).count();

describe("report.html of a sweep with the control and two protocols, in headless chromium", () => {
  let page: Page;
  let problems: string[];
  let runs: FixtureRun[];

  beforeAll(async () => {
    ({ page, problems } = await openReport(join(dir, "report.html")));
    runs = fixtureRuns();
  });
  afterAll(async () => {
    await page.close();
  });

  it("draws every plot with marks and logs no errors", async () => {
    for (const id of ["plot-energy-vs-bits", "plot-energy-kinds", "plot-control", "plot-energy-components", "plot-landauer", "plot-accuracy", "plot-conductance"]) {
      const svg = page.locator(`#${id} svg`);
      expect(await svg.count(), id).toBe(1);
      expect((await svg.boundingBox())!.width, id).toBeGreaterThan(200);
      // Vega draws marks as paths inside groups of class "mark-…"; an empty plot has none.
      expect(await marks(page, `#${id} svg g[class^="mark-"].role-mark`), id).toBeGreaterThan(3);
    }
    expect(problems).toEqual([]);
  });

  it("shows the verdict of summary.json and every one of its reasons", async () => {
    expect(await page.locator("#verdict-value").textContent()).toBe(summary.verdict);
    expect(await page.locator("#reasons li").allTextContents()).toEqual(summary.reasons);
  });

  it("puts the runs with an estimate of I at 0 in a strip with their count, and the rest on the log–log panel", async () => {
    const zero = runs.filter((r) => r.bits.estimate === 0);
    expect(zero.filter((r) => r.labels === "control")).toHaveLength(runs.filter((r) => r.labels === "control").length);
    expect(await page.locator("#plot-energy-vs-bits svg text", { hasText: `I = 0: ${zero.length} run(s)` }).count()).toBe(1);
    expect(await page.locator("#plot-energy-vs-bits svg g.zero_strip_marks path").count()).toBe(zero.length);
    expect(await page.locator("#plot-energy-vs-bits svg g.run_points_marks path").count()).toBe(runs.length - zero.length);
    // One bracket bar per placed run, and a fit line per end with a β.
    expect(await page.locator("#plot-energy-vs-bits svg g.bracket_bars_marks line").count()).toBe(runs.length - zero.length);
    expect(await page.locator("#plot-energy-vs-bits svg g.fit_lines_marks path").count()).toBe(Object.values(summary.beta).filter(Boolean).length);
    const control = zero.filter((r) => r.labels === "control").length;
    expect(await page.locator("#plot-energy-vs-bits figcaption").textContent()).toContain(`holds the ${zero.length} runs whose estimate of I is 0 (control ${control}`);
  });

  it("counts the runs at I = 0 on every end as the fixture has them", async () => {
    for (const end of ["lower", "estimate", "upper"] as const) {
      const expected = runs.filter((r) => r.bits[end] === 0).length;
      expect(await page.locator(`#ends tr[data-end="${end}"] td.zero-i`).getAttribute("data-count"), end).toBe(String(expected));
    }
  });

  it("shows overhead and total beside E_learn, and the control's E_learn against the labelled runs' per matched cell", async () => {
    // Three energies per run (E_learn, overhead, total), every one positive in the fixture.
    expect(await page.locator("#plot-energy-kinds svg g.zero_strip_marks path, #plot-energy-kinds svg g.run_points_marks path").count()).toBe(3 * runs.length);
    // Matched cells: n × C × protocols × budgets = 16, each with random and teacher against the control.
    expect(await page.locator("#plot-control svg g.control_cells_marks path").count()).toBe(16 * 2);
    expect(await page.locator("#control-findings li").count()).toBe(2);
    const pooled = summary.control_contrasts.find((c) => c.labels === "random" && c.match === "pooled")!;
    expect(await page.locator('#control-contrasts tr[data-labels="random"] td.e-diff').textContent()).toContain(pooled.e_learn_difference_joules.estimate.toExponential(2));
  });

  it("lists the judged matched contrasts with what each holds equal", async () => {
    const rows = page.locator("#contrasts tr[data-factor]");
    expect(await rows.count()).toBe(5); // random–teacher, random–control, teacher–control, dense–threshold, 2–4 epochs
    expect(await page.locator('#contrasts tr[data-factor="labels"] td:nth-child(2)').first().textContent()).toBe("n, C, protocol and budget");
    expect(await page.locator('#contrasts tr[data-factor="protocol"] td:nth-child(2)').textContent()).toBe("n, C, labels and budget");
    expect(await page.locator('#contrasts tr[data-factor="budget"] td:nth-child(2)').textContent()).toBe("n, C, labels and protocol");
    // The control's I is 0 in every cell on the upper end, where random labels have n·log2 C: the ratio is unbounded.
    expect(await page.locator('#contrasts tr[data-factor="labels"]', { hasText: "random vs control" }).locator("td:nth-child(8)").textContent()).toBe("I(control) = 0 in 16 cell(s): ratio ∞");
  });

  it("puts the protocols side by side: each one's verdict and reasons, β, the Landauer multiple of E_learn, the accuracy", async () => {
    const byProtocol = summary.by_protocol;
    expect(await page.locator("#protocols th[data-protocol]").allTextContents()).toEqual(["dense", "threshold"]);
    expect(await page.locator('#protocols tr[data-row="verdict"] td').allTextContents()).toEqual(byProtocol.map((r) => r.verdict));
    const beta = await page.locator('#protocols tr[data-row="beta-estimate"] td').allTextContents();
    expect(beta).toEqual(byProtocol.map((r) => `${r.beta.estimate!.estimate.toPrecision(3)} [${r.beta.estimate!.ci95[0].toPrecision(3)}, ${r.beta.estimate!.ci95[1].toPrecision(3)}]`));
    expect(await page.locator('#protocols tr[data-row="landauer"] td').count()).toBe(2);
    for (const r of byProtocol) expect(await page.locator(`details.protocol-reasons[data-protocol="${r.protocol}"] li`).allTextContents()).toEqual(r.reasons);
    // The fixture's teacher runs end at train 0.9, test 0.8 under both protocols.
    expect(await page.locator('#protocols tr[data-row="accuracy-teacher"] td').first().textContent()).toContain("0.900 / 0.800");
  });

  it("labels the accuracy chart's epoch axis with whole epochs only", async () => {
    const ticks = await page.locator('#plot-accuracy svg g.role-axis[aria-label^="X-axis"] g.role-axis-label text').allTextContents();
    expect(ticks.length).toBeGreaterThan(0);
    for (const t of ticks) expect(t).toMatch(/^\d+$/);
    expect([...new Set(ticks)].sort()).toEqual(["1", "2", "3", "4"]);
  });

  it("histograms the conductances of every run's last checkpoint", async () => {
    expect(await page.locator("#plot-conductance svg g.conductance_bars_marks path").count()).toBeGreaterThan(10);
    const devices = runs.reduce((s, r) => s + r.lastConductances, 0);
    expect(await page.locator("#plot-conductance figcaption").textContent()).toContain(`${devices} device conductances from the last checkpoint of ${runs.length} of ${runs.length} run(s) read`);
  });

  it("saves a full-page screenshot", async () => {
    const shot = join(process.env.MHIL_REPORT_SCREENSHOT_DIR ?? dir, "report.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
  });
});

describe("report.html of a single run", () => {
  it("renders its summary, its point and its accuracy per epoch", async () => {
    const runDir = join(dir, "runs", "n64_C4_random_dense_ep4_seed3");
    await buildReport(runDir);
    const { page, problems } = await openReport(join(runDir, "report.html"));
    const s = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    expect(await page.locator("#run-table").textContent()).toContain(`${s.energy_joules.learning.toExponential(2)} J`);
    expect(await page.locator("#plot-energy-vs-bits svg g.run_points_marks path").count()).toBe(1);
    expect(await page.locator("#plot-accuracy svg g.mark-line.role-mark path").count()).toBe(1);
    expect(await page.locator("#plot-conductance svg g.conductance_bars_marks path").count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
