// `mhil sweep`: placeholder until its issue lands.
import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("sweep")
    .description("(sweep: not implemented yet)")
    .action(() => {
      throw new Error("sweep: not implemented yet");
    });
}
