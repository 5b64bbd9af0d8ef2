// The `mhil` command: one subcommand per module in ./commands, each registering itself.
import { Command } from "commander";
import { register as registerDevices } from "./commands/devices.js";
import { register as registerTrain } from "./commands/train.js";
import { register as registerInfo } from "./commands/info.js";
import { register as registerSim } from "./commands/sim.js";
import { register as registerCalibrate } from "./commands/calibrate.js";
import { register as registerTelemetry } from "./commands/telemetry.js";
import { register as registerSweep } from "./commands/sweep.js";
import { register as registerReport } from "./commands/report.js";
import { exitOnError } from "./errors.js";

const program = new Command();
program
  .name("mhil")
  .description("memristor-hil: train on a memristor crossbar, measure the joules, bracket the bits learned")
  .version("0.1.0")
  .showHelpAfterError();

for (const register of [registerDevices, registerTrain, registerInfo, registerSim, registerCalibrate, registerTelemetry, registerSweep, registerReport]) {
  register(program);
}

program.parseAsync(process.argv).catch(exitOnError);
