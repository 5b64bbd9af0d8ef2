// The report in a real browser: Debian's chromium, headless, over file://; the plots must have rendered marks
// and the page must log no errors. Saves a full-page screenshot beside the report.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { writeFixtureSweep } from "./fixture.js";
import { summarizeSweep, writeSweepSummary } from "../../src/experiment/sweep-summary.js";
import { readSweepDirConfig } from "../../src/experiment/sweep-runner.js";
import { buildReport } from "../../src/report/build-report.js";

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let dir: string;
let browser: Browser | null = null;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "mhil-report-"));
  writeFixtureSweep(dir);
  writeSweepSummary(dir, summarizeSweep(dir, readSweepDirConfig(dir)));
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

describe("report.html in headless chromium", () => {
  it("a sweep report renders every plot with marks, the verdict and β, and logs no errors", async () => {
    const { page, problems } = await openReport(join(dir, "report.html"));
    for (const id of ["plot-energy-vs-bits", "plot-energy-components", "plot-landauer", "plot-accuracy", "plot-conductance"]) {
      const svg = page.locator(`#${id} svg`);
      expect(await svg.count(), id).toBe(1);
      const box = await svg.boundingBox();
      expect(box!.width, id).toBeGreaterThan(200);
      // Vega draws marks as paths inside groups of class "mark-…"; an empty plot has none.
      const marks = await page.locator(`#${id} svg g[class^="mark-"] path, #${id} svg g[class^="mark-"] line`).count();
      expect(marks, id).toBeGreaterThan(3);
    }
    // One point per run (120) on the E–I plot.
    expect(await page.locator("#plot-energy-vs-bits svg g.mark-symbol.role-mark path").count()).toBe(120);
    expect(await page.locator(".verdict").textContent()).toBe("supports");
    expect(await page.locator("#beta-table tr").count()).toBe(7);
    expect(problems).toEqual([]);
    const shot = join(process.env.MHIL_REPORT_SCREENSHOT_DIR ?? dir, "report.png");
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    await page.close();
  });

  it("a single-run report renders and says what it has", async () => {
    const runDir = join(dir, "runs", "n64_C4_random_ep4_seed3");
    await buildReport(runDir);
    const { page, problems } = await openReport(join(runDir, "report.html"));
    expect(await page.locator("#run-table").count()).toBe(1);
    expect(await page.locator("#plot-energy-vs-bits svg g.mark-symbol.role-mark path").count()).toBe(1);
    expect(await page.locator("#plot-accuracy svg g.mark-line.role-mark path").count()).toBe(2);
    expect(problems).toEqual([]);
    await page.close();
  });
});
