// Reads a training config file (plain TrainConfig JSON, or a run directory's config.json to re-run it).
import { existsSync, readFileSync, statSync } from "node:fs";
import { TrainConfigError } from "../train/config.js";
import { jsonErrorOffset, lineColumn } from "./json-position.js";

export interface ConfigFileContents {
  /** The raw config object (not yet validated: the caller merges flags, then validates). */
  config: Record<string, unknown>;
  /** The device URI a run's config.json recorded, when the file is one. */
  deviceUri: string | null;
}

/**
 * Reads `file` as JSON. A missing file, unreadable file or malformed JSON is a TrainConfigError naming the
 * file (and line and column for a syntax error). A run's config.json ({schema_version, config, device_uri})
 * yields its `config` so a run can be repeated from its own directory.
 */
export function readConfigFile(file: string): ConfigFileContents {
  if (!existsSync(file)) throw new TrainConfigError(file, "", "file not found");
  if (statSync(file).isDirectory()) throw new TrainConfigError(file, "", "is a directory, not a JSON file");
  const text = readFileSync(file, "utf8");
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    const offset = jsonErrorOffset(text);
    const where = offset === null ? "" : ((p) => ` at line ${p.line}, column ${p.column}`)(lineColumn(text, offset));
    throw new TrainConfigError(file, "", `malformed JSON${where}: ${(e as Error).message}`);
  }
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new TrainConfigError(file, "", "must be a JSON object of settings");
  const o = obj as Record<string, unknown>;
  if ("schema_version" in o && "config" in o) {
    const inner = o.config;
    if (inner === null || typeof inner !== "object" || Array.isArray(inner)) throw new TrainConfigError(file, "config", "must be an object");
    return { config: inner as Record<string, unknown>, deviceUri: typeof o.device_uri === "string" ? o.device_uri : null };
  }
  return { config: o, deviceUri: null };
}
