// Reads a training config file (plain TrainConfig JSON, or a run directory's config.json to re-run it).
import { existsSync, readFileSync, statSync } from "node:fs";
import { ConfigError } from "../train/config.js";

export interface ConfigFileContents {
  /** The raw config object (not yet validated: the caller merges flags, then validates). */
  config: Record<string, unknown>;
  /** The device URI a run's config.json recorded, when the file is one. */
  deviceUri: string | null;
}

/**
 * Reads `file` as JSON. A missing file, unreadable file or malformed JSON is a ConfigError naming the
 * file (and line and column for a syntax error). A run's config.json ({schema_version, config, device_uri})
 * yields its `config` so a run can be repeated from its own directory.
 */
export function readConfigFile(file: string): ConfigFileContents {
  if (!existsSync(file)) throw new ConfigError(file, "", "file not found");
  if (statSync(file).isDirectory()) throw new ConfigError(file, "", "is a directory, not a JSON file");
  const text = readFileSync(file, "utf8");
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, "", `malformed JSON${locate(text, (e as Error).message)}: ${(e as Error).message}`);
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new ConfigError(file, "", "must be a JSON object of settings");
  const o = obj as Record<string, unknown>;
  if ("schema_version" in o && "config" in o) {
    const inner = o.config;
    if (inner === null || typeof inner !== "object" || Array.isArray(inner)) throw new ConfigError(file, "config", "must be an object");
    return { config: inner as Record<string, unknown>, deviceUri: typeof o.device_uri === "string" ? o.device_uri : null };
  }
  return { config: o, deviceUri: null };
}

/** " at line L, column C" from V8's "at position N", or "" when the message has no position. */
function locate(text: string, message: string): string {
  const m = /position (\d+)/.exec(message);
  if (!m) return "";
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split("\n").length;
  const column = pos - before.lastIndexOf("\n");
  return ` at line ${line}, column ${column}`;
}
