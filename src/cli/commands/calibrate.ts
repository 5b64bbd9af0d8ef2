// `mhil calibrate`: placeholder until its issue lands.
import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("calibrate")
    .description("(calibrate: not implemented yet)")
    .action(() => {
      throw new Error("calibrate: not implemented yet");
    });
}
