// The `mhil` command: one subcommand per module in ./commands, each registering itself.
import { Command, CommanderError } from "commander";
import { register as registerDevices } from "./commands/devices.js";
import { register as registerTrain } from "./commands/train.js";
import { register as registerInfo } from "./commands/info.js";
import { register as registerSim } from "./commands/sim.js";
import { register as registerCalibrate } from "./commands/calibrate.js";
import { register as registerTelemetry } from "./commands/telemetry.js";
import { register as registerSweep } from "./commands/sweep.js";
import { register as registerReport } from "./commands/report.js";
import { register as registerRecall } from "./commands/recall.js";
import { exitOnError } from "./errors.js";

const program = new Command();
program
  .name("mhil")
  .description("memristor-hil: train on a memristor crossbar, measure the joules, bracket the bits learned")
  .version("0.1.0")
  .option("--debug", "print the stack of an error (for a bug report)")
  // A refused option or argument is the user's to fix: exit 2 (help and --version still exit 0).
  .exitOverride((e) => {
    throw e;
  })
  .showHelpAfterError("(add --help for usage)");

for (const register of [registerDevices, registerTrain, registerInfo, registerSim, registerCalibrate, registerTelemetry, registerSweep, registerReport, registerRecall]) {
  register(program);
}

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2); // commander printed the line
  exitOnError(e, program.opts().debug === true);
});
