// `mhil telemetry`: placeholder until its issue lands.
import type { Command } from "commander";

export function register(program: Command): void {
  program
    .command("telemetry")
    .description("(telemetry: not implemented yet)")
    .action(() => {
      throw new Error("telemetry: not implemented yet");
    });
}
