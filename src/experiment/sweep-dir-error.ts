// A sweep or report directory that cannot be used as asked; the message says which and why. Exit code 2.
import { UserError } from "../hal/user-error.js";
export class SweepDirError extends UserError {
  constructor(message: string) {
    super(message);
  }
}
