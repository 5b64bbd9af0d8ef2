// Renders a report.html in Debian's chromium (headless, offline) and saves a PNG of its first screens:
//   node scripts/report-screenshot.mjs sweeps/verdict/report.html docs/report-screenshot.png
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { chromium } from "playwright-core";

const [html, png] = process.argv.slice(2);
if (!html || !png) {
  console.error("usage: node scripts/report-screenshot.mjs REPORT.html OUT.png");
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1600 } });
  await page.goto(pathToFileURL(resolve(html)).href, { waitUntil: "load" });
  // Figures are drawn by the page's own script: wait until every plot has its SVG.
  await page.waitForFunction(() => [...document.querySelectorAll("figure")].every((f) => f.querySelector("svg, img, table")), null, { timeout: 30_000 });
  await page.screenshot({ path: png, fullPage: false });
} finally {
  await browser.close();
}
