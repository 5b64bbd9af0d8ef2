// `mhil sim serve`: serves a simulated device on a fresh pseudo-terminal until stopped (SIGINT/SIGTERM).
// Default: the crossbar firmware twin (firmware/PROTOCOL.md) → open it with serial:PATH.
// --firmata: the Firmata analog test-board twin → open it with firmata:PATH.
import type { Command } from "commander";
import { UserError } from "../../hal/user-error.js";

interface ServeOptions {
  device: string;
  serial?: string;
  firmata?: boolean;
  board?: string;
  seed?: string;
  baud?: string;
}

interface Served {
  path: string;
  close(): Promise<void>;
}

export function register(program: Command): void {
  const sim = program.command("sim").description("simulated devices for lab users and CI");
  sim
    .command("serve")
    .description("serve a simulated device on a fresh pty and print its path (serial:PATH, or firmata:PATH with --firmata) until Ctrl-C")
    .option("--device <uri>", "the simulated crossbar behind the firmware twin (sim:PRESET?rows=&cols=&seed=)", "sim:")
    .option("--serial <s>", "serial number the twin reports in identify")
    .option("--firmata", "serve the Firmata analog test-board twin instead")
    .option("--board <path>", "board config for --firmata")
    .option("--seed <n>", "seed for --firmata")
    .option("--baud <rate>", "pace the firmware twin's bytes at this baud rate (baud/10 bytes/s each way), as a real UART link would")
    .action(async (opts: ServeOptions) => {
      const log = (line: string) => process.stderr.write(`mhil: ${line}\n`);
      let served: Served;
      let scheme: string;
      if (opts.firmata && opts.baud !== undefined) throw new UserError("--baud: the Firmata twin runs at its board's own baud rate (57,600); --baud paces the firmware twin");
      if (opts.firmata) {
        const seed = opts.seed === undefined ? undefined : Number(opts.seed);
        if (seed !== undefined && !Number.isInteger(seed)) throw new UserError(`--seed ${opts.seed}: must be an integer`);
        const { serveFirmataTwin } = (await import("../../../emulators/firmata-twin/serve.js")) as {
          serveFirmataTwin(o: { boardConfigPath?: string; seed?: number; log: (line: string) => void }): Promise<Served>;
        };
        served = await serveFirmataTwin({ ...(opts.board ? { boardConfigPath: opts.board } : {}), ...(seed !== undefined ? { seed } : {}), log });
        scheme = "firmata";
      } else {
        if (!opts.device.startsWith("sim:")) throw new UserError(`--device ${opts.device}: the firmware twin serves a simulated crossbar, a sim: URI (e.g. sim:reram?rows=32&cols=32&seed=1)`);
        const baud = opts.baud === undefined ? undefined : Number(opts.baud);
        if (baud !== undefined && !(Number.isFinite(baud) && baud > 0)) throw new UserError(`--baud ${opts.baud}: must be a positive number (e.g. 115200)`);
        const { serveFirmwareTwin } = await import("../../../emulators/firmware-twin/serve.js");
        served = await serveFirmwareTwin({ device: opts.device, ...(opts.serial ? { serial: opts.serial } : {}), ...(baud !== undefined ? { baud } : {}), log });
        scheme = "serial";
      }
      // The path alone on stdout, so scripts can capture it.
      process.stdout.write(`${served.path}\n`);
      log(`open it with --device ${scheme}:${served.path}; Ctrl-C to stop`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await served.close();
    });
}
