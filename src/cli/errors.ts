// How the CLI reports a failure: a user error (src/hal/user-error.ts) is its message on one line and its exit
// code (2 unless the class says otherwise); anything else is an internal error, one short line and exit 1.
// The stack only with --debug.
import { UserError } from "../hal/user-error.js";

/**
 * Until the class extends UserError: errors of folders this file's owners do not own, known by their name,
 * with the exit code their class means (an `exitCode` on the error wins). Remove each entry when its class
 * extends UserError.
 */
const UNTIL_THE_CLASS_EXTENDS_USER_ERROR: Readonly<Record<string, number>> = {
  LimitError: 2, // src/hal/limits.ts
  DeviceUriError: 2, // src/hal/uri.ts
  ConfigError: 2, // src/train/config.ts ConfigError; sim/devices/params.ts ConfigError; protocol/firmata/board-config.ts BoardConfigError
  DatasetError: 2, // src/train/datasets.ts
  PlacementError: 2, // src/train/placement.ts
  UserError: 2, // src/experiment/sweep-dir-error.ts SweepDirError (sets this name)
  SerialPortError: 2, // drivers/serial-crossbar/port.ts: the port cannot be opened (path, permission, busy)
  SerialLinkError: 1, // drivers/serial-crossbar/errors.ts
  DeviceRefusedError: 1, // drivers/serial-crossbar/errors.ts
  DeviceResetError: 1, // drivers/serial-crossbar/errors.ts
  DeviceMismatchError: 1, // drivers/serial-crossbar/errors.ts
  DeviceLinkError: 1, // drivers/firmata-board/link.ts
};

/** What the CLI makes of an error: the line it prints, the exit code, and whether it is the user's to fix. */
export interface Outcome {
  message: string;
  exitCode: number;
  internal: boolean;
}

export function outcomeOf(err: unknown): Outcome {
  const e = err as (Error & { exitCode?: unknown }) | undefined;
  const message = oneLine(e instanceof Error ? e.message : String(err));
  const own = typeof e?.exitCode === "number" ? e.exitCode : undefined;
  if (err instanceof UserError) return { message, exitCode: err.exitCode, internal: false };
  const byName = e instanceof Error ? UNTIL_THE_CLASS_EXTENDS_USER_ERROR[e.name] : undefined;
  if (byName !== undefined) return { message, exitCode: own ?? byName, internal: false };
  return { message, exitCode: 1, internal: true };
}

/** Prints the outcome on stderr (the stack too under --debug) and exits with its code. */
export function exitOnError(err: unknown, debug = false): never {
  const o = outcomeOf(err);
  process.stderr.write(o.internal ? `mhil: internal error: ${o.message} (run with --debug for the stack)\n` : `mhil: ${o.message}\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(o.exitCode);
}

/** Whitespace runs (newlines included) as one space: a message is one line. */
function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, " ").trim();
}
