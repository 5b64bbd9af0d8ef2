// A sweep or report directory that cannot be used as asked; the message says which and why. Exit code 2.
export class SweepDirError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    // The CLI prints known errors as one line without a stack.
    this.name = "UserError";
  }
}
