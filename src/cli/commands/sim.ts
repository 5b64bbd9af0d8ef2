// `mhil sim`: placeholder until its issue lands.
import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("sim")
    .description("(sim: not implemented yet)")
    .action(() => {
      throw new Error("sim: not implemented yet");
    });
}
