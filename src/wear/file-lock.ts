// A lock file beside a file that several processes update (sweep workers counting wear on one device serial):
// created exclusively, holding the owner's pid; a lock whose owner is gone is taken over.
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { UserError } from "../hal/user-error.js";

/** Another live process held the lock past the timeout (exit 1: try again when it is done, or stop it). */
export class FileLockTimeoutError extends UserError {
  constructor(readonly lock: string, timeoutMs: number) {
    super(`${lock}: held by another process for more than ${timeoutMs / 1000} s (another mhil using this device's wear counts?); try again when it ends`, 1);
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const sleepMs = (ms: number) => Atomics.wait(sleeper, 0, 0, ms);

/** Runs `fn` holding `${file}.lock`; waits up to `timeoutMs` for another live process to release it. */
export function withFileLock<T>(file: string, fn: () => T, timeoutMs = 10_000): T {
  const lock = `${file}.lock`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(lock, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (ownerGone(lock)) rmSync(lock, { force: true });
      else if (Date.now() >= deadline) throw new FileLockTimeoutError(lock, timeoutMs);
      else sleepMs(5);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** The lock's pid is not a running process (killed while holding it). */
function ownerGone(lock: string): boolean {
  let text: string;
  let ageMs: number;
  try {
    text = readFileSync(lock, "utf8");
    ageMs = Date.now() - statSync(lock).mtimeMs;
  } catch {
    return false; // removed meanwhile: the next attempt creates it
  }
  const pid = Number(text);
  // Empty: its owner is between creating it and writing its pid, or was killed right there.
  if (text === "" || !Number.isInteger(pid) || pid <= 0) return ageMs > 1000;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}
