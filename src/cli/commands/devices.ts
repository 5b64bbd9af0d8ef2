// `mhil devices`: placeholder until its issue lands.
import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("devices")
    .description("(devices: not implemented yet)")
    .action(() => {
      throw new Error("devices: not implemented yet");
    });
}
