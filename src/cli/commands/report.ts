// `mhil report DIR`: writes DIR/report.html for a sweep directory or a single run directory.
import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("report")
    .description("write DIR/report.html (self-contained, works offline) for a sweep directory or a run directory")
    .argument("<dir>", "a sweep directory (holds sweep.json) or a run directory (holds summary.json)")
    .action(async (dir: string) => {
      // Loaded here: the charts' libraries (vega) take a noticeable share of every other command's start.
      const { buildReport } = await import("../../report/build-report.js");
      const path = await buildReport(dir);
      process.stdout.write(`${path}\n`);
    });
}
