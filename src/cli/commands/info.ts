// `mhil info`: placeholder until its issue lands.
import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("info")
    .description("(info: not implemented yet)")
    .action(() => {
      throw new Error("info: not implemented yet");
    });
}
