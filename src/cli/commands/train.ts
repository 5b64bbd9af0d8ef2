// `mhil train`: placeholder until its issue lands.
import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("train")
    .description("(train: not implemented yet)")
    .action(() => {
      throw new Error("train: not implemented yet");
    });
}
