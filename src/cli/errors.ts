// How the CLI reports a failure: one clear line on stderr and a non-zero exit, no stack for known errors.

/** An error meant for the user: its message is the whole story (what, where, how to fix). */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = "UserError";
  }
}

const KNOWN = new Set(["UserError", "ResumeError", "PlacementError", "LineProtocolError", "LimitError", "DeviceUriError", "ConfigError", "DatasetError", "ZodError", "CalibrationFileError", "FitError", "SerialPortError", "SerialLinkError", "DeviceMismatchError", "DeviceResetError", "DeviceRefusedError", "DeviceLinkError", "WearBudgetError", "WearStoreError", "ComplianceTripError", "CurrentOverLimitError"]);

export function exitOnError(err: unknown): never {
  const e = err as Error & { exitCode?: number };
  if (e && KNOWN.has(e.name)) {
    process.stderr.write(`mhil: ${e.message}\n`);
  } else {
    process.stderr.write(`mhil: ${e?.stack ?? String(err)}\n`);
  }
  process.exit(typeof e?.exitCode === "number" ? e.exitCode : 1);
}
