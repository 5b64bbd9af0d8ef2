// `mhil report`: placeholder until its issue lands.
import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("report")
    .description("(report: not implemented yet)")
    .action(() => {
      throw new Error("report: not implemented yet");
    });
}
