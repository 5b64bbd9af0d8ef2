// The one base class of errors meant for the user: the message is the whole story (what, where, how to fix).
// It lives in src/hal, the lowest layer, so every folder (drivers, sim, calibration, src/*) may extend it.

/**
 * Refused input or a condition the user can act on. The CLI prints its message as one line and exits with
 * `exitCode`: 2 (the default) for input the user can fix, which changed nothing; another code where the class
 * means something else (e.g. 130 for an aborted run). Anything that is not a UserError is an internal error.
 * Each subclass is named after itself (its `name` is the class name), so no two classes share a name.
 */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}
