// How the CLI reports a failure: a user error (src/hal/user-error.ts) is its message on one line and its exit
// code (2 unless the class says otherwise); anything else is an internal error, one short line and exit 1.
// The stack only with --debug.
import { UserError } from "../hal/user-error.js";

/** What the CLI makes of an error: the line it prints, the exit code, and whether it is the user's to fix. */
export interface Outcome {
  message: string;
  exitCode: number;
  internal: boolean;
}

export function outcomeOf(err: unknown): Outcome {
  const message = oneLine(err instanceof Error ? err.message : String(err));
  if (err instanceof UserError) return { message, exitCode: err.exitCode, internal: false };
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
